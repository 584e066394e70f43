// Counted states (src/eval/counted.ts): when every check on a dataset reads only labels and
// decisions, a shard keeps a few rows, each weighted by the rows it stands for, and the merge gives
// the unsharded report all the same: ties at 0.5, thresholds, scores outside [0, 1], NaN scores, a
// baseline, two and three classes.
import { readFileSync, writeFileSync } from 'node:fs';
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
import { FLOAT, INT64, intAttr, model, node, valueInfo } from '../onnx-builder.js';
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

/** A checklist over an Identity model of `width` columns (the baseline reads the columns in reverse; a single score, the next column). */
function checklistFor(width: number, threshold: number | undefined, checks: string): string {
  const columns = Array.from({ length: width }, (_, c) => `s${c}`);
  const baseline = width === 1 ? ['s1'] : [...columns].reverse();
  const classes = ['a', 'b', 'c'].slice(0, width === 1 ? 2 : width);
  const t = threshold === undefined ? '' : `, threshold: ${threshold}`;
  return `version: 1
model: { path: model.onnx, outputs: { scores: scores }, classes: [${classes.join(', ')}], positive: ${classes[1]}${t}, inputs: { x: [${columns.join(', ')}] } }
baseline: { path: model.onnx, outputs: { scores: scores }, classes: [${classes.join(', ')}], positive: ${classes[1]}${t}, inputs: { x: [${baseline.join(', ')}] } }
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
        // three runs in four, probabilities (a binary model's decisions need them); else any scores
        fc.constantFrom(true, true, true, false),
        async (width, threshold, rows, n, seed, probabilities) => {
          const classes = ['a', 'b', 'c'].slice(0, width === 1 ? 2 : width);
          const valid = (v: string) => (v === '' || Number(v) < 0 || Number(v) > 1 ? '0.5' : v);
          // a single score has a second column beside it, the baseline's
          const scoresOf = (scores: string[]) => (!probabilities ? scores.slice(0, Math.max(width, 2)) : width === 2 ? [valid(scores[0]!), String(1 - Number(valid(scores[0]!)))] : scores.slice(0, Math.max(width, 2)).map(valid));
          const lines = rows.map((r) => [...scoresOf(r.scores), classes[r.label % classes.length]].join(','));
          const header = [...Array.from({ length: Math.max(width, 2) }, (_, c) => `s${c}`), 'y'].join(',');
          const d = scenario({ 'model.onnx': identity(width), 'data.csv': [header, ...lines].join('\n') + '\n', 'checklist.yaml': checklistFor(width, threshold, width === 3 ? MULTICLASS_CHECKS : BINARY_CHECKS) });
          const loaded = loadChecklist(join(d, 'checklist.yaml'));
          const whole = json(await runChecklist(loaded, { now: NOW }));
          const states = await shardStates(loaded, n);
          for (const { state } of states) expect(state.passes.get('holdout')!.pass.counted?.by).toBe('decisions');
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
    expect(states.reduce((s, { state }) => s + state.passes.get('holdout')!.pass.counted!.weights.reduce((a, w) => a + w, 0), 0)).toBe(20_000);
    expect(await mergedReport(loaded, states, 1)).toBe(whole);
  }, 60_000);

  it('how a shard writes its rows: by decision, by scores (few distinct), or as they are', async () => {
    const base = checklistFor(2, undefined, 'checks:\n  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n');
    // ten distinct score pairs (a grid), or every row its own scores
    const grid = ['s0,s1,y', ...Array.from({ length: 40 }, (_, i) => `${(i % 10) / 10},${1 - (i % 10) / 10},${i % 2 ? 'b' : 'a'}`)].join('\n') + '\n';
    const continuous = ['s0,s1,y', ...Array.from({ length: 40 }, (_, i) => `${i / 40},${1 - i / 40},${i % 2 ? 'b' : 'a'}`)].join('\n') + '\n';
    const countedBy = async (extra: string, data = grid) => {
      const d = scenario({ 'model.onnx': identity(2), 'data.csv': data, 'checklist.yaml': base + extra });
      const [one] = await shardStates(loadChecklist(join(d, 'checklist.yaml')), 1);
      return one!.state.passes.get('holdout')!.pass.counted?.by ?? 'rows';
    };
    expect(await countedBy('')).toBe('decisions');
    expect(await countedBy('  - { id: specificity, type: metric, metric: specificity, min: 0.5, confidence: 0.9 }\n')).toBe('decisions');
    expect(await countedBy('  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n')).toBe('multiset');
    expect(await countedBy('  - { id: f1, type: metric, metric: f1, min: 0.5, confidence: 0.9 }\n')).toBe('multiset');
    expect(await countedBy('  - { id: precision, type: metric, metric: precision, min: 0.5, confidence: 0.9 }\n')).toBe('multiset');
    expect(await countedBy('  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n', continuous)).toBe('rows');
    expect(await countedBy('  - { id: outputs, type: outputs }\n')).toBe('decisions');
    expect(await countedBy('  - { id: outputs, type: outputs }\n  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n')).toBe('multiset');
    expect(await countedBy('  - { id: robust, type: robustness, perturbations: [{ kind: noise }], min_agreement: 0.5 }\n')).toBe('decisions');
    expect(await countedBy('  - { id: robust, type: robustness, perturbations: [{ kind: noise }], metric: roc_auc, max_drop: 0.1 }\n')).toBe('multiset');
  }, 60_000);
});

// the fixtures: real exports counted, and the reports of their checks
describe('counted states on a real export', () => {
  it('a random forest of four trees (few distinct scores): counted by scores, ROC AUC, log loss and a bootstrap interval, n = 1 … 4', async () => {
    const d = scenario({
      'checklist.yaml': `version: 1
model: { path: ${join(FIXTURES, 'breast-cancer-forest', 'model.onnx')}, task: binary, positive: M }
datasets: { holdout: { path: ${join(FIXTURES, 'breast-cancer', 'holdout.csv')}, label: diagnosis } }
checks:
  - { id: auc, type: metric, metric: roc_auc, min: 0.9, confidence: 0.95 }
  - { id: loss, type: metric, metric: log_loss, max: 0.5 }
  - { id: ap, type: metric, metric: average_precision, min: 0.9 }
`,
    });
    const loaded = loadChecklist(join(d, 'checklist.yaml'));
    const whole = json(await runChecklist(loaded, { now: NOW }));
    for (let n = 1; n <= 4; n++) {
      const states = await shardStates(loaded, n);
      // 171 rows; a row per distinct (label, score)
      const kept = states.map(({ state }) => state.passes.get('holdout')!.pass);
      if (n === 1) expect(kept[0]!.counted?.by).toBe('multiset');
      if (n === 1) expect(kept[0]!.rowRef.length).toBeLessThan(20);
      expect(await mergedReport(loaded, states, n)).toBe(whole);
    }
  }, 60_000);

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

  it('weights that do not add up to the file, a weight of 0', async () => {
    const { states } = await setUp();
    states[0]!.state.passes.get('holdout')!.pass.counted!.weights[0]! += 1;
    expect(() => combineStates(states)).toThrow(/dataset "holdout": the shards hold 61 rows, but data\.csv has 60/);
    const { text } = (await setUp()).states[0]!;
    const wire = JSON.parse(text) as { datasets: { holdout: { pass: { counted: { weights: string } } } } };
    const bytes = Buffer.from(wire.datasets.holdout.pass.counted.weights, 'base64');
    const weights = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    weights[0] = 0;
    wire.datasets.holdout.pass.counted.weights = Buffer.from(weights.buffer).toString('base64');
    const { sha256: _, ...body } = wire as unknown as Record<string, unknown>;
    const edited = stateText(body as unknown as Parameters<typeof stateText>[0]);
    expect(() => readState('s0.json', edited)).toThrow(/^s0\.json .*counted\.weights: a row that stands for no row/);
  }, 60_000);

  it('parts counted in two ways: by decision and by scores, or with and without the outputs check', async () => {
    const byScores = await setUp();
    byScores.states[1]!.state.passes.get('holdout')!.pass.counted!.by = 'multiset';
    expect(() => combineStates(byScores.states)).toThrow(/dataset "holdout": parts counted in 2 ways \(by decisions; by multiset\)/);
    const withOutputs = await setUp();
    withOutputs.states[0]!.state.passes.get('holdout')!.pass.counted!.outputs = [0.0001];
    expect(() => combineStates(withOutputs.states)).toThrow(/dataset "holdout": parts counted in 2 ways \(by decisions and the outputs check's problems at 0\.0001; by decisions\)/);
  }, 60_000);

  it('a merge whose checklist needs more than the shards counted: the scores, what an outputs check finds, a check they did not run', async () => {
    const mergeWith = async (check: string) => {
      const { d, states } = await setUp();
      writeFileSync(join(d, 'other.yaml'), readFileSync(join(d, 'checklist.yaml'), 'utf8') + check);
      const other = loadChecklist(join(d, 'other.yaml'));
      return runChecklist(other, { now: NOW, context: new RunContext(other, NOW, undefined, { merged: combineStates(states).merged }) });
    };
    await expect(mergeWith('  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n')).rejects.toThrow(/dataset "holdout": the shards counted rows by decision, and this checklist's checks need their scores/);
    await expect(mergeWith('  - { id: outputs, type: outputs }\n')).rejects.toThrow(/dataset "holdout": the shards counted rows without keeping apart what this checklist's outputs check finds in them/);
    await expect(mergeWith('  - { id: robust, type: robustness, perturbations: [{ kind: noise }], min_agreement: 0.5 }\n')).rejects.toThrow(/other\.yaml:\d+:\d+  check "robust": the shards' states hold no tally of this check/);
  }, 60_000);
});

// The outputs check: what it finds in each row (a NaN, a score outside [0, 1], probabilities that
// do not sum to 1 at each tolerance) and the model's label output are kept apart by the shards, and
// the first row of each problem is named as in the unsharded run.
describe('counted states for the outputs check: the same findings, the same rows named', () => {
  /** Scores that are the inputs x (`width` columns) and a label output that is the ArgMax of the inputs z: the data say both. */
  const withLabel = (width: number, choices: number) =>
    Buffer.from(
      model(
        [node('Identity', ['x'], ['scores']), node('ArgMax', ['z'], ['label'], [intAttr('axis', 1), intAttr('keepdims', 0)])],
        [valueInfo('x', FLOAT, ['N', width]), valueInfo('z', FLOAT, ['N', choices])],
        [valueInfo('scores', FLOAT, ['N', width]), valueInfo('label', INT64, ['N'])],
      ),
    );
  // off by a little (within 0.05, not 1e-4) or a lot
  const ROW_SCORES = ['0', '0.25', '0.5', '0.75', '1', '0.3', '0.7', '0.72', '0.26', '1.5', '-0.25', ''];

  it('any scores and label outputs, one to three columns, two tolerances, 1 to 5 shards: the unsharded report', async () => {
    let counted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 3),
        // decision metrics only (counted by decision), or ROC AUC / top-2 accuracy beside them (by scores)
        fc.boolean(),
        fc.array(fc.record({ scores: fc.array(fc.constantFrom(...ROW_SCORES), { minLength: 3, maxLength: 3 }), choice: fc.array(fc.nat(3), { minLength: 3, maxLength: 3 }), label: fc.nat(2) }), { minLength: 20, maxLength: 200 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        async (width, byScores, rows, n, seed) => {
          const C = width === 1 ? 2 : width;
          const classes = Array.from({ length: C }, (_, c) => String(c));
          const lines = rows.map((r) => [...r.scores.slice(0, width), ...r.choice.slice(0, C).map(String), classes[r.label % C]].join(','));
          const xs = Array.from({ length: width }, (_, c) => `s${c}`);
          const zs = Array.from({ length: C }, (_, c) => `t${c}`);
          const scoreMetric = C === 2 ? 'metric: roc_auc, min: 0.5' : 'metric: top_k_accuracy, k: 2, min: 0.5';
          const checklist = `version: 1
model: { path: model.onnx, outputs: { scores: scores, label: label }, classes: [${classes.join(', ')}], inputs: { x: [${xs.join(', ')}], z: [${zs.join(', ')}] } }
datasets: { holdout: { path: data.csv, label: y, missing: nan } }
checks:
  - { id: acc, type: metric, metric: accuracy, min: 0.5 }
  - { id: outputs, type: outputs }
  - { id: loose, type: outputs, sum_tolerance: 0.05, max_label_disagreement: 0.5 }
${byScores ? `  - { id: scored, type: metric, ${scoreMetric} }\n` : ''}`;
          const d = scenario({ 'model.onnx': withLabel(width, C), 'data.csv': [[...xs, ...zs, 'y'].join(','), ...lines].join('\n') + '\n', 'checklist.yaml': checklist });
          const loaded = loadChecklist(join(d, 'checklist.yaml'));
          const whole = json(await runChecklist(loaded, { now: NOW }));
          const states = await shardStates(loaded, n);
          for (const { state } of states) {
            const c = state.passes.get('holdout')!.pass.counted;
            if (!byScores) expect(c?.by).toBe('decisions');
            if (c) {
              counted++;
              expect(c.outputs).toEqual([0.0001, 0.05]);
            }
          }
          expect(await mergedReport(loaded, states, seed)).toBe(whole);
        },
      ),
      { numRuns: Number(process.env.SHARD_RUNS ?? 15), endOnFailure: true },
    );
    expect(counted).toBeGreaterThan(0);
  }, 300_000);

  it('a state of 20,000 rows holds a row per (label, decision, label output, problems), and the rows named', async () => {
    const random = mulberry32(11);
    const lines = Array.from({ length: 20_000 }, (_, i) => {
      const p = Math.round(random() * 100) / 100;
      // a sum off by 0.01 on some rows, a NaN on a few, a label output that disagrees on one row in 50
      const q = i % 101 === 9 ? 1.01 - p : 1 - p;
      const s = i % 4_001 === 33 ? ['', String(q)] : [String(p), String(q)];
      const agrees = p >= 0.5 ? '1,0' : '0,1';
      const choice = i % 50 === 3 ? (p >= 0.5 ? '0,1' : '1,0') : agrees;
      return `${s.join(',')},${choice},${random() < p ? 1 : 0}`;
    });
    const d = scenario({
      'model.onnx': withLabel(2, 2),
      'data.csv': ['s0,s1,t0,t1,y', ...lines].join('\n') + '\n',
      'checklist.yaml': `version: 1
model: { path: model.onnx, outputs: { scores: scores, label: label }, classes: [0, 1], inputs: { x: [s0, s1], z: [t0, t1] } }
datasets: { holdout: { path: data.csv, label: y, missing: nan } }
checks:
  - { id: outputs, type: outputs }
  - { id: acc, type: metric, metric: accuracy, min: 0.5 }
`,
    });
    const loaded = loadChecklist(join(d, 'checklist.yaml'));
    const whole = json(await runChecklist(loaded, { now: NOW }));
    expect(whole).toContain('rows have probabilities that do not sum to 1 (±0.0001) (first: line 11)');
    expect(whole).toMatch(/disagrees with the scores on 4\d\d of 20000 rows \(first: line 5: label 0, scores say 1\)/);
    const states = await shardStates(loaded, 4);
    for (const { text, state } of states) {
      const pass = state.passes.get('holdout')!.pass;
      expect(pass.counted?.by).toBe('decisions');
      // 2 labels × 2 decisions × 2 label outputs × (no problem, a sum off), a NaN group, the first 5 NaN rows and the first that is not a probability
      expect(pass.rowRef.length).toBeLessThanOrEqual(2 * 2 * 2 * 2 + 4 + 5 + 1);
      expect(text.length).toBeLessThan(6_000);
    }
    expect(await mergedReport(loaded, states, 3)).toBe(whole);
  }, 60_000);
});

// Robustness: each perturbed row carries its unperturbed decision (Pass.paired), so that the base
// pass and the perturbed passes may be counted apart and still be compared row by row.
describe('counted states for robustness: perturbed rows paired with their unperturbed decisions', () => {
  it('noise and missing values on scores that are the inputs, agreement and a metric drop, 1 to 5 shards: the unsharded report', async () => {
    let countedPerturbed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 3),
        fc.constantFrom(undefined, 0.5, 0.3),
        // the drop of a decision metric (counted by decision), of a ranking metric (by scores), or none
        fc.constantFrom('accuracy', 'roc_auc', undefined),
        fc.array(fc.record({ scores: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 3, maxLength: 3 }), label: fc.nat(2) }), { minLength: 20, maxLength: 200 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        async (width, threshold, metric, rows, n, seed) => {
          const C = width === 1 ? 2 : width;
          const classes = ['a', 'b', 'c'].slice(0, C);
          // scores on a grid of eighths (the binary single score's second column is the baseline's)
          const lines = rows.map((r) => [...r.scores.slice(0, Math.max(width, 2)).map((v) => String(v / 8)), classes[r.label % C]].join(','));
          const header = [...Array.from({ length: Math.max(width, 2) }, (_, c) => `s${c}`), 'y'].join(',');
          const drop = metric === undefined || (metric === 'roc_auc' && C !== 2) ? '' : `, metric: ${metric}, max_drop: 0.2`;
          const checks = `checks:
  - { id: acc, type: metric, metric: accuracy, min: 0.3 }
  - { id: robust, type: robustness, perturbations: [{ kind: noise, scale: 0.5 }, { kind: missing, rate: 0.2 }], seed: 3, min_agreement: 0.5${drop} }
`;
          const d = scenario({ 'model.onnx': identity(width), 'data.csv': [header, ...lines].join('\n') + '\n', 'checklist.yaml': checklistFor(width, threshold, checks).replace(/^baseline:.*\n/m, '') });
          const loaded = loadChecklist(join(d, 'checklist.yaml'));
          const whole = json(await runChecklist(loaded, { now: NOW }));
          const states = await shardStates(loaded, n);
          for (const { state } of states) {
            const tally = state.tallies['robust']!.value as { passes: ({ counted?: { by: string }; paired?: string } | null)[] };
            for (const p of tally.passes) {
              expect(p?.paired).toBeDefined();
              if (p?.counted) countedPerturbed++;
            }
          }
          expect(await mergedReport(loaded, states, seed)).toBe(whole);
        },
      ),
      { numRuns: Number(process.env.SHARD_RUNS ?? 15), endOnFailure: true },
    );
    expect(countedPerturbed).toBeGreaterThan(0);
  }, 300_000);
});

// By scores: every metric (ranking, probabilities, regression), bootstrap intervals, a paired
// comparison; scores on a grid, so that shards count them (or keep their rows, when their part has
// too many distinct scores: both in one merge).
describe('counted by scores: the same report for every metric, with bootstrap intervals, slices and fairness', () => {
  const CLASSIFICATION = `checks:
  - { id: auc, type: metric, metric: roc_auc, min: 0.5, confidence: 0.9, resamples: 200 }
  - { id: acc, type: metric, metric: accuracy, min: 0.5, confidence: 0.9 }
  - { id: f1, type: metric, metric: f1, average: macro, min: 0.3, confidence: 0.9, resamples: 200 }
  - { id: loss, type: metric, metric: log_loss, max: 1, compare: { to: baseline, max_regression: 0.1 }, confidence: 0.8, resamples: 200 }
`;
  const BINARY = `${CLASSIFICATION}  - { id: ap, type: metric, metric: average_precision, min: 0.5 }
  - { id: brier, type: metric, metric: brier, max: 0.3, confidence: 0.9, resamples: 200 }
  - { id: ece, type: metric, metric: ece, max: 0.2, n_bins: 5 }
  - { id: sites, type: slices, metric: accuracy, by: [site, [site, age]], min: 0.3, min_rows: 3 }
  - { id: ages, type: slices, metric: roc_auc, bins: { age: [0.5] }, min: 0.3, min_rows: 3 }
  - { id: weak, type: slices, metric: accuracy, search: { columns: [site, age] }, min: 0.3 }
  - { id: fair, type: fairness, sensitive: site, max_demographic_parity_difference: 0.5, max_equalized_odds_difference: 0.6, min_group_rows: 5, resamples: 200 }
  - { id: fair2, type: fairness, sensitive: [site, age], max_equal_opportunity_difference: 0.6, min_group_rows: 3, resamples: 200 }
  - { id: drift, type: drift, reference: reference, current: holdout, predictions: true, columns: [age, site] }
`;
  const MULTICLASS = `${CLASSIFICATION}  - { id: top2, type: metric, metric: top_k_accuracy, k: 2, min: 0.5 }
  - { id: drift, type: drift, reference: reference, current: holdout, predictions: true, columns: [age] }
`;
  const REGRESSION = `checks:
  - { id: mae, type: metric, metric: mae, max: 1, confidence: 0.9, resamples: 200 }
  - { id: mse, type: metric, metric: mse, max: 1, compare: { to: baseline, max_regression: 0.1 } }
  - { id: rmse, type: metric, metric: rmse, max: 1 }
  - { id: r2, type: metric, metric: r2, min: 0, confidence: 0.8, resamples: 200 }
  - { id: mape, type: metric, metric: mape, max: 1 }
  - { id: median, type: metric, metric: median_ae, max: 1 }
  - { id: max, type: metric, metric: max_error, max: 2 }
  - { id: ev, type: metric, metric: explained_variance, min: 0 }
  - { id: drift, type: drift, reference: reference, current: holdout, predictions: true, columns: [age] }
`;
  // a probability row on a grid (width 1: the positive class's), now and then one that is not
  const gridRow = (width: number) =>
    width === 1
      ? fc.integer({ min: 0, max: 4 }).map((a) => [String(a / 4)])
      : width === 2
        ? fc.integer({ min: 0, max: 4 }).map((a) => [String(a / 4), String(1 - a / 4)])
        : fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })).filter(([a, b]) => a + b <= 4).map(([a, b]) => [String(a / 4), String(b / 4), String((4 - a - b) / 4)]);
  let countedParts = 0;
  let countedWithColumns = 0;

  it('any grid of scores, any number of shards, any order: the unsharded report', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2, 3).chain((width) =>
          fc.tuple(
            fc.constant(width),
            fc.array(fc.tuple(width === 0 ? fc.integer({ min: 0, max: 4 }).map((p) => [String(p / 2)]) : gridRow(width), fc.nat(4), fc.boolean(), fc.constantFrom('north', 'south', ''), fc.nat(1)), { minLength: 60, maxLength: 600 }),
          ),
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        // one run in five has a row that is not a probability (then the metrics that need them are refused, the same way)
        fc.integer({ min: 0, max: 4 }).map((k) => k === 0),
        async ([width, rows], n, seed, oddRun) => {
          const regression = width === 0;
          const w = regression ? 1 : width;
          const classes = ['a', 'b', 'c'].slice(0, w === 1 ? 2 : w);
          // one row in fifty out of [0, 1] (the report names the first); the label a class, or a value
          // a category (or none) and a number beside each row, for the slices and the groups
          // a single score has a second column beside it, the baseline's (the same rows ranked the other way)
          const withBaseline = (scores: string[]) => (w === 1 && !regression ? [...scores, String(1 - Number(scores[0]))] : scores);
          const lines = rows.map(([scores, label, odd, site, age], i) => [...withBaseline(oddRun && odd && i % 50 === 7 && !regression ? ['1.5', ...scores.slice(1)] : scores), regression ? String(label / 2) : classes[label % classes.length], site, age].join(','));
          const header = [...Array.from({ length: w === 1 && !regression ? 2 : w }, (_, c) => `s${c}`), 'y', 'site', 'age'].join(',');
          const checklist = regression
            ? `version: 1
model: { path: model.onnx, task: regression, outputs: { scores: scores }, inputs: { x: [s0] } }
baseline: { path: model.onnx, task: regression, outputs: { scores: scores }, inputs: { x: [s0] } }
datasets: { holdout: { path: data.csv, label: y } }
${REGRESSION}`
            : checklistFor(w, undefined, w === 3 ? MULTICLASS : BINARY);
          // the reference of prediction drift: every third row
          const withReference = checklist.replace(/^datasets: \{ holdout: \{ ([^}]*) \} \}$/m, 'datasets: { holdout: { $1 }, reference: { path: reference.csv, label: y } }');
          const d = scenario({ 'model.onnx': identity(w), 'data.csv': [header, ...lines].join('\n') + '\n', 'reference.csv': [header, ...lines.filter((_, i) => i % 3 === 0)].join('\n') + '\n', 'checklist.yaml': withReference });
          const loaded = loadChecklist(join(d, 'checklist.yaml'));
          const whole = json(await runChecklist(loaded, { now: NOW }));
          const states = await shardStates(loaded, n);
          for (const { state } of states) {
            const by = state.passes.get('holdout')!.pass.counted?.by;
            expect(by === undefined || by === 'multiset').toBe(true);
            if (by) countedParts++;
            if (by && state.passes.get('holdout')!.pass.kept.length) countedWithColumns++;
          }
          expect(await mergedReport(loaded, states, seed)).toBe(whole);
        },
      ),
      { numRuns: Number(process.env.SHARD_RUNS ?? 15), endOnFailure: true },
    );
    // the property is about counted states: most parts were counted
    expect(countedParts).toBeGreaterThan(0);
    expect(countedWithColumns).toBeGreaterThan(0);
  }, 300_000);
});
