import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { cli, FIXTURES, ROOT, scenario } from '../helpers.js';
import { runChecklist } from '../../src/run/runner.js';

describe('slices', () => {
  async function penguins(check: string) {
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'penguins', 'model.onnx'), join(dir, 'p.onnx'));
    copyFileSync(join(FIXTURES, 'penguins', 'holdout.jsonl'), join(dir, 'h.jsonl'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: p.onnx\ndatasets:\n  holdout: { path: h.jsonl, label: species }\nchecks:\n${check}`);
    return (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
  }
  const slicesOf = (c: { details?: Record<string, unknown> }) => (c.details!.slices as { column: string; value: string; n: number; metric: number | null; status: string }[]);

  it('computes the metric per value, worst first; small slices are reported, not gated', async () => {
    const c = await penguins('  - type: slices\n    metric: accuracy\n    by: [island]\n    min: 0.9\n');
    expect(c.status).toBe('pass');
    const s = slicesOf(c);
    expect(s.map((x) => [x.value, x.n, x.status])).toEqual([['Dream', 47, 'pass'], ['Biscoe', 69, 'pass'], ['Torgersen', 18, 'too_small']]);
    expect(s[0]!.metric).toBeCloseTo(45 / 47, 12);
    expect(s[1]!.metric).toBe(1);
  });

  it('fails a slice below the minimum and a gap above max_gap', async () => {
    const c = await penguins('  - type: slices\n    metric: accuracy\n    by: [island, sex]\n    min: 0.97\n    max_gap: 0.02\n    min_rows: 10\n');
    expect(c.status).toBe('fail');
    const failed = c.measurements.filter((m) => m.passed === false).map((m) => m.name);
    expect(failed).toEqual(['accuracy [island = Dream] (n = 47)', 'accuracy gap to the worst slice (island = Dream)']);
  });

  it('bins numeric columns by the given edges', async () => {
    const c = await penguins('  - type: slices\n    metric: accuracy\n    bins: { body_mass_g: [3500, 4500] }\n    min: 0.5\n    min_rows: 1\n');
    expect(slicesOf(c).map((x) => x.value).sort()).toEqual(['3500–4500', '< 3500', '≥ 4500']);
    expect(slicesOf(c).reduce((n, x) => n + x.n, 0)).toBe(134);
  });
});

describe('slices by pairs of columns, and the search for weak slices', () => {
  it('by: [[island, sex]]: one slice per combination present, its accuracy from the predictions', async () => {
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'penguins', 'model.onnx'), join(dir, 'p.onnx'));
    copyFileSync(join(FIXTURES, 'penguins', 'holdout.jsonl'), join(dir, 'h.jsonl'));
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel:\n  path: p.onnx\ndatasets:\n  holdout: { path: h.jsonl, label: species }\nchecks:\n  - type: slices\n    metric: accuracy\n    by: [[island, sex]]\n    min: 0.5\n    min_rows: 1\n');
    const c = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
    // the same slices counted from the file and deploy-check's dumped predictions
    const rows = readFileSync(join(FIXTURES, 'penguins', 'holdout.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { island: string; sex: string | null });
    const pred = JSON.parse(readFileSync(join(FIXTURES, 'expected', 'penguins.predictions.json'), 'utf8')) as { truth: number[]; predicted: number[] };
    const want = new Map<string, { n: number; right: number }>();
    rows.forEach((r, i) => {
      const key = `${r.island} × ${r.sex ?? '(missing)'}`;
      const w = want.get(key) ?? { n: 0, right: 0 };
      w.n++;
      if (pred.truth[i] === pred.predicted[i]) w.right++;
      want.set(key, w);
    });
    const got = (c.details as { slices: { column: string; value: string; n: number; metric: number }[] }).slices;
    expect(got.every((s) => s.column === 'island × sex')).toBe(true);
    expect(new Map(got.map((s) => [s.value, s.n]))).toEqual(new Map([...want].map(([k, w]) => [k, w.n])));
    for (const s of got) expect(s.metric, s.value).toBe(want.get(s.value)!.right / want.get(s.value)!.n);
  });

  it('search: every level and pair tested against the rest, Benjamini-Hochberg, as numpy and scipy compute it', async () => {
    const ref = JSON.parse(readFileSync(join(FIXTURES, 'expected', 'slice-search.json'), 'utf8')) as {
      min_rows: number; columns: string[]; edges: Record<string, number[]>;
      slices: { columns: string[]; bins: number[]; n: number; accuracy: number; p: number; p_adjusted: number }[];
    };
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'pytorch-weather', 'softmax.onnx'), join(dir, 'm.onnx'));
    copyFileSync(join(FIXTURES, 'pytorch-weather', 'holdout.csv'), join(dir, 'h.csv'));
    writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: m.onnx\n  classes: [rain, sun, fog, drizzle, snow]\n  inputs: { x: [precipitation, temp_max, temp_min, wind] }\ndatasets:\n  holdout: { path: h.csv, label: weather }\nchecks:\n  - type: slices\n    metric: accuracy\n    search: { columns: [${ref.columns.join(', ')}], top: 100 }\n    min_rows: ${ref.min_rows}\n    min: 0\n`);
    const c = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
    const search = (c.details as { search: { tested: number; discoveries: number; slices: { column: string; value: string; n: number; metric: number; p_value: number; p_adjusted: number }[] } }).search;
    expect(search.tested).toBe(ref.slices.length);
    const label = (col: string, b: number) => {
      const e = ref.edges[col]!;
      return b === 0 ? `< ${e[0]}` : b === e.length ? `≥ ${e[e.length - 1]}` : `${e[b - 1]}–${e[b]}`;
    };
    const found = ref.slices.filter((s) => s.p_adjusted <= 0.05);
    expect(search.discoveries).toBe(found.length);
    expect(found.length).toBeGreaterThan(3);
    for (const s of found) {
      const got = search.slices.find((x) => x.column === s.columns.join(' × ') && x.value === s.bins.map((b, k) => label(s.columns[k]!, b)).join(' × '))!;
      expect(got, `${s.columns} ${s.bins}`).toBeDefined();
      expect(got.n).toBe(s.n);
      expect(got.metric).toBeCloseTo(s.accuracy, 14);
      expect(got.p_value / s.p).toBeCloseTo(1, 9);
      expect(got.p_adjusted / s.p_adjusted).toBeCloseTo(1, 9);
    }
    // worst first
    expect(search.slices.map((s) => s.metric)).toEqual([...search.slices.map((s) => s.metric)].sort((a, b) => a - b));
  });

  it('the example fails on the dry, calm days; a metric that is not a proportion cannot be searched (exit 2)', () => {
    const r = cli(['run', 'checklists/weak-slices.yaml'], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/accuracy \[precipitation × wind = 0–1\.8 × < 2\.3\] \(n = 77, found by the search\) 0\.6623 \[0\.5512, 0\.758\] \(required ≥ 0\.7\)/);
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'pytorch-weather', 'softmax.onnx'), join(dir, 'm.onnx'));
    copyFileSync(join(FIXTURES, 'pytorch-weather', 'holdout.csv'), join(dir, 'h.csv'));
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel:\n  path: m.onnx\n  classes: [rain, sun, fog, drizzle, snow]\n  inputs: { x: [precipitation, temp_max, temp_min, wind] }\ndatasets:\n  holdout: { path: h.csv, label: weather }\nchecks:\n  - type: slices\n    metric: log_loss\n    search: { columns: [wind] }\n    max_gap: 1\n');
    const bad = cli(['run', join(dir, 'c.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/search needs a metric that is a proportion of rows \(accuracy; binary precision, recall or specificity\), not log_loss/);
  });
});
