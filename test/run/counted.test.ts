// Counted states (src/eval/counted.ts): when every check on a dataset reads only labels and
// decisions, a shard keeps a few rows, each weighted by the rows it stands for, and the merge gives
// the unsharded report all the same: ties at 0.5, thresholds, scores outside [0, 1], NaN scores, a
// baseline, two and three classes.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadChecklist, type LoadedChecklist } from '../../src/checklist/load.js';
import { RunContext } from '../../src/checks/context.js';
import { htmlPartOf } from '../../src/checks/index.js';
import { mulberry32 } from '../../src/eval/bootstrap.js';
import { formatters } from '../../src/report/index.js';
import { runChecklist } from '../../src/run/runner.js';
import { runShard } from '../../src/run/shard.js';
import { combineStates, readState, stateText } from '../../src/run/state.js';
import { FLOAT, model, node, valueInfo } from '../onnx-builder.js';
import { FIXTURES, scenario } from '../helpers.js';

const NOW = new Date('2026-11-30T00:00:00Z');
const json = (report: Awaited<ReturnType<typeof runChecklist>>) => formatters.json(report, { color: false, root: '.', partOf: htmlPartOf });

/** A model whose scores are its inputs (an Identity of `width` columns): the data say what it scores. */
const identity = (width: number) => Buffer.from(model([node('Identity', ['x'], ['scores'])], [valueInfo('x', FLOAT, ['N', width])], [valueInfo('scores', FLOAT, ['N', width])]));

async function shardStates(loaded: LoadedChecklist, n: number) {
  const out = [];
  for (let index = 0; index < n; index++) {
    const file = `s${index}.json`;
    const text = stateText(await runShard(loaded, { part: { index, count: n } }));
    out.push({ file, text, state: readState(file, text) });
  }
  return out;
}

async function mergedReport(loaded: LoadedChecklist, given: Awaited<ReturnType<typeof shardStates>>, seed: number) {
  const random = mulberry32(seed);
  const order = [...given];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const { merged } = combineStates(order);
  return json(await runChecklist(loaded, { now: NOW, context: new RunContext(loaded, NOW, undefined, { merged }) }));
}

const BINARY_CHECKS = `checks:
  - { id: acc, type: metric, metric: accuracy, min: 0.5, confidence: 0.9 }
  - { id: recall, type: metric, metric: recall, min: 0.3 }
  - { id: specificity, type: metric, metric: specificity, min: 0.3, confidence: 0.8 }
  - { id: mcc, type: metric, metric: mcc, min: 0 }
  - { id: balanced, type: metric, metric: balanced_accuracy, min: 0.4, compare: { to: baseline, max_regression: 0.1 } }
  - { id: f1, type: metric, metric: f1, average: macro, min: 0.3 }
  - { id: model, type: model }
`;
const MULTICLASS_CHECKS = `checks:
  - { id: acc, type: metric, metric: accuracy, min: 0.5, confidence: 0.9 }
  - { id: f1, type: metric, metric: f1, average: macro, min: 0.3 }
  - { id: recall, type: metric, metric: recall, average: micro, min: 0.3 }
  - { id: precision, type: metric, metric: precision, average: weighted, min: 0.3, compare: { to: baseline, max_regression: 0.2, relative: true } }
  - { id: balanced, type: metric, metric: balanced_accuracy, min: 0.4 }
`;

/** A checklist over an Identity model of `width` columns (the baseline reads the columns in reverse). */
function checklistFor(width: number, threshold: number | undefined, checks: string): string {
  const columns = Array.from({ length: width }, (_, c) => `s${c}`);
  const classes = ['a', 'b', 'c'].slice(0, width === 1 ? 2 : width);
  const t = threshold === undefined ? '' : `, threshold: ${threshold}`;
  return `version: 1
model: { path: model.onnx, outputs: { scores: scores }, classes: [${classes.join(', ')}], positive: ${classes[1]}${t}, inputs: { x: [${columns.join(', ')}] } }
baseline: { path: model.onnx, outputs: { scores: scores }, classes: [${classes.join(', ')}], positive: ${classes[1]}${t}, inputs: { x: [${[...columns].reverse().join(', ')}] } }
datasets: { holdout: { path: data.csv, label: y, missing: nan } }
${checks}`;
}

const SCORES = ['0', '0.25', '0.5', '0.5', '0.75', '1', '0.3', '0.7', '1.5', '-0.25', ''];

