import { formatNumber } from '../../src/report/format-value.js';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunContext } from '../../src/checks/context.js';
import { loadChecklist } from '../../src/checklist/load.js';
import { FIXTURES, scenario } from '../helpers.js';
import { runChecklist } from '../../src/run/runner.js';
import { checkDefinition } from '../../src/checks/index.js';
import { BC, BC_BASE, bc, expected } from './breast-cancer.js';

describe('metric', () => {
  it('passes with the value scikit-learn computes, and explains what it rests on', async () => {
    const { checks } = await bc('  - type: metric\n    metric: accuracy\n    min: 0.9\n');
    const c = checks[0]!;
    expect(c.status).toBe('pass');
    expect(c.measurements[0]!.value).toBe(BC.accuracy);
    expect(c.details).toMatchObject({ n: 171, task: 'binary', classes: ['B', 'M'], class_source: 'model', positive: 'M', threshold: 0.5, confusion_matrix: BC.confusion_matrix });
  });

  it('fails below the minimum, above the maximum', async () => {
    const { checks } = await bc('  - id: a\n    type: metric\n    metric: accuracy\n    min: 0.99\n  - id: b\n    type: metric\n    metric: log_loss\n    max: 0.05\n');
    expect(checks.map((c) => [c.status, c.message])).toEqual([
      // as every report prints numbers: four significant digits (full precision is in the measurement)
      ['fail', `accuracy ${formatNumber(BC.accuracy)} is below the minimum 0.99`],
      ['fail', `log_loss ${formatNumber(BC.log_loss)} is above the maximum 0.05`],
    ]);
  });

  it('gates on the failing-side bound of the bootstrap interval: a point estimate alone is not enough evidence', async () => {
    const point = await bc('  - type: metric\n    metric: accuracy\n    min: 0.95\n');
    expect(point.checks[0]!.status).toBe('pass');
    const { checks } = await bc('  - type: metric\n    metric: accuracy\n    min: 0.95\n    confidence: 0.95\n');
    const c = checks[0]!;
    expect(c.status).toBe('fail');
    expect(c.findings[0]!.code).toBe('not-enough-evidence');
    expect(c.findings[0]!.message).toMatch(/^not enough evidence \(n = 171\): accuracy is 0\.9708, but the lower bound of its 95% interval is 0\.9\d+, below 0\.95$/);
    const [lo, hi] = c.measurements[0]!.ci!;
    expect(lo).toBeLessThan(BC.accuracy);
    expect(hi).toBeGreaterThan(BC.accuracy);
    // seeded: the same interval on every run
    expect((await bc('  - type: metric\n    metric: accuracy\n    min: 0.95\n    confidence: 0.95\n')).checks[0]!.measurements[0]!.ci).toEqual([lo, hi]);
  });

  it('compares with the baseline on the same rows', async () => {
    const better = await bc('  - type: metric\n    metric: roc_auc\n    compare: { to: baseline, max_regression: 0 }\n');
    expect(better.checks[0]!.status).toBe('pass');
    const [cand, base, regression] = better.checks[0]!.measurements;
    expect(cand!.value).toBe(BC.roc_auc);
    expect(Math.abs(base!.value! - BC_BASE.roc_auc)).toBeLessThan(1e-9 * BC_BASE.roc_auc);
    expect(regression!.value).toBeCloseTo(BC_BASE.roc_auc - BC.roc_auc, 12);
    // the weaker model as the candidate regresses
    const worse = await bc('  - type: metric\n    metric: roc_auc\n    compare: { to: baseline, max_regression: 0.005 }\n', '', true);
    expect(worse.checks[0]!.status).toBe('fail');
    expect(worse.checks[0]!.message).toMatch(/^roc_auc regression vs baseline 0\.0186\d+ is above the maximum 0\.005$/);
    // lower is better for log_loss; relative regression
    const rel = await bc('  - type: metric\n    metric: log_loss\n    compare: { to: baseline, max_regression: 0.1, relative: true }\n', '', true);
    expect(rel.checks[0]!.measurements[2]!.value).toBeCloseTo((BC_BASE.log_loss - BC.log_loss) / BC.log_loss, 12);
    expect(rel.checks[0]!.status).toBe('fail');
  });

  it('paired bootstrap of the regression when confidence is set', async () => {
    const { checks } = await bc('  - type: metric\n    metric: accuracy\n    confidence: 0.9\n    compare: { to: baseline, max_regression: 0.01 }\n');
    const regression = checks[0]!.measurements[2]!;
    expect(regression.ci![0]).toBeLessThanOrEqual(regression.value!);
    expect(regression.ci![1]).toBeGreaterThanOrEqual(regression.value!);
    expect(checks[0]!.status).toBe(regression.ci![1] <= 0.01 ? 'pass' : 'fail');
  });

  it('an undefined metric fails its threshold, never passes', async () => {
    // only benign rows: recall of the malignant class has no positives to recall
    const { checks } = await bc('  - type: metric\n    metric: recall\n    min: 0\n', '  classes: [B, M]\n', false, (line) => line.endsWith(',B'));
    expect(checks[0]!.status).toBe('fail');
    expect(checks[0]!.measurements[0]!.value).toBeNull();
    expect(checks[0]!.findings[0]!.message).toBe('recall is undefined on 107 rows of this dataset (no row of class M)');
  });

  it('a regression against the baseline that is undefined fails, with or without an interval', async () => {
    for (const confidence of ['', '    confidence: 0.95\n']) {
      const { checks } = await bc(`  - type: metric\n    metric: recall\n${confidence}    compare: { to: baseline, max_regression: 1 }\n`, '  classes: [B, M]\n', false, (line) => line.endsWith(',B'));
      const regression = checks[0]!.measurements[2]!;
      expect(regression.value).toBeNull();
      expect(regression.passed).toBe(false);
      expect(checks[0]!.status).toBe('fail');
    }
  });

  it('a point estimate within the threshold passes on its interval only when the interval is there and within it too', async () => {
    const { checks } = await bc('  - type: metric\n    metric: accuracy\n    min: 0.9\n    confidence: 0.95\n');
    const m = checks[0]!.measurements[0]!;
    expect(m.ci![0]).toBeGreaterThanOrEqual(0.9);
    expect(m.passed).toBe(true);
    expect(checks[0]!.status).toBe('pass');
    // a regression exactly at its maximum passes (the bound is inclusive)
    const first = await bc('  - type: metric\n    metric: roc_auc\n    compare: { to: baseline, max_regression: 0.5 }\n', '', true);
    const v = first.checks[0]!.measurements[2]!.value!;
    const at = await bc(`  - type: metric\n    metric: roc_auc\n    compare: { to: baseline, max_regression: ${v} }\n`, '', true);
    expect(at.checks[0]!.measurements[2]!.value).toBe(v);
    expect(at.checks[0]!.status).toBe('pass');
  });

  it('a metric that does not apply to the task stops the run (exit 2) naming the check and its line', async () => {
    await expect(bc('  - id: err\n    type: metric\n    metric: mae\n    max: 1\n')).rejects.toThrow(/c\.yaml:9:5 {2}check "err": metric mae does not apply to a binary model \(it applies to regression\)$/);
  });

  it('refuses a metric check that could never fail, parameters that do not apply, unknown datasets', () => {
    const dir = scenario({ 'holdout.csv': 'a,y\n1,B\n' });
    const load = (checks: string) => {
      const { writeFileSync } = require('node:fs') as typeof import('node:fs');
      writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  holdout: { path: holdout.csv, label: y }\nchecks:\n${checks}`);
      return () => loadChecklist(join(dir, 'c.yaml'));
    };
    expect(load('  - type: metric\n    metric: accuracy\n')).toThrow(/c\.yaml:8:13 {2}checks\[0\]\.metric: a metric check needs min, max or compare: without one it could never fail$/);
    expect(load('  - type: metric\n    metric: accuracy\n    k: 3\n    min: 0.5\n')).toThrow(/checks\[0\]\.metric: k does not apply to accuracy$/);
    expect(load('  - type: metric\n    metric: accuracy\n    dataset: holdot\n    min: 0.5\n')).toThrow(/c\.yaml:9:14 {2}checks\[0\]\.dataset: no dataset named "holdot" \(did you mean "holdout"\?\)$/);
    expect(load('  - type: metric\n    metric: acuracy\n    min: 0.5\n')).toThrow(/checks\[0\]\.metric: expected one of 22 values \("accuracy", .*, …\), received "acuracy" \(did you mean "accuracy"\?\)$/);
    expect(load('  - type: metric\n    metric: auc\n    min: 0.5\n')).toThrow(/received "auc" \(did you mean "roc_auc"\?\)$/);
    expect(load('  - type: metric\n    metric: accuracy\n    min: 0.5\n    compare: { to: baseline, max_regression: 0 }\n')).toThrow(/checks\[0\]\.compare: compares to the baseline, but the checklist has no baseline/);
    // a check that could never pass is refused too; equal bounds are a point, and allowed
    expect(load('  - type: metric\n    metric: accuracy\n    min: 0.9\n    max: 0.5\n')).toThrow(/c\.yaml:\d+:\d+ {2}checks\[0\]\.min: min 0\.9 is above max 0\.5$/);
    expect(load('  - type: metric\n    metric: accuracy\n    min: 0.5\n    max: 0.5\n')).not.toThrow();
    expect(load('  - type: metric\n    metric: accuracy\n    max: 0.5\n')).not.toThrow();
    // a threshold outside the metric's values: it could never pass, or never fail
    expect(load('  - type: metric\n    metric: accuracy\n    min: 85\n')).toThrow(/c\.yaml:9:10 {2}checks\[0\]\.min: min 85 is outside the values accuracy can take, \[0, 1\]: the check could never pass \(a percentage\? write 0\.85\)$/);
    expect(load('  - type: metric\n    metric: roc_auc\n    min: 1.5\n')).toThrow(/checks\[0\]\.min: min 1\.5 is outside the values roc_auc can take, \[0, 1\]: the check could never pass$/);
    expect(load('  - type: metric\n    metric: log_loss\n    max: -0.1\n')).toThrow(/checks\[0\]\.max: max -0\.1 is outside the values log_loss can take, \[0, ∞\): the check could never pass$/);
    expect(load('  - type: metric\n    metric: brier\n    max: 1.5\n')).toThrow(/checks\[0\]\.max: max 1\.5 is outside the values brier can take, \[0, 1\]: the check could never fail$/);
    expect(load('  - type: metric\n    metric: mcc\n    min: -2\n')).toThrow(/checks\[0\]\.min: min -2 is outside the values mcc can take, \[-1, 1\]: the check could never fail$/);
    expect(load('  - type: metric\n    metric: r2\n    min: -5\n')).not.toThrow();
    expect(load('  - type: metric\n    metric: r2\n    min: 1.01\n')).toThrow(/min 1\.01 is outside the values r2 can take, \(−∞, 1\]: the check could never pass$/);
    expect(load('  - type: metric\n    metric: accuracy\n    min: 1\n    max: 1\n')).not.toThrow();
    expect(load('  - type: slices\n    metric: accuracy\n    by: [a]\n    min: 1.2\n')).toThrow(/checks\[0\]\.min: min 1\.2 is outside the values accuracy can take, \[0, 1\]: the check could never pass$/);
    // a slices check's min is the highest acceptable value for a metric where lower is better
    expect(load('  - type: slices\n    metric: brier\n    by: [a]\n    min: 1.2\n')).toThrow(/checks\[0\]\.min: min 1\.2 is outside the values brier can take, \[0, 1\]: the check could never fail$/);
    expect(load('  - type: metric\n    metric: accuracy\n    min: 0.5\n    confidence: 95\n')).toThrow(/c\.yaml:10:17 {2}checks\[0\]\.confidence: expected a fraction below 1 \(for example 0\.95 for a 95% interval\), received 95$/);
  });

  it('reads a dataset once and runs each model once for every check on it', async () => {
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), join(dir, 'holdout.csv'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel:\n  path: model.onnx\nbaseline:\n  path: baseline.onnx\ndatasets:\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n  - type: model\n');
    const ctx = new RunContext(loadChecklist(join(dir, 'c.yaml')), new Date());
    ctx.plan({ dataset: 'holdout', models: ['model', 'baseline'] });
    const a = await ctx.evaluation('model', undefined);
    const b = await ctx.evaluation('baseline', 'holdout');
    expect(await ctx.evaluation('model', 'holdout')).toBe(a);
    expect(await ctx.evaluation('baseline', undefined)).toBe(b);
    const evidence = await ctx.evidence();
    expect(evidence.find((e) => e.path === 'holdout.csv')).toMatchObject({ rows: 171, bytes: readFileSync(join(dir, 'holdout.csv')).length });
  });
});

describe('metric: the gate', () => {
  it('passes only within the thresholds, on the interval bound when asked, never on an undefined value', async () => {
    const { gate } = await import('../../src/checks/metric.js');
    expect(gate(0.9, undefined, false, 0.8)).toBe(true);
    expect(gate(0.8, undefined, false, 0.8)).toBe(true);
    expect(gate(0.79, undefined, false, 0.8)).toBe(false);
    expect(gate(0.3, undefined, false, undefined, 0.3)).toBe(true);
    expect(gate(0.31, undefined, false, undefined, 0.3)).toBe(false);
    expect(gate(0.5, undefined, false, 0.4, 0.6)).toBe(true);
    expect(gate(null, undefined, false, 0)).toBe(false);
    expect(gate(0.9, undefined, true, 0.8)).toBe(false);
    expect(gate(0.9, [0.85, 0.95], true, 0.8)).toBe(true);
    expect(gate(0.9, [0.79, 0.95], true, 0.8)).toBe(false);
    expect(gate(0.2, [0.1, 0.31], true, undefined, 0.3)).toBe(false);
    expect(gate(0.2, [0.1, 0.29], true, undefined, 0.3)).toBe(true);
  });

  it('a loss whose point meets the maximum but whose upper bound does not fails for lack of evidence', async () => {
    const { checks } = await bc(`  - type: metric\n    metric: log_loss\n    max: 0.08\n    confidence: 0.95\n`);
    const c = checks[0]!;
    expect(c.measurements[0]!.value).toBeLessThan(0.08);
    expect(c.status).toBe('fail');
    expect(c.findings[0]!.message).toMatch(/^not enough evidence \(n = 171\): log_loss is 0\.06745, but the upper bound of its 95% interval is 0\.\d+, above 0\.08$/);
  });
});

describe('metric: bootstrap replicates shared between checks', () => {
  const spec = (id: string, metric: string, extra = ', confidence: 0.9') => `  - { id: ${id}, type: metric, metric: ${metric}, min: 0${extra} }\n`;
  const checks = [
    spec('auc', 'roc_auc'),
    spec('ll', 'log_loss'),
    spec('f1', 'f1'),
    spec('bal', 'balanced_accuracy'),
    // the same metric twice: one set of replicates, each check its own confidence
    spec('auc-99', 'roc_auc', ', confidence: 0.99'),
    // another seed: drawn apart
    spec('auc-seed', 'roc_auc', ', confidence: 0.9, seed: 7'),
    // Wilson's interval: no replicates
    spec('acc', 'accuracy'),
  ];

  it('the first check of an evaluation draws the replicates of every check planned with its seed and resamples; each interval is the one the check draws alone', async () => {
    const together = await bc(checks.join(''));
    for (const [k, c] of together.checks.entries()) {
      const alone = await bc(checks[k]!);
      expect(c.measurements[0]!.ci).toBeDefined();
      expect(c.measurements[0]).toEqual(alone.checks[0]!.measurements[0]);
      expect(c.details).toEqual(alone.checks[0]!.details);
    }
    // the 99% and the 90% interval of the same replicates: the first holds the second
    const [auc, auc99] = [together.checks[0]!.measurements[0]!.ci!, together.checks[4]!.measurements[0]!.ci!];
    expect(auc99[0]).toBeLessThan(auc[0]);
    expect(auc99[1]).toBeGreaterThanOrEqual(auc[1]);

    // what is drawn when the first check runs: every planned metric of its seed, not the other seed's, not Wilson's
    const loaded = loadChecklist(join(together.dir, 'c.yaml'));
    const ctx = new RunContext(loaded, new Date());
    for (const c of loaded.checks) for (const need of checkDefinition(c.type).needs?.(c) ?? []) ctx.plan(need);
    await checkDefinition('metric').run(loaded.checks[0]!, ctx);
    expect([...ctx.replicates.values()].map((g) => [g.draws, [...g.byMetric.keys()].map((k) => JSON.parse(k)[0])])).toEqual([[1, ['roc_auc', 'log_loss', 'f1', 'balanced_accuracy']]]);
    // the whole run: one draw of each seed's weights
    const all = new RunContext(loaded, new Date());
    await runChecklist(loaded, { context: all });
    expect([...all.replicates.values()].map((g) => [g.draws, [...g.byMetric.keys()].map((k) => JSON.parse(k)[0])])).toEqual([
      [1, ['roc_auc', 'log_loss', 'f1', 'balanced_accuracy']],
      [1, ['roc_auc']],
    ]);
  });
});

describe('metric: row order', () => {
  it('shuffling the dataset changes neither the value nor the bootstrap interval nor the verdict', async () => {
    const checks = '  - type: metric\n    metric: accuracy\n    min: 0.9\n    confidence: 0.95\n  - type: metric\n    id: cmp\n    metric: roc_auc\n    confidence: 0.9\n    compare: { to: baseline, max_regression: 0.01 }\n';
    const a = await bc(checks);
    // a fixed permutation of the rows: reversed, then every other row first
    const b = await bc(checks, '', false, () => true);
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = join(b.dir, 'holdout.csv');
    const [head, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
    const shuffled = [...rows.reverse().filter((_, i) => i % 2 === 0), ...rows.filter((_, i) => i % 2 === 1)];
    writeFileSync(file, [head, ...shuffled].join('\n'));
    const again = await runChecklist(loadChecklist(join(b.dir, 'c.yaml')));
    expect(again.checks.map((c) => c.measurements)).toEqual(a.checks.map((c) => c.measurements));
    expect(again.verdict).toBe(a.report.verdict);
  });
});

describe('the regression against the baseline', () => {
  it('is undefined when either side is, or when a relative one would divide by zero; otherwise worse is positive', async () => {
    const { regressionLoss } = await import('../../src/checks/metric.js');
    expect(regressionLoss(null, 0.9, true, false)).toBeNull();
    expect(regressionLoss(0.9, null, true, false)).toBeNull();
    expect(regressionLoss(null, null, false, true)).toBeNull();
    expect(regressionLoss(0.8, 0, true, true)).toBeNull();
    expect(regressionLoss(0.8, 0.9, true, false)).toBeCloseTo(0.1, 15);
    expect(regressionLoss(0.3, 0.2, false, false)).toBeCloseTo(0.1, 15);
    expect(regressionLoss(0.8, 0.9, true, true)).toBeCloseTo(0.1 / 0.9, 15);
    expect(regressionLoss(0.3, -0.2, false, true)).toBeCloseTo(0.5 / 0.2, 15);
  });
});
