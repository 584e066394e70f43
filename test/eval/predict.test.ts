import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { RunContext, type ModelRole } from '../../src/checks/context.js';
import { openDataset, openDatasetPath } from '../../src/eval/datasets/index.js';
import type { DatasetSource } from '../../src/eval/datasets/types.js';
import { Growable, Labels, planRead, readPass } from '../../src/eval/predict.js';
import { FIXTURES, ROOT, scenario } from '../helpers.js';

async function evaluation(checklist: string, role: ModelRole = 'model') {
  const ctx = new RunContext(loadChecklist(join(ROOT, checklist)), new Date());
  ctx.plan({ dataset: undefined, models: role === 'baseline' ? ['model', 'baseline'] : ['model'] });
  return { ev: await ctx.evaluation(role, undefined), ctx };
}

const json = (p: string) => JSON.parse(readFileSync(join(FIXTURES, p), 'utf8'));

describe('predictions through onnxruntime-node agree with scikit-learn', () => {
  const cases: [string, string, ModelRole, string, string][] = [
    ['breast cancer (CSV, string labels)', 'checklists/example.yaml', 'model', 'breast-cancer/sklearn-model.json', 'breast-cancer.predictions.json'],
    ['breast cancer baseline', 'checklists/example.yaml', 'baseline', 'breast-cancer/sklearn-baseline.json', 'breast-cancer-baseline.predictions.json'],
    ['wine (ZipMap, int64 labels)', 'checklists/wine.yaml', 'model', 'wine/sklearn-model.json', 'wine.predictions.json'],
    ['penguins (JSON Lines, one string or float input per column)', 'checklists/penguins.yaml', 'model', 'penguins/sklearn-model.json', 'penguins.predictions.json'],
    ['diabetes (regression)', 'checklists/diabetes.yaml', 'model', 'diabetes/sklearn-model.json', 'diabetes.predictions.json'],
  ];
  it.each(cases)('%s', async (_name, checklist, role, sklearnFile, dumped) => {
    const { ev } = await evaluation(checklist, role);
    const ref = json(sklearnFile) as { classes: (string | number)[] | null; predictions: number[] | number[][] };
    const expected = ref.predictions.flat();
    expect(ev.scores.length).toBe(expected.length);
    // float32 inside the model against scikit-learn's float64
    const tolerance = ev.task === 'regression' ? 1e-3 : 1e-5;
    for (let i = 0; i < expected.length; i++) expect(Math.abs(ev.scores[i]! - expected[i]!)).toBeLessThan(tolerance);
    if (ref.classes) expect(ev.classes).toEqual(ref.classes.map(String));
    // and exactly the predictions the expected metrics were computed on
    const d = json(join('expected', dumped));
    expect(Array.from(ev.scores)).toEqual(d.scores);
    expect(Array.from(ev.truth)).toEqual(d.truth);
  });

  it("a row's scores do not depend on the batch it falls in: a dataset of one row scores it as the whole file does", async () => {
    // onnxruntime's linear operators round a batch of one row differently (another code path): a
    // shard, or the last batch of a file, can hold one row
    const [header, ...rows] = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8').trim().split('\n');
    const whole = (await evaluation('checklists/example.yaml', 'baseline')).ev;
    const d = scenario({ 'one.csv': `${header}\n${rows[17]}\n`, 'checklist.yaml': `version: 1\nmodel: { path: model.onnx, outputs: { scores: probabilities, label: label }, classes: [B, M], positive: M }\nbaseline: { path: baseline.onnx }\ndatasets: { holdout: { path: one.csv, label: diagnosis } }\nchecks:\n  - { type: outputs }\n` });
    const ctx = new RunContext(loadChecklist(join(d, 'checklist.yaml')), new Date());
    ctx.plan({ dataset: undefined, models: ['model', 'baseline'] });
    for (const role of ['model', 'baseline'] as const) {
      const one = await ctx.evaluation(role, undefined);
      const all = role === 'model' ? (await evaluation('checklists/example.yaml')).ev : whole;
      expect(one.n).toBe(1);
      expect(Array.from(one.scores)).toEqual(Array.from(all.scores.subarray(17 * 2, 18 * 2)));
      expect(Array.from(one.labelOutput ?? [])).toEqual(Array.from(all.labelOutput?.subarray(17, 18) ?? []));
    }
  });

  it('reports where the classes came from', async () => {
    expect((await evaluation('checklists/wine.yaml')).ev.classSource).toBe('model');
    expect((await evaluation('checklists/example.yaml')).ev.classSource).toBe('model');
  });
});

