import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadChecklist } from '../src/checklist/load.js';
import { registry } from '../src/checks/index.js';
import { runChecklist } from '../src/runner.js';
import { scenario } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

describe('runner', () => {
  it('a check that throws becomes status error, the run goes on, the gate fails', async () => {
    const files = registry.find((d) => d.type === 'files')!;
    vi.spyOn(files, 'run').mockRejectedValue(new Error('disk on fire'));
    const dir = scenario({ 'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - type: files\n    files: [model.onnx]\n  - type: model\n' });
    const report = await runChecklist(loadChecklist(join(dir, 'c.yaml')));
    expect(report.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['files', 'error', 'could not be evaluated: disk on fire'],
      ['model', 'pass', expect.stringContaining('model.onnx loads')],
    ]);
    expect(report.verdict).toBe('fail');
    expect(report.summary).toEqual({ pass: 1, fail: 0, warn: 0, skip: 0, error: 1 });
  });

  it('an erroring warn-severity check does not fail the gate unless fail_on is warn', async () => {
    const files = registry.find((d) => d.type === 'files')!;
    vi.spyOn(files, 'run').mockRejectedValue(new Error('flaky'));
    const dir = scenario({ 'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - type: files\n    severity: warn\n    files: [model.onnx]\n  - type: model\n' });
    expect((await runChecklist(loadChecklist(join(dir, 'c.yaml')))).verdict).toBe('pass');
    expect((await runChecklist(loadChecklist(join(dir, 'c.yaml')), { failOn: 'warn' })).verdict).toBe('fail');
  });
});

describe('runner: statuses decided from what a check returns', () => {
  const dir = () => scenario({ 'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - { id: a, type: files, files: [model.onnx] }\n  - { id: b, type: files, files: [model.onnx], severity: warn, tags: [slow] }\n' });
  const files = () => registry.find((d) => d.type === 'files')!;

  it.each([
    ['a finding alone fails the check (warns at warn severity)', { findings: [{ code: 'x', message: 'bad' }] }, 'fail', 'warn', 'fail'],
    ['a failed measurement alone fails it', { findings: [], measurements: [{ name: 'm', value: 1, threshold: { max: 0 }, passed: false }] }, 'fail', 'warn', 'fail'],
    ['a measurement without a verdict does not', { findings: [], measurements: [{ name: 'm', value: 1 }] }, 'pass', 'pass', 'pass'],
    ['nothing found passes', { findings: [] }, 'pass', 'pass', 'pass'],
  ] as const)('%s', async (_name, outcome, a, b, verdictIfWarnFails) => {
    vi.spyOn(files(), 'run').mockResolvedValue(outcome as never);
    const report = await runChecklist(loadChecklist(join(dir(), 'c.yaml')));
    expect(report.checks.map((c) => c.status)).toEqual([a, b]);
    expect(report.verdict).toBe(a === 'fail' ? 'fail' : 'pass');
    const strict = await runChecklist(loadChecklist(join(dir(), 'c.yaml')), { failOn: 'warn' });
    expect(strict.verdict).toBe(verdictIfWarnFails);
  });

  it('--only and --skip by id or tag: the others are skipped, and skipped checks never decide the verdict', async () => {
    vi.spyOn(files(), 'run').mockResolvedValue({ findings: [] });
    const only = await runChecklist(loadChecklist(join(dir(), 'c.yaml')), { only: ['slow'] });
    expect(only.checks.map((c) => [c.id, c.status, c.message])).toEqual([['a', 'skip', 'not selected (--only/--skip)'], ['b', 'pass', expect.any(String)]]);
    const skip = await runChecklist(loadChecklist(join(dir(), 'c.yaml')), { skip: ['a'] });
    expect(skip.checks.map((c) => c.status)).toEqual(['skip', 'pass']);
    expect(skip.verdict).toBe('pass');
  });

  it('a check past its time limit errors and the next check still runs', async () => {
    const spy = vi.spyOn(files(), 'run');
    spy.mockImplementationOnce(() => new Promise(() => {}));
    spy.mockResolvedValueOnce({ findings: [] });
    const report = await runChecklist(loadChecklist(join(dir(), 'c.yaml')), { timeout: 0.05 });
    expect(report.checks.map((c) => [c.status, c.message])).toEqual([
      ['error', 'could not be evaluated: timed out after 0.05 s (its time limit; set timeout on the check or --timeout)'],
      ['pass', expect.any(String)],
    ]);
    expect(report.verdict).toBe('fail');
  });
});
