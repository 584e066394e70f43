import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import type { FairnessDetails } from '../../src/report/details.js';
import { runChecklist } from '../../src/run/runner.js';
import { cli, FIXTURES, ROOT, scenario } from '../helpers.js';

const DIR = join(FIXTURES, 'diabetes-fairness');
/** fixtures/generate-fairness.py: each group's rates and Fairlearn's disparities, from scikit-learn's confusion matrices */
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  min_group_rows: number;
  models: Record<string, Record<string, { groups: { group: string; n: number; positives: number; selection_rate: number; tpr: number | null; fpr: number | null }[]; disparities: Record<string, number | null>; intervals: Record<string, [number, number]> }>>;
};

const EVERY = `    max_demographic_parity_difference: 1\n    min_demographic_parity_ratio: 0\n    max_equal_opportunity_difference: 1\n    max_false_positive_rate_difference: 1\n    max_equalized_odds_difference: 1\n`;

async function fairness(check: string, options: { model?: string; holdout?: string } = {}) {
  const dir = scenario();
  copyFileSync(join(DIR, `${options.model ?? 'model'}.onnx`), join(dir, 'm.onnx'));
  writeFileSync(join(dir, 'h.csv'), options.holdout ?? readFileSync(join(DIR, 'holdout.csv')));
  writeFileSync(
    join(dir, 'c.yaml'),
    `version: 1\nmodel:\n  path: m.onnx\n  inputs: { input: [age, sex, bmi, bp, s1, s2, s3, s4, s5, s6] }\n  classes: [no, yes]\n  positive: yes\ndatasets:\n  holdout: { path: h.csv, label: progressed }\nchecks:\n  - type: fairness\n${check}`,
  );
  const result = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
  return { check: result, details: result.details as unknown as FairnessDetails, dir };
}

