import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, ROOT, scenario } from '../helpers.js';

/**
 * Models trained in PyTorch and exported with torch.onnx.export (fixtures/generate-torch.py): no
 * class labels in the graph, softmax or logits at the end. Values from scikit-learn on the same
 * outputs (fixtures/expected/pytorch-weather.json).
 */
const DIR = join(FIXTURES, 'pytorch-weather');
const REF = JSON.parse(readFileSync(join(FIXTURES, 'expected', 'pytorch-weather.json'), 'utf8')) as {
  classes: string[];
  n: number;
  softmax: Record<string, number>;
  logits_softmax: Record<string, number>;
  rain_sigmoid: Record<string, number>;
  rain_squeezed: Record<string, number>;
  rain_squeezed_double: Record<string, number>;
  rain_linear_score: Record<string, number>;
  absent_classes: string[];
};

const checklist = (model: string, extra: string, checks: string, label = 'weather') =>
  `version: 1\nmodel:\n  path: ${join(DIR, model)}\n  inputs: { x: [precipitation, temp_max, temp_min, wind] }\n${extra}datasets:\n  holdout: { path: ${join(DIR, 'holdout.csv')}, label: ${label} }\nchecks:\n${checks}`;
const run = (text: string) => {
  const dir = scenario({ 'c.yaml': text });
  const r = cli([join(dir, 'c.yaml'), '--format', 'json']);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
};
const value = (report: { checks: { id: string; measurements: { value: number | null }[] }[] }, id: string) => report.checks.find((c) => c.id === id)!.measurements[0]!.value;
const close = (a: number | null, b: number) => expect(Math.abs(a! - b)).toBeLessThan(1e-6 * Math.max(1, Math.abs(b)));

