// Shared by the determinism and latency tests: one check run on a model with the breast-cancer hold-out.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { FIXTURES, scenario } from '../helpers.js';

export async function runOnHoldout(checks: string, files: Record<string, string | Buffer> = {}, modelPath = 'model.onnx') {
  const dir = scenario(files);
  copyFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), join(dir, 'holdout.csv'));
  writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: ${modelPath}\ndatasets:\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n${checks}`);
  return (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
}