describe('Growable: per-row arrays without a copy at every doubling', () => {
  it('reserved from an estimate, filled in place, given back as a view of the same memory', () => {
    const g = new Growable(Float32Array);
    g.reserve(100_000);
    for (let i = 0; i < 99_000; i++) g.push(i / 7);
    const out = g.done();
    expect(out.length).toBe(99_000);
    expect(out.buffer.byteLength).toBe(400_000); // 1% unused: the reserved memory itself, no copy
    expect(out[98_999]).toBe(Math.fround(98_999 / 7));
  });
  it('an estimate far too high is given back: an exact copy', () => {
    const g = new Growable(Int32Array);
    g.reserve(1_000_000);
    for (let i = 0; i < 10_000; i++) g.push(i);
    const out = g.done();
    expect(out.buffer.byteLength).toBe(40_000);
    expect(Array.from(out.subarray(9_998))).toEqual([9_998, 9_999]);
    g.push(10_000); // and it grows again after
    expect(g.done()[10_000]).toBe(10_000);
  });
  it('asked for its values early, it gives them back and goes on growing without losing a value', () => {
    const g = new Growable(Int32Array);
    g.reserve(50_000);
    g.push(1);
    expect(Array.from(g.done())).toEqual([1]);
    for (let i = 2; i <= 5000; i++) g.push(i);
    const out = g.done();
    expect(out.length).toBe(5000);
    expect(out.reduce((a, b) => a + b, 0)).toBe((5000 * 5001) / 2);
  });
  it('batches written in their rows’ places, in any order of arrival', () => {
    const g = new Growable(Float64Array);
    g.write(4, [4, 5]);
    g.write(0, [0, 1, 2, 3]);
    g.write(6, [6]);
    expect(Array.from(g.done())).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('labels: one byte a row up to 256 distinct labels, four beyond', () => {
  const batch = (labels: string[]) => ({ n: labels.length, cells: [labels], unit: 'line' as const, refs: labels.map((_, i) => i + 2) });
  it('codes in first-seen order; the 257th distinct label widens the codes without changing one', () => {
    const labels = new Labels('d.csv', 'y', false, false);
    const names = Array.from({ length: 300 }, (_, i) => `class ${i}`);
    // each label twice, the second time after every other label has been seen once
    labels.add(batch(names.slice(0, 256)), names.slice(0, 256));
    expect(labels.keys.done()).toBeInstanceOf(Uint8Array);
    labels.add(batch([...names.slice(256), ...names]), [...names.slice(256), ...names]);
    const keys = labels.keys.done();
    expect(keys).toBeInstanceOf(Int32Array);
    expect(Array.from(keys)).toEqual([...names.keys(), ...names.keys()]);
    expect([...labels.dictionary.keys()]).toEqual(names);
  });
  it('numbers parsed by the reader are coded by value, in one byte', () => {
    const labels = new Labels('d.csv', 'y', false, true);
    labels.add(batch(['1', '0', '1']), { numbers: Float64Array.of(1, 0, 1), other: new Map() });
    expect(labels.keys.done()).toEqual(Uint8Array.of(0, 1, 0));
    expect([...labels.dictionary.keys()]).toEqual(['1', '0']);
  });
  it('a batch of small whole labels all seen before is coded at once, as a row at a time would code it', () => {
    // numbers of the reader's kind: the batch's arrays are longer than its rows (reused), other cells by row
    const numbers = (values: number[], other: [number, string][] = []) => ({ numbers: Float64Array.from([...values, 7, 7, 7]), other: new Map(other) });
    const rows = [
      [3, 1, 3], // first seen: 3, 1
      [1, 1, 3, 3, 1], // all seen: at once
      [1, 4, 3], // a new label in the middle
      [4, 3, 1, 1],
      [2.5, 1], // not whole
      [-1, 3], // negative
      [300, 1, 3], // not small
      [1, 3, 300, 4],
      [3, 1, 0], // its last cell is not a number (below), the rest seen
    ];
    const labels = new Labels('d.csv', 'y', false, true);
    const keys: string[] = [];
    rows.forEach((values, b) => {
      const other: [number, string][] = b === rows.length - 1 ? [[2, 'zero']] : [];
      labels.add(batch(values.map(String)), numbers(values, other));
      values.forEach((v, i) => keys.push(other.find(([r]) => r === i)?.[1] ?? String(v)));
    });
    // codes in first-seen order of the labels as written
    const seen = [...new Set(keys)];
    expect(seen).toEqual(['3', '1', '4', '2.5', '-1', '300', 'zero']);
    expect([...labels.dictionary.keys()]).toEqual(seen);
    expect(Array.from(labels.keys.done())).toEqual(keys.map((k) => seen.indexOf(k)));
  });
});

describe("a model's float32 input parsed straight into the rows it is sent (the reader's matrix)", () => {
  const [header, ...rows] = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8').trim().split('\n');
  // a missing value (NaN: `missing: nan`), a quoted number (the record path), an exponent (read by scanNumber), a last row alone
  const edited = rows.map((r, i) => (i === 3 ? r.replace(/^[^,]*/, '') : i === 7 ? r.replace(/^([^,]*),/, '"$1",') : i === 9 ? r.replace(/^[^,]*/, '1.25e1') : r));
  const csv = `${header}\n${edited.join('\n')}\n`;

  /** One pass of the fixture model; `inputStats` (which reads the input columns) keeps the matrix from being asked for; `drop` loses it on the way. */
  async function pass(text: string, options: { inputStats?: boolean; drop?: boolean; open?: () => Promise<DatasetSource> } = {}, modelPath = 'model.onnx', label = 'diagnosis') {
    const dir = scenario({ 'd.csv': text, 'checklist.yaml': `version: 1\nmodel: { path: ${modelPath} }\ndatasets: { holdout: { path: d.csv, label: ${label}, missing: nan } }\nchecks:\n  - { type: outputs }\n` });
    const ctx = new RunContext(loadChecklist(join(dir, 'checklist.yaml')), new Date());
    const model = await ctx.underTest('model');
    const source = await (options.open ?? (() => openDataset(join(dir, 'd.csv'), 'd.csv')))();
    const spec = { ...ctx.checklist.checklist.datasets!.holdout!, name: 'holdout' };
    const plan = planRead(source, spec, [model], []);
    const seen = { asked: false, given: 0, batches: 0 };
    const watched: DatasetSource = {
      ...source,
      async *batches(want, size, o) {
        seen.asked ||= o?.matrix !== undefined;
        for await (const b of source.batches(want, size, o)) {
          seen.batches++;
          if (b.matrix) seen.given++;
          yield options.drop ? { ...b, matrix: undefined } : b;
        }
      },
    };
    const p = await readPass(watched, spec, plan, [model], { inputStats: options.inputStats ?? false });
    return { scores: p.outputs[0]!.scores.flatMap((s) => Array.from(s)), seen };
  }

  it('gives the scores the columns give, to the last bit: a missing value, a quoted number, an exponent', async () => {
    const matrix = await pass(csv);
    const columns = await pass(csv, { inputStats: true });
    expect(matrix.seen).toEqual({ asked: true, given: matrix.seen.batches, batches: 1 });
    expect(columns.seen).toEqual({ asked: false, given: 0, batches: 1 });
    expect(matrix.scores).toHaveLength(rows.length * 2);
    expect(matrix.scores).toEqual(columns.scores);
    // the missing value reached the model as NaN
    expect(matrix.scores.slice(6, 8).every(Number.isNaN)).toBe(true);
    expect(matrix.scores.filter(Number.isNaN)).toHaveLength(2);
  });

  it('a model with an input a column (penguins: four float inputs, two of text): the first float input through the matrix, the others through the columns, the same scores', async () => {
    const text = readFileSync(join(FIXTURES, 'penguins', 'train.csv'), 'utf8');
    const model = join(FIXTURES, 'penguins', 'model.onnx');
    const matrix = await pass(text, {}, model, 'species');
    const columns = await pass(text, { inputStats: true }, model, 'species');
    expect(matrix.seen.given).toBe(matrix.seen.batches);
    expect(columns.seen.given).toBe(0);
    expect(matrix.scores.length).toBeGreaterThan(200);
    expect(matrix.scores).toEqual(columns.scores);
  });

  it("a dataset of several files (a glob of CSV parts): each file's matrix, the same scores as the one file", async () => {
    const parts = () => openDatasetPath(join(FIXTURES, 'breast-cancer', 'parts'), 'holdout-*.csv', (p) => p);
    const matrix = await pass('', { open: parts });
    const columns = await pass('', { open: parts, inputStats: true });
    const whole = await pass(readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8'));
    expect(matrix.seen).toEqual({ asked: true, given: 3, batches: 3 });
    expect(matrix.scores).toEqual(columns.scores);
    expect(matrix.scores).toEqual(whole.scores);
  });

    it('a batch of one row, sent twice, through the matrix', async () => {
    const whole = await pass(csv);
    const one = await pass(`${header}\n${edited[9]}\n`);
    expect(one.seen.given).toBe(1);
    expect(one.scores).toEqual(whole.scores.slice(18, 20));
  });

  it('a matrix lost on the way (a reader wrapped in one that remade its batches) is an error, never numbers made up', async () => {
    await expect(pass(csv, { drop: true })).rejects.toThrow('column "mean_radius" came without its numbers');
  });
});
