import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { stateText } from '../../src/run/state.js';
import { cli, FIXTURES, scenario } from '../helpers.js';

// Scores written elsewhere (fixtures/generate-scored.py: scikit-learn's predict_proba of the
// candidate, rows shuffled, ids in the first column), joined by id to the hold-out's labels.
const DIR = join(FIXTURES, 'breast-cancer-scored');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
const expected = JSON.parse(read('expected.json')) as Record<string, number>;
const features = read('holdout.csv').split('\n')[0]!.split(',').slice(1, -1);

function checklist(checks: string, { scores = 'scores.csv', verify = '{ rows: 50, tolerance: 0.0001 }', extra = '' } = {}) {
  return `version: 1
model:
  path: model.onnx
  outputs: { scores: probabilities, label: label }
  classes: [B, M]
  positive: M
  inputs: { input: [${features.join(', ')}] }
datasets:
  holdout: { path: holdout.csv, label: diagnosis }
  batch: { path: ${scores}, predictions: { of: holdout, id: patient_id, scores: [p_B, p_M], verify: ${verify} }${extra} }
checks:
${checks}`;
}

const files = (over: Record<string, string> = {}) => ({ 'holdout.csv': read('holdout.csv'), 'scores.csv': read('scores.csv'), ...over });

describe('predictions scored elsewhere', () => {
  it("every metric from the file equals scikit-learn's on the same scores", async () => {
    const metrics = Object.keys(expected);
    const d = scenario({ ...files(), 'checklist.yaml': checklist(metrics.map((m) => `  - { id: ${m}, type: metric, dataset: batch, metric: ${m}, ${m === 'log_loss' || m === 'brier' ? 'max: 1' : 'min: 0'} }`).join('\n') + '\n') });
    const report = await runChecklist(loadChecklist(join(d, 'checklist.yaml')));
    for (const m of metrics) {
      const c = report.checks.find((x) => x.id === m)!;
      expect(c.status, c.message).toBe('pass');
      expect(c.measurements[0]!.value).toBeCloseTo(expected[m]!, 9);
      expect(c.message).toContain('scores from scores.csv (50 rows re-scored here agree within 0.0001)');
    }
    expect(report.inputs.map((i) => [i.path, i.rows])).toEqual(expect.arrayContaining([['holdout.csv', 171], ['scores.csv', 171]]));
  });

  it('the same report whatever the order of the rows in the scores file (the rows re-scored are chosen by id)', () => {
    const [head, ...rows] = read('scores.csv').trim().split('\n');
    const sorted = [head, ...rows.sort()].join('\n') + '\n';
    const run = (scores: string) => {
      const d = scenario({ ...files({ 'scores.csv': scores }), 'checklist.yaml': checklist('  - { id: auc, type: metric, dataset: batch, metric: roc_auc, min: 0.9, confidence: 0.9 }\n') });
      // (the files' digests differ: their rows are in another order)
      return cli(['run', join(d, 'checklist.yaml'), '--format', 'json', '--as-of', '2026-11-30']).stdout.replace(/"sha256": "[0-9a-f]+"/g, '').replaceAll(d, '');
    };
    expect(run(sorted)).toBe(run(read('scores.csv')));
  });

  it('score columns given in another order than the classes fail the gate, saying so', () => {
    const d = scenario({ ...files(), 'checklist.yaml': checklist('  - { id: recall, type: metric, dataset: batch, metric: recall, min: 0.5 }\n').replace('[p_B, p_M]', '[p_M, p_B]') });
    const check = JSON.parse(cli(['run', join(d, 'checklist.yaml'), '--format', 'json']).stdout).checks[0];
    expect(check.status).toBe('error');
    expect(check.message).toMatch(/50 of the 50 rows re-scored .*: every row re-scored disagrees — another model's scores, or score columns not in the order of the model's classes$/);
  });

  it("another model's scores under the same ids fail the gate, naming the rows", () => {
    const d = scenario({ ...files({ 'scores.csv': read('scores-baseline.csv') }), 'checklist.yaml': checklist('  - { id: recall, type: metric, dataset: batch, metric: recall, min: 0.5 }\n') });
    const r = cli(['run', join(d, 'checklist.yaml'), '--format', 'json']);
    expect(r.code).toBe(1);
    const check = JSON.parse(r.stdout).checks[0];
    expect(check.status).toBe('error');
    expect(check.message).toMatch(/^could not be evaluated: scores\.csv does not hold this model's scores: \d+ of the 50 rows re-scored \(from holdout\.csv\) differ by more than 0\.0001 \(line \d+, id "P-\d{4}": p_[BM] [\d.e-]+ in the file, [\d.e-]+ from the model, [\d.e-]+ apart;/);
  });

  it('one score changed by more than the tolerance, in a row re-scored, fails; within it, passes', () => {
    const [head, ...rows] = read('scores.csv').trim().split('\n');
    const shift = (by: number) => [head, ...rows.map((l) => (l.startsWith('P-0042,') ? `P-0042,${Number(l.split(',')[1]) - by},${Number(l.split(',')[2]) + by}` : l))].join('\n') + '\n';
    const run = (by: number) => {
      const d = scenario({ ...files({ 'scores.csv': shift(by) }), 'checklist.yaml': checklist('  - { id: recall, type: metric, dataset: batch, metric: recall, min: 0.5 }\n', { verify: '{ rows: 171, tolerance: 0.0001 }' }) });
      return JSON.parse(cli(['run', join(d, 'checklist.yaml'), '--format', 'json']).stdout).checks[0];
    };
    expect(run(0.00005).status).toBe('pass');
    const bad = run(0.0003);
    expect(bad.status).toBe('error');
    expect(bad.message).toMatch(/1 of the 171 rows re-scored \(from holdout\.csv\) differs by more than 0\.0001 \(line 43, id "P-0042": p_[BM] [\d.e-]+ in the file, [\d.e-]+ from the model, 3\.000e-4 apart\)$/);
  });

  const lines = read('scores.csv').trim().split('\n');
  it.each([
    ['a row without a score', { 'scores.csv': lines.filter((l) => !l.startsWith('P-0007,')).join('\n') }, 'holdout.csv  line 8: id "P-0007" has no score in scores.csv (every row scored must be in the predictions file, and only those)'],
    ['a score for no row', { 'scores.csv': [...lines, 'P-9999,0.5,0.5'].join('\n') }, 'scores.csv  line 173: id "P-9999" is not a row of holdout.csv'],
    ['an id scored twice', { 'scores.csv': [...lines, lines[5]!].join('\n') }, `scores.csv  line 173: id "${lines[5]!.split(',')[0]}" is scored twice (also line 6)`],
    ['a score that is not a number', { 'scores.csv': lines.map((l, i) => (i === 3 ? l.replace(/,[^,]+$/, ',high') : l)).join('\n') }, 'scores.csv  line 4: column "p_M": '],
  ])('%s: exit 2, one line naming the file and the line', (_, over, message) => {
    const d = scenario({ ...files(over as Record<string, string>), 'checklist.yaml': checklist('  - { id: recall, type: metric, dataset: batch, metric: recall, min: 0.5 }\n') });
    const r = cli(['run', join(d, 'checklist.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it.each([
    ['of names no dataset', checklist('  - { id: r, type: metric, dataset: batch, metric: recall, min: 0.5 }\n').replace('of: holdout', 'of: holdot'), 'datasets.batch.predictions.of: no dataset named "holdot" (did you mean "holdout"?)'],
    ['a label on the predictions dataset', checklist('  - { id: r, type: metric, dataset: batch, metric: recall, min: 0.5 }\n', { extra: ', label: diagnosis' }), 'datasets.batch.label: a predictions dataset takes its labels from the dataset it scores'],
    ['a comparison with the baseline on it', checklist('  - { id: r, type: metric, dataset: batch, metric: recall, compare: { to: baseline, max_regression: 0.1 } }\n').replace('datasets:', 'baseline: { path: baseline.onnx }\ndatasets:'), `dataset "batch" holds the model's scores, written elsewhere: the baseline cannot be judged on them`],
    ['a robustness check on it', checklist('  - { id: r, type: robustness, dataset: batch, perturbations: [{ kind: noise }], min_agreement: 0.9 }\n'), `checks[0].dataset: dataset "batch" holds the model's scores, written elsewhere: there are no rows here to perturb and score again (perturb "holdout", the dataset they score)`],
    ['a score column the file does not have', checklist('  - { id: r, type: metric, dataset: batch, metric: recall, min: 0.5 }\n').replace('[p_B, p_M]', '[p_B, p_m]'), 'datasets.batch.predictions.scores: no column "p_m" in scores.csv (dataset batch) (did you mean "p_M"?)'],
  ])('a checklist mistake (%s): exit 2 at its place', (_, text, message) => {
    const d = scenario({ ...files(), 'checklist.yaml': text });
    const r = cli(['validate', join(d, 'checklist.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  describe('under --shard (rows and scores parted by a hash of the id; each shard re-scores its part of the sample)', () => {
    const shards = (d: string, n: number) => Array.from({ length: n }, (_, i) => cli(['run', join(d, 'checklist.yaml'), '--shard', `${i}/${n}`, '--state', join(d, `s${i}.json`)]));
    it("another model's scores: the merge fails the gate with the unsharded run's message, naming the same rows", () => {
      const d = scenario({ ...files({ 'scores.csv': read('scores-baseline.csv') }), 'checklist.yaml': checklist('  - { id: recall, type: metric, dataset: batch, metric: recall, min: 0.5 }\n') });
      const whole = cli(['run', join(d, 'checklist.yaml'), '--format', 'json', '--as-of', '2026-11-30']);
      expect(shards(d, 3).map((r) => r.code)).toEqual([0, 0, 0]);
      const merge = cli(['merge', ...[2, 0, 1].map((i) => join(d, `s${i}.json`)), '--format', 'json', '--as-of', '2026-11-30']);
      expect(merge.code).toBe(1);
      expect(JSON.parse(merge.stdout).checks[0].message).toMatch(/^could not be evaluated: scores\.csv does not hold this model's scores: \d+ of the 50 rows re-scored/);
      expect(merge.stdout).toBe(whole.stdout);
    });
    it('a row without a score: the shard that holds its id ends with the one line, exit 2', () => {
      const d = scenario({ ...files({ 'scores.csv': lines.filter((l) => !l.startsWith('P-0007,')).join('\n') }), 'checklist.yaml': checklist('  - { id: recall, type: metric, dataset: batch, metric: recall, min: 0.5 }\n') });
      const runs = shards(d, 2);
      expect(runs.map((r) => r.code).sort()).toEqual([0, 2]);
      expect(runs.find((r) => r.code === 2)!.stderr).toBe('holdout.csv  line 8: id "P-0007" has no score in scores.csv (every row scored must be in the predictions file, and only those)\n');
    });
    it('refuses a state whose re-scored rows are not its shard\'s, or too few, even under a valid digest', () => {
      const d = scenario({ ...files(), 'checklist.yaml': checklist('  - { id: recall, type: metric, dataset: batch, metric: recall, min: 0.5 }\n') });
      expect(shards(d, 2).map((r) => r.code)).toEqual([0, 0]);
      type Rescored = { hash: number; id: string; ref: number };
      const [s0, s1] = [0, 1].map((i) => JSON.parse(readFileSync(join(d, `s${i}.json`), 'utf8')) as { datasets: { batch: { scored: { rescored: Rescored[] } } }; sha256?: string });
      const forge = (edit: (r: Rescored[]) => void) => {
        const copy = structuredClone(s1!);
        delete copy.sha256;
        edit(copy.datasets.batch.scored.rescored);
        writeFileSync(join(d, 'forged.json'), stateText(copy as never));
        return cli(['merge', join(d, 's0.json'), join(d, 'forged.json')]);
      };
      const stolen = forge((r) => (r[0] = s0!.datasets.batch.scored.rescored[0]!));
      expect(stolen.code).toBe(2);
      expect(stolen.stderr).toMatch(/forged\.json  datasets\.batch\.scored: rescored\.0: id "P-\d{4}" \(row \d+\) is not a row of this shard/);
      const fewer = forge((r) => r.pop());
      expect(fewer.code).toBe(2);
      expect(fewer.stderr).toMatch(/forged\.json  datasets\.batch\.scored: rescored: 49 rows, but the sample takes 50 of the shard's \d+ rows \(a state is written by run --shard --state, never by hand\)\n$/);
      expect(cli(['merge', join(d, 's0.json'), join(d, 's1.json')]).code).toBe(0);
    });
  });
});