describe('PyTorch exports', () => {
  it('the example checklist: with the classes in training order, every metric is scikit-learn’s', () => {
    const r = cli(['checklists/pytorch-weather.yaml', '--format', 'json'], { cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    close(value(report, 'accuracy'), REF.softmax.accuracy!);
    close(value(report, 'log-loss'), REF.softmax.log_loss!);
    close(value(report, 'top-2'), REF.softmax.top_k_accuracy!);
    expect(report.checks.find((c: { id: string }) => c.id === 'outputs').details).toMatchObject({ classes: REF.classes, class_source: 'checklist' });
  });

  it('string labels and no classes: the run stops and asks for them, naming the labels', () => {
    const r = run(checklist('softmax.onnx', '', '  - { type: metric, metric: accuracy, min: 0.05 }\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/softmax\.onnx {2}output "scores" has 5 score columns but no class labels, and the labels in .*holdout\.csv \(column "weather": drizzle, fog, rain, sun\) do not say which column is which class \(set model\.classes to the 5 classes in score-column order/);
  });

  it('classes in the wrong order: the outputs check fails and names the likely order', () => {
    const r = run(checklist('softmax.onnx', '  classes: [drizzle, fog, rain, snow, sun]\n', '  - { type: metric, metric: accuracy, min: 0.05 }\n  - type: outputs\n'));
    expect(r.code).toBe(1);
    close(value(r.report, 'metric'), REF.softmax.accuracy_if_sorted!);
    const outputs = r.report.checks.find((c: { id: string }) => c.id === 'outputs');
    expect(outputs.status).toBe('fail');
    expect(outputs.findings[0].message).toMatch(/^the score columns look like they are in another order: with classes \[drizzle, fog, rain, snow, sun\] \(from the checklist\) 51 of 365 rows are right, with \[rain, sun, (drizzle, fog|fog, drizzle), snow\] 30\d$/);
  });

  it('logits: a metric that needs probabilities is refused before any row, saying why (the graph); outputs.kind: logits applies the softmax', () => {
    const classes = `  classes: [${REF.classes.join(', ')}]\n`;
    // the classes named, the task is known (multiclass) and the graph ends at a Gemm: refused before any row, by validate too
    for (const command of [[], ['validate']]) {
      const dir = scenario({ 'c.yaml': checklist('logits.onnx', classes, '  - { type: metric, metric: log_loss, max: 100 }\n  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n') });
      const refused = cli([...command, join(dir, 'c.yaml')]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toBe(`${join(dir, 'c.yaml')}:9:29  checks[0].metric: log_loss needs probabilities, but the scores of output "scores" are not: they come straight from the Gemm node "/body/body.2/Gemm", with no sigmoid or softmax after it (set model.outputs.kind: logits if the model ends at logits, or probabilities if they are probabilities all the same)\n`);
    }
    // with labels that are the class indices and no classes named, the labels decide the task when the
    // rows are read: the check refuses the metric when it runs, by the values it sees
    const [head, ...rows] = readFileSync(join(DIR, 'holdout.csv'), 'utf8').trim().split('\n');
    const at = head!.split(',').indexOf('weather');
    const indices = [head, ...rows.map((r) => r.split(',').map((v, i) => (i === at ? String(REF.classes.indexOf(v)) : v)).join(','))].join('\n');
    const dir = scenario({ 'indices.csv': `${indices}\n`, 'c.yaml': checklist('logits.onnx', '', '  - { type: metric, metric: log_loss, max: 100 }\n').replace(join(DIR, 'holdout.csv'), 'indices.csv') });
    expect(cli(['validate', join(dir, 'c.yaml')]).code).toBe(0);
    const late = cli([join(dir, 'c.yaml'), '--format', 'json']);
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout).checks[0].message).toMatch(/^could not be evaluated: log_loss needs probabilities, but the scores of output "scores" are not: line 2 has the score -?\d+\.\d+, outside \[0, 1\] \(if the model ends at logits, set model\.outputs\.kind: logits\)$/);
    // the argmax of logits is the argmax of their softmax: multiclass accuracy needs no probabilities
    const raw = run(checklist('logits.onnx', classes, '  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n'));
    expect(raw.code).toBe(0);
    close(value(raw.report, 'acc'), REF.logits_softmax.accuracy!);
    const fixed = run(checklist('logits.onnx', `${classes}  outputs: { kind: logits }\n`, '  - { type: metric, metric: log_loss, max: 100 }\n  - type: outputs\n'));
    expect(fixed.code).toBe(0);
    close(value(fixed.report, 'metric'), REF.logits_softmax.log_loss!);
  });

  it('a sigmoid [N, 1] output with 0/1 labels: binary, integer labels as column indices', () => {
    const r = run(checklist('rain-sigmoid.onnx', '  task: binary\n', '  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n  - { id: ll, type: metric, metric: log_loss, max: 1 }\n  - { id: brier, type: metric, metric: brier, max: 1 }\n', 'rain'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const id of ['acc', 'auc', 'll', 'brier'] as const) close(value(r.report, id), REF.rain_sigmoid[{ acc: 'accuracy', auc: 'roc_auc', ll: 'log_loss', brier: 'brier' }[id]]!);
    expect(r.report.checks[0].details).toMatchObject({ classes: ['0', '1'], class_source: 'label-index', positive: '1' });
  });

  it('one probability a row, [N] (squeezed), in single and in double precision (float64 input and output): scikit-learn’s metrics', () => {
    // torch's outputs (the references') and onnxruntime's agree to float32's rounding in single precision, to 1e-12 in double,
    // where the two precisions' log losses are 8e-8 apart (the same weights, rounded apart): each is the one measured
    for (const [model, ref, within] of [['rain-squeezed.onnx', REF.rain_squeezed, 1e-6], ['rain-squeezed-double.onnx', REF.rain_squeezed_double, 1e-12]] as const) {
      const r = run(checklist(model, '  task: binary\n', '  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n  - { id: ll, type: metric, metric: log_loss, max: 1 }\n', 'rain'));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      for (const id of ['acc', 'auc', 'll'] as const) expect(Math.abs(value(r.report, id)! - ref[{ acc: 'accuracy', auc: 'roc_auc', ll: 'log_loss' }[id]]!)).toBeLessThan(within);
    }
    expect(Math.abs(REF.rain_squeezed.log_loss! - REF.rain_squeezed_double.log_loss!)).toBeGreaterThan(1e-9);
  });

  it('a baseline read as a regression: the message names the baseline and its keys, not the model', () => {
    // a baseline inherits the candidate's unset keys, its task too: only a task of its own makes it a regression
    const baseline = `baseline:\n  path: ${join(DIR, 'rain-sigmoid.onnx')}\n  inputs: { x: [precipitation, temp_max, temp_min, wind] }\n  task: regression\n`;
    const r = run(checklist('rain-squeezed.onnx', `  task: binary\n${baseline}`, '  - { id: acc, type: metric, metric: accuracy, min: 0.5, compare: { to: baseline, max_regression: 0.1 } }\n', 'rain'));
    expect(r.code).toBe(2);
    // known before any row (the baseline's own task): refused at the check's metric as the run starts
    expect(r.stderr).toMatch(/c\.yaml:13:38 {2}checks\[0\]\.metric: accuracy does not apply to a regression baseline \(it applies to binary, multiclass; [^\n]* \(baseline\.task: binary, with baseline\.positive\)\)\n$/);
  });

  it('the same sigmoid output with no task in the checklist reads as a regression: a classification metric stops the run and says how to set the task', () => {
    const r = run(checklist('rain-sigmoid.onnx', '', '  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n', 'rain'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/c\.yaml:8:38 {2}checks\[0\]\.metric: accuracy does not apply to a regression model \(it applies to binary, multiclass; a model whose output is one float a row, with no class labels, is read as a regression unless the checklist sets its task \(model\.task: binary, with model\.positive\)\)\n$/);
  });

  it('a class the hold-out lacks: a metric undefined because of it names the class', () => {
    expect(REF.absent_classes).toEqual(['snow']);
    const r = run(checklist('softmax.onnx', `  classes: [${REF.classes.join(', ')}]\n`, '  - { type: metric, metric: roc_auc, min: 0.5 }\n'));
    expect(r.code).toBe(1);
    expect(r.report.checks[0].message).toBe('roc_auc is undefined on 365 rows of this dataset (no row of class snow)');
  });

  it('exports without dynamic axes (the batch fixed at 1 or 16 rows): runs of exactly that many rows, the same numbers as the dynamic export', () => {
    const classes = `  classes: [${REF.classes.join(', ')}]\n`;
    const multi = '  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n  - { id: ll, type: metric, metric: log_loss, max: 1 }\n  - { id: top2, type: metric, metric: top_k_accuracy, k: 2, min: 0.5 }\n';
    const fixed = run(checklist('softmax-batch1.onnx', classes, multi));
    const dynamic = run(checklist('softmax.onnx', classes, multi));
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    close(value(fixed.report, 'acc'), REF.softmax.accuracy!);
    close(value(fixed.report, 'll'), REF.softmax.log_loss!);
    close(value(fixed.report, 'top2'), REF.softmax.top_k_accuracy!);
    for (const id of ['acc', 'll', 'top2']) expect(value(fixed.report, id)).toBe(value(dynamic.report, id));
    // 365 rows in runs of 16: the last run is 13 rows and 3 copies of the last, whose scores are dropped
    const binary = '  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n  - { id: ll, type: metric, metric: log_loss, max: 1 }\n  - { id: brier, type: metric, metric: brier, max: 1 }\n';
    const b16 = run(checklist('rain-sigmoid-batch16.onnx', '  task: binary\n', binary, 'rain'));
    expect(b16.stderr).toBe('');
    expect(b16.code).toBe(0);
    expect(b16.report.checks[0].details.n ?? REF.n).toBe(REF.n);
    for (const id of ['acc', 'auc', 'll', 'brier'] as const) close(value(b16.report, id), REF.rain_sigmoid[{ acc: 'accuracy', auc: 'roc_auc', ll: 'log_loss', brier: 'brier' }[id]]!);
  });

  // latency checks here end by count (max_runs), far inside their time limit (2 × max_seconds) on a busy
  // machine: these tests are about inputs and batch sizes, not speed
  it('a fixed batch size: latency is timed and determinism probed at that size; other sizes asked for are refused in one line', () => {
    const probes = '  - { type: latency, dataset: holdout, p95_ms: 10000, max_seconds: 30, max_runs: 50 }\n  - { type: determinism, dataset: holdout }\n';
    const r = run(checklist('rain-sigmoid-batch16.onnx', '  task: binary\n', probes, 'rain'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [latency, determinism] = r.report.checks;
    expect(latency.measurements.map((m: { name: string }) => m.name).filter((n: string) => n.startsWith('batch'))).toEqual(['batch 16 p50', 'batch 16 p90', 'batch 16 p95', 'batch 16 p99', 'batch 16 max', 'batch 16 throughput']);
    expect(determinism.message.split(' · ')[0]).toBe('16 rows run twice, 16 also alone (alone: 16 copies of the row, the model\'s inputs fixing the batch at 16 rows)');
    expect(determinism.status).toBe('pass');
    const sizes = run(checklist('rain-sigmoid-batch16.onnx', '  task: binary\n', '  - { type: latency, batch_sizes: [1, 16], p95_ms: 10000 }\n', 'rain'));
    expect(sizes.code).toBe(2);
    expect(sizes.stderr).toMatch(/^\S*c\.yaml:9:5 {2}check "latency": batch_sizes asks for 1 row, but \S*rain-sigmoid-batch16\.onnx takes batches of exactly 16 rows \(its inputs fix the batch dimension\)/);
    expect(sizes.stderr.trim().split('\n')).toHaveLength(1);
    const rows = run(checklist('softmax-batch1.onnx', `  classes: [${REF.classes.join(', ')}]\n`, '  - { type: determinism, rows: 8 }\n'));
    expect(rows.code).toBe(2);
    expect(rows.stderr).toMatch(/check "determinism": rows asks for 8 rows, but \S*softmax-batch1\.onnx takes batches of exactly 1 row \(its inputs fix the batch dimension\)/);
  });

  it('an integer input (embedding indices): made-up probe values may be out of its range, and the error says so; real rows probe it', () => {
    const model = `model:\n  path: ${join(DIR, 'embedding.onnx')}\n  classes: [${REF.classes.join(', ')}]\n  inputs: { x: [precipitation, temp_max, temp_min, wind], flag: rain }\n`;
    const text = (checks: string) => `version: 1\n${model}datasets:\n  holdout: { path: ${join(DIR, 'holdout.csv')}, label: weather }\nchecks:\n${checks}`;
    const made = run(text('  - { type: latency, p95_ms: 10000, max_seconds: 30, max_runs: 50 }\n  - { type: determinism }\n  - { type: metric, metric: accuracy, min: 0.5 }\n'));
    // onnxruntime's own log lines stay off stderr: the error is reported once, in the report
    expect(made.stderr).toBe('');
    expect(made.code).toBe(1);
    for (const c of made.report.checks.slice(0, 2)) {
      expect(c.status).toBe('error');
      expect(c.message).toMatch(/^could not be evaluated: .*Gather.*out of data bounds.* \(on seeded random inputs, which may be outside what the model accepts: name a dataset in the check to probe real rows\)$/);
    }
    expect(made.report.checks[2].status).toBe('pass');
    const real = run(text('  - { type: latency, dataset: holdout, p95_ms: 10000, max_seconds: 30, max_runs: 50 }\n  - { type: determinism, dataset: holdout }\n'));
    expect(real.stderr).toBe('');
    expect(real.code).toBe(0);
  });

  it('a logit output first and the probability second: a metric that needs probabilities is refused before any row, naming the other output; set, the numbers are scikit-learn’s', () => {
    const checks = '  - { id: ll, type: metric, metric: log_loss, max: 1 }\n  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n';
    const dir = scenario({ 'c.yaml': checklist('rain-two-outputs.onnx', '  task: binary\n', checks, 'rain') });
    const refused = cli([join(dir, 'c.yaml')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`${join(dir, 'c.yaml')}:9:37  checks[0].metric: log_loss needs probabilities, but the scores of output "logit" are not: they come straight from the Gemm node "/net/body/body.2/Gemm", with no sigmoid or softmax after it (set model.outputs.kind: logits if the model ends at logits, or probabilities if they are probabilities all the same; if its output "p" holds the probabilities, set model.outputs.scores to it)\n`);
    // a ranking of one score a row needs no probabilities: ROC AUC of the logits, its ROC curve drawn, no calibration table (logits are no probabilities)
    const first = run(checklist('rain-two-outputs.onnx', '  task: binary\n', checks.split('\n')[1]! + '\n', 'rain'));
    expect(first.code).toBe(0);
    const auc = first.report.checks[0];
    expect(auc.status).toBe('pass');
    expect(auc.details.curves.model.roc.length).toBeGreaterThan(10);
    expect(auc.details.curves.model.calibration).toEqual([]);
    const named = run(checklist('rain-two-outputs.onnx', '  task: binary\n  outputs: { scores: p }\n', checks, 'rain'));
    expect(named.code).toBe(0);
    close(value(named.report, 'll'), REF.rain_sigmoid.log_loss!);
    close(value(named.report, 'auc'), REF.rain_sigmoid.roc_auc!);
  });

  it('a linear score that lies in [0, 1] (no sigmoid after the last Linear): nothing in the values says it is not a probability, the graph does; metrics that need one (before any row) and the outputs check refuse it until outputs.kind says what it is', () => {
    const checks = '  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }\n  - type: outputs\n';
    const dir = scenario({ 'c.yaml': checklist('rain-linear-score.onnx', '  task: binary\n', checks, 'rain') });
    const refused = cli(['validate', join(dir, 'c.yaml')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`${join(dir, 'c.yaml')}:9:38  checks[0].metric: accuracy needs probabilities, but the scores of output "scores" are not: they come straight from the Gemm node "/head/Gemm", with no sigmoid or softmax after it (set model.outputs.kind: logits if the model ends at logits, or probabilities if they are probabilities all the same)\n`);
    const raw = run(checklist('rain-linear-score.onnx', '  task: binary\n', checks.split('\n').slice(1).join('\n'), 'rain'));
    expect(raw.code).toBe(1);
    const [auc, outputs] = raw.report.checks;
    // a ranking needs no probabilities
    expect(auc.status).toBe('pass');
    close(value(raw.report, 'auc'), REF.rain_linear_score.roc_auc!);
    expect(outputs.status).toBe('fail');
    expect(outputs.findings.map((f: { code: string }) => f.code)).toEqual(['raw-scores']);
    const said = run(checklist('rain-linear-score.onnx', '  task: binary\n  outputs: { kind: probabilities }\n', checks, 'rain'));
    expect(said.code).toBe(0);
    close(value(said.report, 'acc'), REF.rain_linear_score.accuracy!);
  });

  it('scores the graph says are raw, before any row: every check that would threshold them (slices, robustness, fairness) is refused at its option, a baseline named as such; a ranking of one score a row is not', () => {
    const linear = join(DIR, 'rain-linear-score.onnx');
    const checks = [
      '  - { type: slices, metric: f1, by: [weather], min: 0 }',
      '  - { type: robustness, metric: recall, max_drop: 0.5, perturbations: [{ kind: noise }] }',
      '  - { type: fairness, sensitive: weather, max_demographic_parity_difference: 1 }',
      '  - { type: metric, metric: brier, max: 1, compare: { to: baseline, max_regression: 0.1 } }',
      '  - { id: auc-slices, type: slices, metric: roc_auc, by: [weather], min: 0 }',
    ].join('\n');
    const dir = scenario({ 'c.yaml': checklist('rain-sigmoid.onnx', '  task: binary\n', `${checks}\n`, 'rain').replace('datasets:', `baseline:\n  path: ${linear}\ndatasets:`).replace(`path: ${join(DIR, 'rain-sigmoid.onnx')}`, `path: ${linear}`) });
    const r = cli(['validate', join(dir, 'c.yaml')]);
    expect(r.code).toBe(2);
    const because = 'they come straight from the Gemm node "/head/Gemm", with no sigmoid or softmax after it';
    const hint = (role: string) => `(set ${role}.outputs.kind: logits if the model ends at logits, or probabilities if they are probabilities all the same)`;
    const at = (line: number, col: number) => `${join(dir, 'c.yaml')}:${line}:${col}`;
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${at(11, 29)}  checks[0].metric: f1 needs probabilities, but the scores of output "scores" are not: ${because} ${hint('model')}`,
      `${at(12, 33)}  checks[1].metric: recall needs probabilities, but the scores of output "scores" are not: ${because} ${hint('model')}`,
      `${at(13, 13)}  checks[2].type: accuracy needs probabilities, but the scores of output "scores" are not: ${because} ${hint('model')}`,
      `${at(14, 29)}  checks[3].metric: brier needs probabilities, but the scores of output "scores" are not: ${because} ${hint('model')}`,
      `${at(14, 29)}  checks[3].metric: brier needs probabilities, but the scores of output "scores" are not: ${because} ${hint('baseline')}`,
    ]);
  });

  it('labels written True/False (as pandas writes booleans) against classes 0 and 1: exit 2, saying to write them as 1 and 0', () => {
    const [head, ...rows] = readFileSync(join(DIR, 'holdout.csv'), 'utf8').trimEnd().split('\n');
    const dir = scenario({
      'holdout.csv': [head, ...rows.map((r) => r.replace(/,([01])$/, (_, v: string) => `,${v === '1' ? 'True' : 'False'}`))].join('\n'),
      'c.yaml': `version: 1\nmodel:\n  path: ${join(DIR, 'rain-sigmoid.onnx')}\n  task: binary\n  classes: [0, 1]\n  inputs: { x: [precipitation, temp_max, temp_min, wind] }\ndatasets:\n  holdout: { path: holdout.csv, label: rain }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n`,
    });
    const r = cli([join(dir, 'c.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^\S*holdout\.csv {2}line 2: label "(True|False)" is not one of the classes \(0, 1\) \(a boolean label against classes 0 and 1: write the labels as 1 \(True\) and 0 \(False\)\)$/);
  });
});