describe('counted states: a shard keeps a few weighted rows, the merge gives the unsharded report', () => {
  it('any scores (ties, thresholds, outside [0, 1], NaN), one to three columns, any number of shards: the same report, and every state counted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 3),
        fc.constantFrom(undefined, 0.5, 0.3),
        fc.array(fc.record({ scores: fc.array(fc.constantFrom(...SCORES), { minLength: 3, maxLength: 3 }), label: fc.nat(2) }), { minLength: 20, maxLength: 200 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        async (width, threshold, rows, n, seed) => {
          const classes = ['a', 'b', 'c'].slice(0, width === 1 ? 2 : width);
          const lines = rows.map((r) => [...r.scores.slice(0, width), classes[r.label % classes.length]].join(','));
          const header = [...Array.from({ length: width }, (_, c) => `s${c}`), 'y'].join(',');
          const d = scenario({ 'model.onnx': identity(width), 'data.csv': [header, ...lines].join('\n') + '\n', 'checklist.yaml': checklistFor(width, threshold, width === 3 ? MULTICLASS_CHECKS : BINARY_CHECKS) });
          const loaded = loadChecklist(join(d, 'checklist.yaml'));
          const whole = json(await runChecklist(loaded, { now: NOW }));
          const states = await shardStates(loaded, n);
          for (const { state } of states) expect(state.passes.get('holdout')!.pass.weights).toBeDefined();
          expect(await mergedReport(loaded, states, seed)).toBe(whole);
        },
      ),
      { numRuns: Number(process.env.SHARD_RUNS ?? 15), endOnFailure: true },
    );
  }, 180_000);

  it('a state holds a few rows whatever the rows of its part: 20,000 rows in 4 shards of at most 2 labels × 2 × 2 decisions, and the rows named', async () => {
    const random = mulberry32(7);
    const lines = Array.from({ length: 20_000 }, (_, i) => {
      // a NaN score on six rows (the report names five), scores outside [0, 1] on a few
      const s1 = i % 3_001 === 17 ? '' : i % 997 === 5 ? '1.25' : String(Math.round(random() * 1000) / 1000);
      const y = random() < Number(s1 || 0.5) ? 'b' : 'a';
      return `${s1},${y}`;
    });
    const d = scenario({ 'model.onnx': identity(1), 'data.csv': ['s0,y', ...lines].join('\n') + '\n', 'checklist.yaml': checklistFor(1, undefined, BINARY_CHECKS).replace(/^baseline:.*\n/m, '').replace(/, compare: \{[^}]*\}/, '') });
    const loaded = loadChecklist(join(d, 'checklist.yaml'));
    const whole = json(await runChecklist(loaded, { now: NOW }));
    expect(whole).toContain('7 of 20000 rows have a NaN or infinite score (line 19, 3020, 6021, 9022, 12023, and 2 more)');
    const states = await shardStates(loaded, 4);
    for (const { text, state } of states) {
      const pass = state.passes.get('holdout')!.pass;
      // 2 labels × 2 decisions × finite or not, the first 5 NaN rows and the first score outside [0, 1]
      expect(pass.rowRef.length).toBeLessThanOrEqual(2 * 2 * 2 + 5 + 1);
      expect(text.length).toBeLessThan(4_000);
    }
    expect(states.reduce((s, { state }) => s + state.passes.get('holdout')!.pass.weights!.reduce((a, w) => a + w, 0), 0)).toBe(20_000);
    expect(await mergedReport(loaded, states, 1)).toBe(whole);
  }, 60_000);

  it('a check that reads scores (roc_auc), an interval by bootstrap, or slices keeps the rows', async () => {
    const base = checklistFor(2, undefined, 'checks:\n  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n');
    const lines = ['s0,s1,y', ...Array.from({ length: 40 }, (_, i) => `${(i % 10) / 10},${1 - (i % 10) / 10},${i % 2 ? 'b' : 'a'}`)].join('\n') + '\n';
    const countedWith = async (extra: string) => {
      const d = scenario({ 'model.onnx': identity(2), 'data.csv': lines, 'checklist.yaml': base + extra });
      const [one] = await shardStates(loadChecklist(join(d, 'checklist.yaml')), 1);
      return one!.state.passes.get('holdout')!.pass.weights !== undefined;
    };
    expect(await countedWith('')).toBe(true);
    expect(await countedWith('  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n')).toBe(false);
    expect(await countedWith('  - { id: f1, type: metric, metric: f1, min: 0.5, confidence: 0.9 }\n')).toBe(false);
    expect(await countedWith('  - { id: precision, type: metric, metric: precision, min: 0.5, confidence: 0.9 }\n')).toBe(false);
    expect(await countedWith('  - { id: outputs, type: outputs }\n')).toBe(false);
    expect(await countedWith('  - { id: specificity, type: metric, metric: specificity, min: 0.5, confidence: 0.9 }\n')).toBe(true);
  }, 60_000);
});

