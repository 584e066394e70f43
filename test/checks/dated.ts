// Shared by the staleness and monitoring tests: one check run on the fixture model, dated.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { FIXTURES, scenario } from '../helpers.js';

export async function runDated(checks: string, files: Record<string, string | Buffer> = {}, now = '2026-11-28', modelPath = 'model.onnx', extra = '', only?: string[]) {
  const dir = scenario(files);
  copyFileSync(join(FIXTURES, 'breast-cancer', 'MODEL_CARD.md'), join(dir, 'card.md'));
  copyFileSync(join(FIXTURES, 'wine', 'model.onnx'), join(dir, 'wine.onnx'));
  writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: ${modelPath}\n${extra}checks:\n${checks}`);
  const report = await runChecklist(loadChecklist(join(dir, 'c.yaml')), { now: new Date(`${now}T00:00:00Z`), only });
  return report.checks.at(-1)!;
}
