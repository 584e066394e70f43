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
