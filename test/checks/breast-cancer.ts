// Shared by the evaluation checks' tests (metric, slices, outputs): the breast-cancer candidate and
// baseline on their hold-out, with reference values computed by scikit-learn (fixtures/expected).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { FIXTURES, scenario } from '../helpers.js';

export const expected = (name: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, 'expected', 'metrics.json'), 'utf8')).cases as { name: string; expected: unknown }[]).find((c) => c.name === name)!.expected as { accuracy: number; log_loss: number; roc_auc: number; confusion_matrix: number[][] };
export const BC = expected('breast-cancer');
export const BC_BASE = expected('breast-cancer-baseline');

/** The breast-cancer candidate and baseline with their hold-out set, and the given checks. */
export async function bc(checks: string, model = '', swap = false, rows: (line: string) => boolean = () => true) {
  const dir = scenario();
  const [head, ...body] = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8').trimEnd().split('\n');
  writeFileSync(join(dir, 'holdout.csv'), [head, ...body.filter(rows)].join('\n'));
  const [m, b] = swap ? ['baseline.onnx', 'model.onnx'] : ['model.onnx', 'baseline.onnx'];
  const yaml = `version: 1\nmodel:\n  path: ${m}\n${model}baseline:\n  path: ${b}\ndatasets:\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n${checks}`;
  writeFileSync(join(dir, 'c.yaml'), yaml);
  const report = await runChecklist(loadChecklist(join(dir, 'c.yaml')));
  return { report, checks: report.checks, dir };
}
