import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { fitLogistic } from '../../src/eval/domain.js';
import type { MultivariateDriftDetails } from '../../src/report/details.js';
import { runChecklist } from '../../src/run/runner.js';
import { cli, FIXTURES, ROOT } from '../helpers.js';

describe('multivariate drift: a domain classifier fitted here', () => {
  it('the trainer reaches the optimum scikit-learn’s LogisticRegression(C=1) reaches on the same design', () => {
    const ref = JSON.parse(readFileSync(join(FIXTURES, 'drift-joint', 'logistic.json'), 'utf8')) as { C: number; X: number[][]; y: number[]; coef: number[]; intercept: number };
    const p = ref.X[0]!.length;
    const { w, b } = fitLogistic(Float64Array.from(ref.X.flat()), Uint8Array.from(ref.y), p, ref.C);
    Array.from(w).forEach((v, j) => expect(v, `coefficient ${j}`).toBeCloseTo(ref.coef[j]!, 6));
    expect(b).toBeCloseTo(ref.intercept, 6);
  });

  it('catches a flipped correlation every per-column test misses, names the columns; finds nothing between two samples of one distribution', async () => {
    const result = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'drift-joint.yaml')));
    const [perColumn, joint, same] = result.checks;
    expect(perColumn!.status).toBe('pass');
    expect(joint!.status).toBe('fail');
    const d = joint!.details as unknown as MultivariateDriftDetails;
    expect(d.ci![0]).toBeGreaterThan(0.6);
    expect(d.interactions).toBe(true);
    // the product of bp and hr carries the difference: both columns lead, age and site trail
    expect(d.drivers.slice(0, 2).map((x) => x.column).sort()).toEqual(['bp', 'hr']);
    expect(d.drivers[0]!.share + d.drivers[1]!.share).toBeGreaterThan(0.6);
    expect(joint!.findings[0]!.message).toMatch(/^current can be told from reference: domain-classifier ROC AUC 0\.\d+ \[0\.\d+, 0\.\d+\], its 95% lower bound above 0\.6; driven by (bp|hr) \(\d+%\), (bp|hr) \(\d+%\)/);
    expect(same!.status).toBe('pass');
    const s = same!.details as unknown as MultivariateDriftDetails;
    expect(s.ci![0]).toBeLessThan(0.6);
    expect(s.auc).toBeLessThan(0.56);
  });

  it('the same verdict and numbers whatever the order of the rows (samples and folds follow the rows’ content)', async () => {
    const { mkdtempSync, writeFileSync, copyFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'dc-mv-'));
    const [header, ...rows] = readFileSync(join(FIXTURES, 'drift-joint', 'current.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'current.csv'), [header, ...rows.reverse()].join('\n') + '\n');
    copyFileSync(join(FIXTURES, 'drift-joint', 'reference.csv'), join(dir, 'reference.csv'));
    copyFileSync(join(FIXTURES, 'breast-cancer', 'model.onnx'), join(dir, 'model.onnx'));
    const checklist = 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  reference: { path: reference.csv }\n  current: { path: current.csv }\nchecks:\n  - { type: multivariate-drift, reference: reference, current: current, max_rows: 1000 }\n';
    writeFileSync(join(dir, 'c.yaml'), checklist);
    const a = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
    copyFileSync(join(FIXTURES, 'drift-joint', 'current.csv'), join(dir, 'current.csv'));
    const b = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
    expect(a.details).toEqual(b.details);
    expect((a.details as unknown as MultivariateDriftDetails).current.sampled).toBe(1000);
  });

  it('a dataset compared with itself, or a column that is not there: exit 2 at the place', async () => {
    const { mkdtempSync, writeFileSync, copyFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'dc-mv-'));
    copyFileSync(join(FIXTURES, 'drift-joint', 'reference.csv'), join(dir, 'r.csv'));
    copyFileSync(join(FIXTURES, 'breast-cancer', 'model.onnx'), join(dir, 'model.onnx'));
    const head = 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  a: { path: r.csv }\n  b: { path: r.csv }\nchecks:\n';
    writeFileSync(join(dir, 'c.yaml'), `${head}  - { type: multivariate-drift, reference: a, current: a }\n`);
    const same = cli(['run', join(dir, 'c.yaml')]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/c\.yaml:7:56  checks\[0\]\.current: compares a dataset with itself/);
    writeFileSync(join(dir, 'c.yaml'), `${head}  - { type: multivariate-drift, reference: a, current: b, columns: [bp, pulse] }\n`);
    const missing = cli(['run', join(dir, 'c.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no column "pulse" in r\.csv/);
  });
});
