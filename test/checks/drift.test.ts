import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { ROOT, scenario } from '../helpers.js';

type Column = { column: string; method: string; drifted: boolean; p_value?: number; p_value_adjusted?: number; distance?: number };
const columnsOf = (c: { details?: Record<string, unknown> }) => c.details!.columns as Column[];

describe('drift', () => {
  it('finds the real drift in Seattle weather between 2012 and 2015, most drifted first, and none in a random split', async () => {
    const report = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'drift.yaml')));
    const [weather, bc] = report.checks;
    expect(weather!.status).toBe('warn');
    expect(columnsOf(weather!).map((c) => [c.column, c.method, c.drifted])).toEqual([
      ['weather', 'chisquare', true],
      ['temp_max', 'ks', true],
      ['temp_min', 'ks', true],
      ['precipitation', 'ks', false],
      ['wind', 'ks', false],
    ]);
    expect(weather!.findings[0]!.message).toBe('3 of 5 columns drifted (60%; 50% or more is dataset drift): weather, temp_max, temp_min');
    expect(bc!.status).toBe('pass');
    expect(columnsOf(bc!)).toHaveLength(30);
    // every dataset read is evidence, whichever check read it
    expect(report.inputs.map((i) => [i.path, i.rows])).toEqual([
      ['../fixtures/breast-cancer/holdout.csv', 171],
      ['../fixtures/breast-cancer/train.csv', 398],
      ['../fixtures/seattle-weather/2012.csv', 366],
      ['../fixtures/seattle-weather/2015.csv', 365],
    ]);
    expect(columnsOf(bc!).every((c) => !c.drifted)).toBe(true);
  });

  async function drift(options: string, ref: string, cur: string) {
    const dir = scenario({ 'r.csv': ref, 'c.csv': cur, 'k.yaml': `version: 1\nmodel: { path: model.onnx }\ndatasets:\n  r: { path: r.csv }\n  c: { path: c.csv }\nchecks:\n  - type: drift\n    reference: r\n    current: c\n${options}` });
    return (await runChecklist(loadChecklist(join(dir, 'k.yaml')))).checks[0]!;
  }
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

  it('a category the reference never had is drift on its own, however rare', async () => {
    // 2,000 rows of a and b; the current data adds one row of "c": far too rare to move a chi-square test
    const ref = `k,x\n${rows(2000, (i) => `${i % 2 ? 'a' : 'b'},${i % 7}`)}\n`;
    const cur = `k,x\n${rows(1999, (i) => `${i % 2 ? 'a' : 'b'},${i % 7}`)}\nc,3\n`;
    const c = await drift('    drift_share: 1\n', ref, cur);
    expect(c.status).toBe('fail');
    const k = columnsOf(c).find((col) => col.column === 'k')!;
    expect(k.drifted).toBe(true);
    expect(c.findings.map((f) => f.message)).toEqual(['column "k" has 1 value the reference never had ("c": 1 row; 1 row in all)']);
    expect(columnsOf(c).find((col) => col.column === 'x')!.drifted).toBe(false);
  });

  it('corrects p-values for the number of columns (Bonferroni) and can require an effect size', async () => {
    const ref = `x,y\n${rows(200, (i) => `${i % 50},${(i * 7) % 13}`)}\n`;
    const cur = `x,y\n${rows(200, (i) => `${(i % 50) + 15},${(i * 7) % 13}`)}\n`;
    const none = await drift('    correction: none\n', ref, cur);
    const bonf = await drift('    correction: bonferroni\n', ref, cur);
    const x = (c: typeof none) => columnsOf(c).find((k) => k.column === 'x')!;
    expect(x(bonf).p_value_adjusted).toBeCloseTo(Math.min(1, x(none).p_value! * 2), 12);
    expect(x(none).drifted).toBe(true);
    const effect = await drift('    correction: none\n    min_effect: 0.5\n', ref, cur);
    expect(x(effect).drifted).toBe(false);
  });

  it('counts categories never seen in the reference as drift, and takes a method and threshold per column', async () => {
    const ref = `colour,size\n${rows(300, (i) => `${['red', 'blue'][i % 2]},${i % 100}`)}\n`;
    const cur = `colour,size\n${rows(300, (i) => `${['red', 'blue', 'green'][i % 3]},${i % 100}`)}\n`;
    const c = await drift('    per_column: { size: { method: psi, threshold: 0.2 }, colour: { method: jensenshannon } }\n', ref, cur);
    const cols = columnsOf(c);
    expect(cols.find((k) => k.column === 'colour')).toMatchObject({ method: 'jensenshannon', drifted: true });
    expect(cols.find((k) => k.column === 'size')).toMatchObject({ method: 'psi', drifted: false });
    expect(cols[0]!.column).toBe('colour');
  });

  it('chooses distances for large samples (auto, as Evidently)', async () => {
    const ref = `v,k\n${rows(1500, (i) => `${i % 97},${i % 3}`)}\n`;
    const cur = `v,k\n${rows(1500, (i) => `${(i % 97) * 1.5},${i % 3}`)}\n`;
    const cols = columnsOf(await drift('', ref, cur));
    expect(cols.find((k) => k.column === 'v')!.method).toBe('wasserstein');
    expect(cols.find((k) => k.column === 'k')!.method).toBe('wasserstein');
  });
});

describe('drift: nothing compared is not a pass', () => {
  it('fails when the datasets share no column', async () => {
    const dir = scenario({ 'r.csv': 'a\n1\n2\n', 'c.csv': 'b\n1\n2\n', 'k.yaml': 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  r: { path: r.csv }\n  c: { path: c.csv }\nchecks:\n  - { type: drift, reference: r, current: c }\n' });
    const c = (await runChecklist(loadChecklist(join(dir, 'k.yaml')))).checks[0]!;
    expect(c.status).toBe('fail');
    expect(c.findings.map((f) => f.code)).toEqual(['no-columns']);
  });
});
