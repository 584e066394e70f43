import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadChecklist } from '../src/checklist/load.js';
import { runChecklist, type RunOptions } from '../src/run/runner.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const MODEL = join(FIXTURES, 'breast-cancer', 'model.onnx');
export const BASELINE = join(FIXTURES, 'breast-cancer', 'baseline.onnx');
/** sha256 of fixtures/breast-cancer/model.onnx, computed with sha256sum when the fixture was generated */
export const MODEL_SHA = 'a0208769f0327d107277b1555dd49e1b4ebc3bd31d82afc491ca10d592b3583a';
export const BASELINE_SHA = 'c63f69314d7d7582d21f2bf7237c3d5ffa1db0f919e0fc98bacd025272a4697b';

/** A fresh folder holding the given files; `model.onnx` and `baseline.onnx` are copies of the fixtures. */
export function scenario(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-check-'));
  copyFileSync(MODEL, join(dir, 'model.onnx'));
  copyFileSync(BASELINE, join(dir, 'baseline.onnx'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** A checklist around one check (given as YAML lines), with the fixture model. */
export function checklistWith(check: string, extra = ''): string {
  return `version: 1\nmodel:\n  path: model.onnx\n${extra}checks:\n${check}`;
}

export async function runScenario(files: Record<string, string | Buffer>, options: RunOptions = {}) {
  const dir = scenario(files);
  return runChecklist(loadChecklist(join(dir, 'checklist.yaml')), options);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would. */
export function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The lines GitHub's runner would run as workflow commands (a port of ActionCommand.TryParseV2 and
 * TryParse in actions/runner): one that starts with "::" once its leading whitespace is trimmed, or
 * one holding "##[" with a "]" after it. Lines end at \n, \r\n or a lone \r.
 */
export function ciCommandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => {
    if (line.trimStart().startsWith('::')) return true;
    const at = line.indexOf('##[');
    return at >= 0 && line.indexOf(']', at) > at;
  });
}
