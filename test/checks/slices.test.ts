import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { FIXTURES, scenario } from '../helpers.js';
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
