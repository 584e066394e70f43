import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { initChecklist, roundOut } from '../../src/run/init.js';
import { runChecklist } from '../../src/run/runner.js';
import { cli, FIXTURES, MODEL_SHA, ROOT } from '../helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const folder = () => mkdtempSync(join(tmpdir(), 'deploy-check-init-'));

describe('deploy-check init', () => {
  it('rounds thresholds outwards to two significant digits', () => {
    expect(roundOut(0.9415, 'down')).toBe(0.94);
    expect(roundOut(0.96, 'down')).toBe(0.96);
    expect(roundOut(0.1151, 'up')).toBe(0.12);
    expect(roundOut(47.71, 'up')).toBe(48);
    expect(roundOut(0.3437, 'down')).toBe(0.34);
    expect(roundOut(-0.123, 'down')).toBe(-0.13);
    expect(roundOut(-0.123, 'up')).toBe(-0.12);
    expect(roundOut(0, 'up')).toBe(0);
  });

  it('binary: the model pinned by its sha256, the documentation next to it, and metric thresholds below the measured intervals', async () => {
    const dir = folder();
    const out = join(dir, 'deploy-check.yaml');
    const written = await initChecklist({ model: join(FIXTURES, 'breast-cancer', 'model.onnx'), dataset: join(FIXTURES, 'breast-cancer', 'holdout.csv'), label: 'diagnosis', output: out, now });
    expect(written.checks).toBe(11);
    const loaded = loadChecklist(out);
    expect(loaded.checklist.model.sha256).toBe(MODEL_SHA);
    const header = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8').split('\n')[0]!.split(',');
    expect(loaded.checklist.model).toMatchObject({ task: 'binary', classes: ['B', 'M'], positive: 'M', inputs: { input: header.filter((c) => c !== 'diagnosis') } });
    expect(loaded.checks.map((c) => c.type)).toEqual(['model', 'model-card', 'hyperparameters', 'signoff', 'monitoring', 'outputs', 'metric', 'metric', 'metric', 'metric', 'metric']);
    const report = await runChecklist(loaded, { now });
    for (const check of report.checks.filter((c) => c.type === 'metric')) {
      const m = check.measurements[0]!;
      expect(check.status).toBe('pass');
      const bound = (m.threshold!.min ?? m.threshold!.max)!;
      // the threshold is the interval's bound on the failing side, rounded outwards, and no further
      if (m.threshold!.min !== undefined) expect(bound).toBe(roundOut(m.ci![0], 'down'));
      else expect(bound).toBe(roundOut(m.ci![1], 'up'));
    }
    expect(readFileSync(out, 'utf8')).toMatch(/min: 0\.93 {3}# measured 0\.9708 \[0\.9334, 0\.9874\] on 171 rows, 2026-11-28/);
  });

  it('a glob of files as the dataset: written as the glob, measured on all of them', async () => {
    const dir = folder();
    const out = join(dir, 'deploy-check.yaml');
    await initChecklist({ model: join(FIXTURES, 'breast-cancer', 'model.onnx'), dataset: join(FIXTURES, 'breast-cancer', 'parts', 'holdout-*.csv'), label: 'diagnosis', output: out, now });
    const loaded = loadChecklist(out);
    expect(loaded.checklist.datasets!.holdout!.path).toBe(`${relative(dir, join(FIXTURES, 'breast-cancer', 'parts'))}/holdout-*.csv`);
    // the same measurement as on the file the parts were cut from
    expect(readFileSync(out, 'utf8')).toMatch(/min: 0\.93 {3}# measured 0\.9708 \[0\.9334, 0\.9874\] on 171 rows, 2026-11-28/);
    const none = cli(['init', '--model', join(FIXTURES, 'breast-cancer', 'model.onnx'), '--dataset', 'nothing-*.csv', '--label', 'y', '-o', 'other.yaml'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('nothing-*.csv  matches no file (a glob is relative to the current folder)\n');
  });

  it('the schema it names is the one shipped with deploy-check, by a path that resolves', async () => {
    const dir = folder();
    const out = join(dir, 'c.yaml');
    const { text } = await initChecklist({ model: join(FIXTURES, 'breast-cancer', 'model.onnx'), output: out, now });
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)![1]!;
    expect(readFileSync(join(dir, schema), 'utf8')).toBe(readFileSync(join(ROOT, 'schema', 'checklist.schema.json'), 'utf8'));
  });

  describe('on PyTorch exports (no class labels in the graph, extra columns in the hold-out)', () => {
    const D = join(FIXTURES, 'pytorch-weather');
    const init = (extra: string[]) => {
      const dir = folder();
      return { dir, r: cli(['init', '--model', join(D, extra[0]!), '--dataset', join(D, 'holdout.csv'), ...extra.slice(1), '-o', 'c.yaml'], { cwd: dir }) };
    };

    it('a dataset with columns the model does not read: the message lists them and says how to choose', () => {
      const { dir, r } = init(['rain-sigmoid.onnx', '--label', 'rain']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`deploy-check: input "x" of ${join(D, 'rain-sigmoid.onnx')} takes 4 columns, but ${join(D, 'holdout.csv')} has 6 besides the label (date, precipitation, temp_max, temp_min, wind, weather): choose them with --inputs col,col,… or leave columns out with --drop col,… (here, perhaps --drop date,weather)\n`);
      expect(existsSync(join(dir, 'c.yaml'))).toBe(false);
    });

    it('a misspelt column in --inputs: the hint is never a column --inputs already names', () => {
      // temp_mix is as near temp_max (named, and first in the file) as temp_min (not named)
      const { dir, r } = init(['rain-sigmoid.onnx', '--label', 'rain', '--inputs', 'precipitation,temp_max,wind,temp_mix']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`deploy-check: --inputs temp_mix: ${join(D, 'holdout.csv')} has no column "temp_mix" (did you mean "temp_min"?)\n`);
      expect(existsSync(join(dir, 'c.yaml'))).toBe(false);
    });

    it('a sigmoid [N, 1] output and 0/1 labels: task, classes, positive and the outputs check written; --drop or --inputs', async () => {
      for (const choose of [['--drop', 'date,weather'], ['--inputs', 'precipitation,temp_max,temp_min,wind']]) {
        const { dir, r } = init(['rain-sigmoid.onnx', '--label', 'rain', ...choose]);
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('wrote c.yaml: 7 checks. Read it, then run: deploy-check c.yaml\n');
        const loaded = loadChecklist(join(dir, 'c.yaml'));
        expect(loaded.checklist.model).toMatchObject({ task: 'binary', classes: [0, 1], positive: 1, inputs: { x: ['precipitation', 'temp_max', 'temp_min', 'wind'] } });
        expect(loaded.checks.map((c) => c.type)).toEqual(['model', 'outputs', 'metric', 'metric', 'metric', 'metric', 'metric']);
        expect((await runChecklist(loaded, { now })).verdict).toBe('pass');
      }
    });

    it('a sigmoid [N, 1] output and two labels written as words: --positive is asked for (which class the score is of), never guessed', async () => {
      const dir = folder();
      // the hold-out with rain written yes/no
      const csv = readFileSync(join(D, 'holdout.csv'), 'utf8').replace(/,([01])$/gm, (_, r: string) => (r === '1' ? ',yes' : ',no'));
      writeFileSync(join(dir, 'h.csv'), csv);
      const ask = (more: string[]) => cli(['init', '--model', join(D, 'rain-sigmoid.onnx'), '--dataset', 'h.csv', '--label', 'rain', '--drop', 'date,weather', ...more, '-o', 'c.yaml'], { cwd: dir });
      const asked = ask([]);
      expect(asked.code).toBe(2);
      expect(asked.stderr).toBe(`deploy-check: ${join(D, 'rain-sigmoid.onnx')}: its output is one score a row, with no class label, and the labels of "rain" (no, yes) do not say which class that score is the probability of: give --positive with that class (for example --positive yes), as the model was trained\n`);
      expect(ask(['--positive', 'maybe']).stderr).toBe('deploy-check: --positive maybe: not one of the labels of "rain" (no, yes)\n');
      // five labels for one score a row: no --positive makes it binary
      const five = init(['rain-sigmoid.onnx', '--label', 'weather', '--drop', 'date,rain']);
      expect(five.r.stderr).toBe(`deploy-check: ${join(D, 'rain-sigmoid.onnx')}: its output is one score a row, as a binary classifier's is, but the labels of "weather" (drizzle, fog, rain, sun) are 4 classes\n`);
      const r = ask(['--positive', 'yes']);
      expect(r.stderr).toBe('');
      const loaded = loadChecklist(join(dir, 'c.yaml'));
      expect(loaded.checklist.model).toMatchObject({ task: 'binary', classes: ['no', 'yes'], positive: 'yes' });
      expect((await runChecklist(loaded, { now })).verdict).toBe('pass');
    });

    it('a softmax [N, C] output and string labels: --classes is asked for, never guessed; with it, the classes the data lack are kept', async () => {
      const asked = init(['softmax.onnx', '--label', 'weather', '--drop', 'date,rain']);
      expect(asked.r.code).toBe(2);
      expect(asked.r.stderr).toMatch(/its 5 score columns have no class labels, and the labels of "weather" \(drizzle, fog, rain, sun\) do not say their order: give --classes in score-column order/);
      // the hold-out has no snow: the five classes are asked for, not the four it holds
      expect(asked.r.stderr).toMatch(/; the dataset holds 4 of the 5 classes: name all 5, the ones it lacks too\n$/);
      const { dir, r } = init(['softmax.onnx', '--label', 'weather', '--drop', 'date,rain', '--classes', 'rain,sun,fog,drizzle,snow']);
      expect(r.code).toBe(0);
      const text = readFileSync(join(dir, 'c.yaml'), 'utf8');
      expect(text).toContain('  task: multiclass\n  classes: [rain, sun, fog, drizzle, snow]   # score columns\' order, from init --classes\n');
      expect(text).toContain('  # roc_auc: not proposed (roc_auc is undefined on 365 rows of this dataset (no row of class snow))\n');
      expect(text).not.toMatch(/\.deploy-check-init|\bm\d\b/);
      expect((await runChecklist(loadChecklist(join(dir, 'c.yaml')), { now })).verdict).toBe('pass');
    });

    it('a model that ends at logits: a warning and a comment say so and name --logits; with it, the scores go through a softmax and the checklist passes', async () => {
      const args = ['logits.onnx', '--label', 'weather', '--drop', 'date,rain', '--classes', 'rain,sun,fog,drizzle,snow'];
      const raw = init(args);
      expect(raw.r.code).toBe(0);
      expect(raw.r.stderr).toMatch(/^warning: the scores are not probabilities \(line 2 has the score -?\d+\.\d+, outside \[0, 1\]\): the outputs check will fail and no metric that needs probabilities is proposed; if the model ends at logits, run init again with --logits\n$/);
      expect(readFileSync(join(raw.dir, 'c.yaml'), 'utf8')).toMatch(/\n {2}# the scores are not probabilities \(line 2 has the score -?[\d.]+, outside \[0, 1\]\): if the model ends at logits, run init again with --logits\n/);
      const { dir, r } = init([...args, '--logits']);
      expect(r.stderr).toBe('');
      const loaded = loadChecklist(join(dir, 'c.yaml'));
      expect(loaded.checklist.model).toMatchObject({ outputs: { kind: 'logits' } });
      expect((await runChecklist(loaded, { now })).verdict).toBe('pass');
      // scores in [0, 1] that the graph says are raw: --logits, or kind: probabilities if they are probabilities all the same
      const linear = init(['rain-linear-score.onnx', '--label', 'rain', '--drop', 'date,weather']);
      expect(linear.r.stderr).toContain('warning: the scores are not probabilities (they come straight from the Gemm node "/head/Gemm", with no sigmoid or softmax after it: that this dataset\'s lie in [0, 1] does not make them probabilities): the outputs check will fail and no metric that needs probabilities is proposed; if the model ends at logits, run init again with --logits; if they are probabilities all the same, write outputs: { kind: probabilities } in the model\n');
      // without a dataset there is nothing to read the scores of
      const alone = cli(['init', '--model', join(D, 'logits.onnx'), '--logits', '-o', 'c.yaml'], { cwd: folder() });
      expect([alone.code, alone.stderr]).toEqual([2, 'deploy-check: --logits needs --dataset and --label\n']);
    });

    it('the wrong label (0/1 rain where the model scores five kinds of weather): no thresholds measured on nonsense, and a warning saying why', async () => {
      const { dir, r } = init(['logits.onnx', '--label', 'rain', '--drop', 'date,weather']);
      expect(r.code).toBe(0);
      const [logits, order] = r.stderr.trimEnd().split('\n');
      expect(logits).toMatch(/^warning: the scores are not probabilities \(line 2 has the score -?[\d.]+, outside \[0, 1\]\): .* run init again with --logits$/);
      expect(order).toBe('warning: no metric thresholds proposed: the score columns look like they are in another order (with classes [0, 1, 2, 3, 4] (from integer labels as column indices) 0 of 365 rows are right, with [1, 0, 2, 3, 4] 363); check --label (is it the column the model predicts?) and give --classes in score-column order');
      const text = readFileSync(join(dir, 'c.yaml'), 'utf8');
      expect(text).not.toContain('type: metric');
      expect(text).toContain('  # no metric thresholds proposed: the score columns look like they are in another order');
      // the checklist it wrote does not pass either: its outputs check names the order
      const report = await runChecklist(loadChecklist(join(dir, 'c.yaml')), { now });
      expect(report.verdict).toBe('fail');
      expect(report.checks.find((c) => c.type === 'outputs')!.findings.map((f) => f.code)).toContain('column-order');
    });

    it('never a threshold that cannot fail: a metric whose interval reaches its own limit is not proposed', () => {
      // a label that is 0 on every row: f1 of the positive class is 0 [0, 0], so "min: 0" would pass any model
      const dir = folder();
      const rows = readFileSync(join(D, 'holdout.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
      const col = (name: string) => rows[0]!.indexOf(name);
      const keep = ['precipitation', 'temp_max', 'temp_min', 'wind'].map(col);
      writeFileSync(join(dir, 'none.csv'), [[...keep.map((k) => rows[0]![k]), 'hail'].join(','), ...rows.slice(1).map((r) => [...keep.map((k) => r[k]), '0'].join(','))].join('\n') + '\n');
      const r = cli(['init', '--model', join(D, 'rain-sigmoid.onnx'), '--dataset', 'none.csv', '--label', 'hail', '-o', 'c.yaml'], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('warning: f1: not proposed (measured 0 [0, 0] on 365 rows: a threshold at the interval\'s bound (0) could never fail); is the label the column the model predicts?\n');
      const loaded = loadChecklist(join(dir, 'c.yaml'));
      const thresholds = loaded.checks.flatMap((c) => (c.type === 'metric' ? [c as unknown as { metric: string; min?: number; max?: number }] : []));
      expect(thresholds.map((t) => t.metric)).toEqual(['accuracy', 'balanced_accuracy', 'log_loss']);
      // each threshold proposed can fail: a min above the metric's least value (0 here), a max below none
      for (const t of thresholds) if (t.min !== undefined) expect(t.min).toBeGreaterThan(0);
    });
  });

  it('regression, told apart by the label column, with its own metrics', async () => {
    const out = join(folder(), 'c.yaml');
    await initChecklist({ model: join(FIXTURES, 'diabetes', 'model.onnx'), dataset: join(FIXTURES, 'diabetes', 'holdout.csv'), label: 'progression', output: out, now });
    const loaded = loadChecklist(out);
    expect(loaded.checks.filter((c) => c.type === 'metric').map((c) => (c as { metric: string }).metric)).toEqual(['mae', 'rmse', 'r2']);
    expect(loaded.checklist.model).toMatchObject({ task: 'regression', inputs: { float_input: ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'] } });
    expect((await runChecklist(loaded, { now })).verdict).toBe('pass');
  });

  it('without a dataset, and with no documentation next to the model: the model check, and the rest suggested in comments', async () => {
    const dir = folder();
    copyFileSync(join(FIXTURES, 'wine', 'model.onnx'), join(dir, 'wine.onnx'));
    const out = join(dir, 'c.yaml');
    await initChecklist({ model: join(dir, 'wine.onnx'), output: out, now });
    const text = readFileSync(out, 'utf8');
    expect(loadChecklist(out).checks.map((c) => c.type)).toEqual(['model']);
    expect(text).toContain('#  - type: model-card        # no MODEL_CARD.md next to the model');
    expect(text).toContain('#  (with --dataset and --label, init also measures the model and proposes metric thresholds)');
    expect(text).toContain('  path: wine.onnx\n');
  });

  it('never overwrites a file, and says so (exit 2)', () => {
    const dir = folder();
    writeFileSync(join(dir, 'deploy-check.yaml'), 'mine\n');
    const r = cli(['init', '--model', join(FIXTURES, 'breast-cancer', 'model.onnx')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('deploy-check: deploy-check.yaml exists: init never overwrites a file (choose another --output)\n');
    expect(readFileSync(join(dir, 'deploy-check.yaml'), 'utf8')).toBe('mine\n');
  });

  it.each([
    [['--dataset', 'd.csv'], 'deploy-check: --dataset needs --label, the column that holds the true values\n'],
    [['--label', 'y'], 'deploy-check: --label needs --dataset\n'],
  ])('refuses %j', (extra, message) => {
    const dir = folder();
    const r = cli(['init', '--model', join(FIXTURES, 'breast-cancer', 'model.onnx'), ...extra], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
    expect(existsSync(join(dir, 'deploy-check.yaml'))).toBe(false);
  });

  it('a model that is not ONNX: exit 2 naming it, nothing written', () => {
    const dir = folder();
    writeFileSync(join(dir, 'm.onnx'), 'not a model');
    const r = cli(['init', '--model', 'm.onnx'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^m\.onnx {2}is not a readable ONNX model/);
    expect(existsSync(join(dir, 'deploy-check.yaml'))).toBe(false);
  });
});