// the fixtures: a real export (wine, ZipMap, multiclass) counted, and the report of its decision checks
describe('counted states on a real export', () => {
  it('wine: accuracy with an interval, f1 and recall averaged, n = 1 … 5', async () => {
    const d = scenario({
      'checklist.yaml': `version: 1
model: { path: ${join(FIXTURES, 'wine', 'model.onnx')}, outputs: { scores: output_probability, label: output_label } }
datasets: { holdout: { path: ${join(FIXTURES, 'wine', 'holdout.csv')}, label: cultivar } }
checks:
  - { id: accuracy, type: metric, metric: accuracy, min: 0.9, confidence: 0.95 }
  - { id: f1, type: metric, metric: f1, average: macro, min: 0.9 }
  - { id: recall, type: metric, metric: recall, average: weighted, min: 0.9 }
`,
    });
    const loaded = loadChecklist(join(d, 'checklist.yaml'));
    const whole = json(await runChecklist(loaded, { now: NOW }));
    for (let n = 1; n <= 5; n++) {
      const states = await shardStates(loaded, n);
      for (const { state } of states) expect(state.passes.get('holdout')!.pass.rowRef.length).toBeLessThanOrEqual(9);
      expect(await mergedReport(loaded, states, n)).toBe(whole);
    }
  }, 60_000);
});

describe('counted states that do not add up are refused', () => {
  const lines = ['s0,s1,y', ...Array.from({ length: 60 }, (_, i) => `${(i % 10) / 10},${1 - (i % 10) / 10},${i % 3 ? 'b' : 'a'}`)].join('\n') + '\n';
  const setUp = async () => {
    const d = scenario({ 'model.onnx': identity(2), 'data.csv': lines, 'checklist.yaml': checklistFor(2, undefined, 'checks:\n  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n').replace(/^baseline:.*\n/m, '') });
    const loaded = loadChecklist(join(d, 'checklist.yaml'));
    return { d, loaded, states: await shardStates(loaded, 2) };
  };

  it('weights that do not add up to the file, a shard counted beside one that kept its rows, a weight of 0', async () => {
    const { states } = await setUp();
    states[0]!.state.passes.get('holdout')!.pass.weights![0]! += 1;
    expect(() => combineStates(states)).toThrow(/dataset "holdout": the shards hold 61 rows, but data\.csv has 60/);
    const again = (await setUp()).states;
    delete again[1]!.state.passes.get('holdout')!.pass.weights;
    expect(() => combineStates(again)).toThrow(/dataset "holdout": some shards counted their rows and others kept them/);
    const { text } = (await setUp()).states[0]!;
    const wire = JSON.parse(text) as { datasets: { holdout: { pass: { weights: string } } } };
    const bytes = Buffer.from(wire.datasets.holdout.pass.weights, 'base64');
    const weights = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    weights[0] = 0;
    wire.datasets.holdout.pass.weights = Buffer.from(weights.buffer).toString('base64');
    const { sha256: _, ...body } = wire as unknown as Record<string, unknown>;
    const edited = stateText(body as unknown as Parameters<typeof stateText>[0]);
    expect(() => readState('s0.json', edited)).toThrow(/^s0\.json .*weights: a row that stands for no row/);
  }, 60_000);

  it('a merge whose checklist needs the rows the shards counted', async () => {
    const { loaded, states } = await setUp();
    const { merged } = combineStates(states);
    const needsRows = { ...loaded, checks: [...loaded.checks, { ...loaded.checks[0]!, id: 'auc', metric: 'roc_auc' }] } as LoadedChecklist;
    await expect(runChecklist(needsRows, { now: NOW, context: new RunContext(needsRows, NOW, undefined, { merged }) })).rejects.toThrow(/dataset "holdout": the shards counted rows that this checklist's checks need one by one/);
  }, 60_000);
});
