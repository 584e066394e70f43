import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { delong } from '../../src/eval/metrics/delong.js';
import type { LeakageDetails } from '../../src/report/details.js';
import { runChecklist } from '../../src/run/runner.js';
import { cli, FIXTURES, ROOT, scenario } from '../helpers.js';

/** fixtures/generate-leakage.py: scikit-learn's roc_auc_score, DeLong's variance from its definition (numpy), scipy's pearsonr interval */
const expected = JSON.parse(readFileSync(join(FIXTURES, 'diabetes-leaky', 'expected.json'), 'utf8')) as {
  classification: Record<'train' | 'holdout', Record<string, { auc: number; power: number; variance: number }>>;
  regression: Record<string, { r: number; r2: number; interval: [number, number] }>;
};
const Z95 = 1.959963984540054;

async function run(checklist: string) {
  const result = await runChecklist(loadChecklist(join(ROOT, 'checklists', checklist)));
  return result.checks.find((c) => c.type === 'leakage')!;
}

describe('leakage: each column alone against the label', () => {
  it('the power of every column, on the hold-out and the training set, as scikit-learn measures it, with DeLong’s interval', async () => {
    const c = await run('leakage.yaml');
    const d = c.details as unknown as LeakageDetails;
    expect(d.columns.map((x) => x.column).sort()).toEqual(Object.keys(expected.classification.holdout).sort());
    for (const col of d.columns) {
      const h = expected.classification.holdout[col.column]!;
      const t = expected.classification.train[col.column]!;
      expect(col.power, col.column).toBeCloseTo(h.power, 12);
      expect(col.train_power, col.column).toBeCloseTo(t.power, 12);
      const half = Z95 * Math.sqrt(h.variance);
      expect(col.ci![0], col.column).toBeCloseTo(Math.max(0, h.power - half), 9);
      expect(col.ci![1], col.column).toBeCloseTo(Math.min(1, h.power + half), 9);
    }
    // strongest first
    expect(d.columns.map((x) => x.power)).toEqual([...d.columns.map((x) => x.power!)].sort((a, b) => b - a));
  });

  it('flags the value from the future and the column whose meaning changed between the splits; the honest features pass', async () => {
    const c = await run('leakage.yaml');
    expect(c.status).toBe('fail');
    expect(c.findings.map((f) => f.code)).toEqual(['leakage', 'power-changed']);
    expect(c.findings[0]!.message).toMatch(/^hba1c_followup alone predicts progressed with ROC AUC 0\.98\d+ \[0\.9\d+, 0\.9\d+\] above 0\.9: is its value known before the outcome it predicts\?$/);
    expect(c.findings[1]!.message).toMatch(/^referral's power changed from 0\.94\d+ on train to 0\.53\d+ on holdout \(by 0\.41\d+ \[0\.\d+, 0\.\d+\] above 0\.2\)$/);
    const d = c.details as unknown as LeakageDetails;
    expect(d.columns.filter((x) => x.flagged).map((x) => x.column).sort()).toEqual(['hba1c_followup', 'referral']);
  });

  it('a column only the interval says may be too strong is flagged: never a pass the data cannot vouch for', async () => {
    // s5's AUC on 177 rows is 0.812; its interval reaches above 0.85
    const dir = scenario();
    for (const f of ['holdout.csv', 'train.csv']) copyFileSync(join(FIXTURES, 'diabetes-leaky', f), join(dir, f));
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  holdout: { path: holdout.csv, label: progressed }\nchecks:\n  - type: leakage\n    columns: [s5]\n    max_power: 0.85\n');
    const c = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
    const s5 = expected.classification.holdout.s5!;
    expect(s5.power).toBeLessThan(0.85);
    expect(s5.power + Z95 * Math.sqrt(s5.variance)).toBeGreaterThan(0.85);
    expect(c.status).toBe('fail');
    expect(c.findings[0]!.message).toMatch(/^s5 alone predicts progressed with ROC AUC 0\.81\d* \[0\.\d+, 0\.\d+\] \(the interval reaches above 0\.85\)/);
  });

  it('regression: the squared correlation with scipy’s Fisher-z interval', async () => {
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'diabetes', 'holdout.csv'), join(dir, 'h.csv'));
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel: { path: model.onnx, task: regression }\ndatasets:\n  holdout: { path: h.csv, label: progression }\nchecks:\n  - type: leakage\n    max_power: 0.9\n');
    const c = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
    expect(c.status).toBe('pass');
    const d = c.details as unknown as LeakageDetails;
    for (const col of d.columns) {
      const e = expected.regression[col.column]!;
      expect(col.kind).toBe('r2');
      expect(col.power, col.column).toBeCloseTo(e.r2, 12);
      expect(col.ci![0], col.column).toBeCloseTo(e.interval[0], 9);
      expect(col.ci![1], col.column).toBeCloseTo(e.interval[1], 9);
    }
  });

  it('DeLong’s variance, grouped by distinct score, equals the per-row definition', () => {
    // 3 positives at scores 1, 2, 2 and 3 negatives at 0, 2, 3: V10 = (1/3, 2/3 − 1/6 …) by hand
    const pos = [1, 2, 2];
    const neg = [0, 2, 3];
    const v10 = pos.map((x) => (neg.filter((y) => y < x).length + neg.filter((y) => y === x).length / 2) / neg.length);
    const v01 = neg.map((y) => (pos.filter((x) => x > y).length + pos.filter((x) => x === y).length / 2) / pos.length);
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const svar = (a: number[]) => a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1);
    const r = delong([0, 1, 2, 0], [1, 0, 1, 1])!; // distinct scores 0, 1, 2, 3
    expect(r.auc).toBeCloseTo(mean(v10), 15);
    expect(r.variance).toBeCloseTo(svar(v10) / 3 + svar(v01) / 3, 15);
    expect(delong([1, 0], [0, 1])).toBeNull(); // one row of each: no variance
  });

  it('what it refuses: exit 2 at the place', () => {
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'diabetes-leaky', 'holdout.csv'), join(dir, 'h.csv'));
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  holdout: { path: h.csv, label: progressed }\nchecks:\n  - type: leakage\n    columns: [bmi, glucose]\n');
    const r = cli(['run', join(dir, 'c.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/c\.yaml:7:20 {2}checks\[0\]\.columns: no column "glucose" in h\.csv \(dataset holdout\)/);
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  holdout: { path: h.csv, label: progressed }\nchecks:\n  - type: leakage\n    train: holdout\n');
    const same = cli(['run', join(dir, 'c.yaml')]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/train names the dataset itself/);
    // a misspelt dataset is placed at the option that names it
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  holdout: { path: h.csv, label: progressed }\n  train: { path: h.csv, label: progressed }\nchecks:\n  - type: leakage\n    train: trian\n');
    const typo = cli(['validate', join(dir, 'c.yaml')]);
    expect(typo.code).toBe(2);
    expect(typo.stdout + typo.stderr).toMatch(/c\.yaml:8:12 {2}checks\[0\]\.train: no dataset named "trian" \(did you mean "train"\?\)/);
  });
});