describe('fairness: Fairlearn’s disparities, against scikit-learn on real data', () => {
  for (const model of ['model', 'model-biased']) {
    for (const [grouping, sensitive] of [['sex', 'sex'], ['sex x age_group', '[sex, age_group]']] as const) {
      it(`${model}, ${grouping}: every group's rates and every disparity`, async () => {
        const want = expected.models[model]![grouping]!;
        const { details } = await fairness(`    sensitive: ${sensitive}\n    min_group_rows: ${expected.min_group_rows}\n    resamples: 20000\n${EVERY}`, { model });
        expect(details.groups.map((g) => [g.group, g.n, g.positives])).toEqual(want.groups.map((g) => [g.group, g.n, g.positives]));
        details.groups.forEach((g, k) => {
          const w = want.groups[k]!;
          expect(g.selection_rate).toBeCloseTo(w.selection_rate, 14);
          expect(g.true_positive_rate).toBeCloseTo(w.tpr!, 14);
          expect(g.false_positive_rate).toBeCloseTo(w.fpr!, 14);
        });
        for (const d of details.disparities) {
          expect(d.value, d.name).toBeCloseTo(want.disparities[d.name]!, 14);
          // numpy's percentile bootstrap, another generator with 20,000 resamples: the same interval within Monte Carlo error
          expect(Math.abs(d.ci![0] - want.intervals[d.name]![0]), `${d.name} lower`).toBeLessThan(0.015);
          expect(Math.abs(d.ci![1] - want.intervals[d.name]![1]), `${d.name} upper`).toBeLessThan(0.015);
        }
      });
    }
  }

  it('gates on the interval: the fair model passes, the biased one fails with the reasons named', async () => {
    expect(cli(['run', 'checklists/fairness.yaml']).code).toBe(0);
    const r = cli(['run', 'checklists/fairness-biased.yaml', '--format', 'json']);
    expect(r.code).toBe(1);
    const check = (JSON.parse(r.stdout) as { checks: { id: string; status: string; measurements: { name: string; value: number; passed: boolean }[]; findings: { message: string }[] }[] }).checks.find((c) => c.id === 'fair-by-sex')!;
    expect(check.status).toBe('fail');
    expect(check.measurements.filter((m) => !m.passed).map((m) => m.name)).toEqual(['demographic_parity_difference', 'demographic_parity_ratio', 'equalized_odds_difference']);
    // the ratio fails the four-fifths rule on its point value; the differences are below their
    // thresholds but not surely: their intervals reach above
    expect(check.measurements.find((m) => m.name === 'demographic_parity_ratio')!.value).toBeCloseTo(expected.models['model-biased']!.sex!.disparities.demographic_parity_ratio!, 14);
    expect(check.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^not enough evidence \(n = 177\): demographic_parity_difference is 0\.195, but the upper bound of its 95% interval is 0\.\d+, above 0\.2$/),
      expect.stringMatching(/^not enough evidence \(n = 177\): equalized_odds_difference is 0\.2106, but the upper bound of its 95% interval is 0\.\d+, above 0\.3$/),
    ]);
  });

  it('feeds diff and the ML Test Score: the biased model is worse on fair-by-sex, and M7 counts', () => {
    const dir = scenario();
    expect(cli(['run', 'checklists/fairness.yaml', '--format', 'json', '-o', join(dir, 'a.json')]).code).toBe(0);
    expect(cli(['run', 'checklists/fairness-biased.yaml', '--format', 'json', '-o', join(dir, 'b.json')]).code).toBe(1);
    const d = cli(['diff', join(dir, 'a.json'), join(dir, 'b.json'), '--format', 'json']);
    expect(d.code).toBe(1);
    const diff = JSON.parse(d.stdout) as { checks: { id: string; direction: string; measurements: { name: string; delta: number | null; old: number | null; only?: string }[] }[] };
    const fair = diff.checks.find((c) => c.id === 'fair-by-sex')!;
    expect(fair.direction).toBe('worse');
    // the four-fifths gate exists only in the new checklist: listed as new, not silently left out
    expect(fair.measurements.find((m) => m.name === 'demographic_parity_ratio')).toMatchObject({ old: null, delta: null, only: 'new' });
    expect(cli(['diff', join(dir, 'a.json'), join(dir, 'b.json')]).stdout).toMatch(/^ {6}demographic_parity_ratio \(new\) 0\.7237 \[0\.\d+, 0\.\d+\]$/m);
    expect(fair.measurements.find((m) => m.name === 'demographic_parity_difference')!.delta).toBeCloseTo(expected.models['model-biased']!.sex!.disparities.demographic_parity_difference! - expected.models.model!.sex!.disparities.demographic_parity_difference!, 12);
    const score = cli(['score', 'checklists/fairness.yaml']);
    expect(score.stdout).toMatch(/^ {2}1 {3}M7 {3}The model is tested for considerations of inclusion {2}\(check fair-by-sex, check fair-by-sex-and-age\)$/m);
  });

  it('the same report whatever the order of the rows (the resamples follow the rows’ content)', async () => {
    const [header, ...rows] = readFileSync(join(DIR, 'holdout.csv'), 'utf8').trimEnd().split('\n');
    const shuffled = [header, ...rows.reverse()].join('\n') + '\n';
    const a = await fairness(`    sensitive: [sex, age_group]\n    min_group_rows: 10\n${EVERY}`);
    const b = await fairness(`    sensitive: [sex, age_group]\n    min_group_rows: 10\n${EVERY}`, { holdout: shuffled });
    expect(b.details).toEqual(a.details);
    expect(a.details.disparities.every((d) => d.ci)).toBe(true);
  });

  it('groups too small are reported and not judged; fewer than two judged: undefined, never a pass', async () => {
    // the intersection's groups have 33–55 rows, 13–32 positives
    const { check, details } = await fairness(`    sensitive: [sex, age_group]\n    min_group_rows: 30\n    max_equal_opportunity_difference: 1\n    max_demographic_parity_difference: 1\n`);
    const want = expected.models.model!['sex x age_group']!.groups;
    expect(details.groups.map((g) => g.judged.includes('true_positive_rate'))).toEqual(want.map((g) => g.positives >= 30));
    expect(details.groups.map((g) => g.judged.includes('selection_rate'))).toEqual(want.map((g) => g.n >= 30));
    expect(want.filter((g) => g.positives >= 30).length).toBeLessThan(2);
    const eo = details.disparities.find((d) => d.name === 'equal_opportunity_difference')!;
    expect(eo.value).toBeNull();
    expect(eo.passed).toBe(false);
    expect(check.status).toBe('fail');
    const bySize = [...want].sort((a, b) => b.positives - a.positives).map((g) => `${g.group}: ${g.positives}`).join('; ');
    expect(check.findings[0]!.message).toBe(`equal_opportunity_difference is undefined: fewer than two groups have 30 positive rows or more (${bySize})`);
  });

  it('a column of many values as the sensitive attribute: the five largest groups named, and what to do', async () => {
    const { check } = await fairness(`    sensitive: bmi\n    max_demographic_parity_difference: 1\n`);
    const bmi = new Set(readFileSync(join(DIR, 'holdout.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[2]));
    expect(check.status).toBe('fail');
    expect(check.findings[0]!.message).toMatch(new RegExp(`^demographic_parity_difference is undefined: fewer than two groups have 30 rows or more \\(([^;]+: \\d+; ){5}and ${bmi.size - 5} more groups, the sensitive column has ${bmi.size} distinct values: cut a number into a few categories first\\)$`));
  });

  it('a missing value is a group of its own', async () => {
    const lines = readFileSync(join(DIR, 'holdout.csv'), 'utf8').trimEnd().split('\n');
    const sexAt = lines[0]!.split(',').indexOf('sex');
    // the model needs sex as a number: the sensitive column here is age_group, blanked in 40 rows
    const ageAt = lines[0]!.split(',').indexOf('age_group');
    const holdout = lines.map((l, i) => (i > 0 && i <= 40 ? l.split(',').map((v, j) => (j === ageAt ? '' : v)).join(',') : l)).join('\n') + '\n';
    const { details } = await fairness(`    sensitive: age_group\n    min_group_rows: 10\n    max_demographic_parity_difference: 1\n`, { holdout });
    expect(sexAt).toBeGreaterThan(0);
    expect(details.groups.map((g) => [g.group, g.n])).toEqual([
      ['(missing)', 40],
      ['50 and over', expected.models.model!.sex!.groups.reduce((n, g) => n + g.n, 0) - 40 - details.groups.find((g) => g.group === 'under 50')!.n],
      ['under 50', details.groups.find((g) => g.group === 'under 50')!.n],
    ]);
  });
});

describe('fairness: what it refuses', () => {
  const run = (dir: string, body: string) => {
    writeFileSync(join(dir, 'c.yaml'), body);
    return cli(['run', join(dir, 'c.yaml')]);
  };
  const checklist = (check: string) =>
    `version: 1\nmodel:\n  path: m.onnx\n  inputs: { input: [age, sex, bmi, bp, s1, s2, s3, s4, s5, s6] }\n  classes: [no, yes]\n  positive: yes\ndatasets:\n  holdout: { path: h.csv, label: progressed }\nchecks:\n  - type: fairness\n${check}`;
  const dir = scenario();
  copyFileSync(join(DIR, 'model.onnx'), join(dir, 'm.onnx'));
  copyFileSync(join(DIR, 'holdout.csv'), join(dir, 'h.csv'));

  it.each([
    ['no threshold', '    sensitive: sex\n', /c\.yaml:10:5 .*a fairness check needs a threshold/],
    ['four_fifths and a ratio', '    sensitive: sex\n    four_fifths: true\n    min_demographic_parity_ratio: 0.9\n', /four_fifths sets min_demographic_parity_ratio to 0\.8/],
    ['a column twice', '    sensitive: [sex, sex]\n    four_fifths: true\n', /"sex" intersected with itself/],
    ['an unknown column', '    sensitive: gender\n    four_fifths: true\n', /c\.yaml:11:16  checks\[0\]\.sensitive: no column "gender" in h\.csv/],
    ['three columns', '    sensitive: [sex, age, bmi]\n    four_fifths: true\n', /sensitive/],
  ])('%s: exit 2, one line at the place', (_name, check, message) => {
    const r = run(dir, checklist(check));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a model that is not binary: exit 2, saying why', () => {
    const r = cli(['run', join(ROOT, 'checklists', 'wine.yaml')]);
    expect(r.code).not.toBe(2); // wine itself runs; a fairness check on it is refused:
    const w = scenario();
    copyFileSync(join(FIXTURES, 'wine', 'model.onnx'), join(w, 'w.onnx'));
    copyFileSync(join(FIXTURES, 'wine', 'holdout.csv'), join(w, 'h.csv'));
    writeFileSync(join(w, 'c.yaml'), 'version: 1\nmodel:\n  path: w.onnx\ndatasets:\n  holdout: { path: h.csv, label: cultivar }\nchecks:\n  - type: fairness\n    sensitive: alcohol\n    four_fifths: true\n');
    // the model names its three classes: refused before any row is read, by validate as by run
    for (const command of ['validate', 'run']) {
      const f = cli([command, join(w, 'c.yaml')]);
      expect(f.code).toBe(2);
      expect(f.stdout).toBe('');
      expect(f.stderr).toBe(`${join(w, 'c.yaml')}:7:11  checks[0].type: fairness applies to a binary model; this one is multiclass (the rates it compares (selection, true and false positives) are those of a positive class)\n`);
    }
  });
});
