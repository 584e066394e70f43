import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { registry } from '../../src/checks/index.js';
import { runChecklist } from '../../src/run/runner.js';
import { scenario } from '../helpers.js';

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
    expect(report.summary).toEqual({ pass: 1, fail: 0, warn: 0, skip: 0, error: 1, waived: 0 });
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

describe('limits', () => {
  it('each check runs under its own memory limit, else the run\'s, else the default', async () => {
    const { modelMemoryLimitMb, DEFAULT_MEMORY_LIMIT_MB } = await import('../../src/onnx/session.js');
    const seen: number[] = [];
    vi.spyOn(registry.find((d) => d.type === 'files')!, 'run').mockImplementation(async () => {
      seen.push(modelMemoryLimitMb());
      return { findings: [] };
    });
    const dir = scenario({ 'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - { id: a, type: files, files: [model.onnx], memory_limit_mb: 700 }\n  - { id: b, type: files, files: [model.onnx] }\n' });
    await runChecklist(loadChecklist(join(dir, 'c.yaml')), { memoryLimitMb: 900 });
    await runChecklist(loadChecklist(join(dir, 'c.yaml')));
    expect(seen).toEqual([700, 900, 700, DEFAULT_MEMORY_LIMIT_MB]);
  });
  it('a check well within its time limit is not cut short', async () => {
    vi.spyOn(registry.find((d) => d.type === 'files')!, 'run').mockImplementation(() => new Promise((resolve) => setTimeout(() => resolve({ findings: [] }), 30)));
    const dir = scenario({ 'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - { type: files, files: [model.onnx], timeout: 5 }\n' });
    const report = await runChecklist(loadChecklist(join(dir, 'c.yaml')));
    expect(report.checks[0]!.status).toBe('pass');
  });
});

describe('waivers', () => {
  // the files check fails on a file that does not exist
  const failing = (waiver: string, extra = '') => `version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - type: files\n    files: [missing.txt]\n    waiver: ${waiver}\n${extra}`;
  const run = async (yaml: string, asOf = '2026-11-28') => runChecklist(loadChecklist(join(scenario({ 'c.yaml': yaml }), 'c.yaml')), { now: new Date(`${asOf}T12:00:00Z`) });
  const full = '{ reason: "known gap, fixed in 1.3", approved_by: Ana Lima, expires: 2026-12-31 }';

  it('a failing check under a valid waiver is waived, not passed, and the gate passes', async () => {
    const report = await run(failing(full));
    expect(report.checks[0]!.status).toBe('waived');
    expect(report.checks[0]!.message).toMatch(/^waived until 2026-12-31 by Ana Lima \(known gap, fixed in 1\.3\): /);
    expect(report.checks[0]!.waiver).toEqual({ state: 'applied', reason: 'known gap, fixed in 1.3', approved_by: 'Ana Lima', expires: '2026-12-31' });
    expect(report.summary.waived).toBe(1);
    expect(report.summary.pass).toBe(0);
    expect(report.verdict).toBe('pass');
  });
  it('holds on its expiry day and fails the gate the day after, saying so', async () => {
    expect((await run(failing(full), '2026-12-31')).verdict).toBe('pass');
    const report = await run(failing(full), '2027-01-01');
    expect(report.checks[0]!.status).toBe('fail');
    expect(report.checks[0]!.message).toMatch(/^waiver expired on 2026-12-31 \(approved by Ana Lima\): /);
    expect(report.verdict).toBe('fail');
  });
  it.each([
    ['{ reason: x, expires: 2026-12-31 }', 'no approved_by'],
    ['{ approved_by: A, expires: 2026-12-31 }', 'no reason'],
    ['{ reason: x, approved_by: A }', 'no expires'],
    ['{ reason: " ", approved_by: A, expires: 2026-12-31 }', 'no reason'],
    ['{}', 'no reason, no approved_by, no expires'],
  ])('an incomplete waiver %s fails the gate: %s', async (waiver, missing) => {
    const report = await run(failing(waiver));
    expect(report.checks[0]!.status).toBe('fail');
    expect(report.checks[0]!.message).toContain(`waiver incomplete (${missing}): `);
    expect(report.verdict).toBe('fail');
  });
  it('never touches a check that passes or could not be evaluated', async () => {
    const passing = await run(`version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - type: files\n    files: [model.onnx]\n    waiver: ${full}\n`);
    expect(passing.checks[0]!.status).toBe('pass');
    expect(passing.checks[0]!.waiver?.state).toBe('unused');
    const files = registry.find((d) => d.type === 'files')!;
    vi.spyOn(files, 'run').mockRejectedValue(new Error('disk on fire'));
    const erroring = await run(failing(full));
    expect(erroring.checks[0]!.status).toBe('error');
    expect(erroring.verdict).toBe('fail');
  });
  it('a waiver with a date that is not one is a checklist error', () => {
    expect(() => loadChecklist(join(scenario({ 'c.yaml': failing('{ reason: x, approved_by: A, expires: next week }') }), 'c.yaml'))).toThrow(/c\.yaml:7:\d+ {2}checks\[0\]\.waiver\.expires: expected a date as YYYY-MM-DD/);
  });
});

describe('the model file: read once, planned and run from the same bytes', () => {
  it('a model file replaced after loadChecked planned it: the run evaluates and reports the bytes that were planned', async () => {
    const { copyFileSync, readFileSync } = await import('node:fs');
    const { createHash } = await import('node:crypto');
    const { loadChecked } = await import('../../src/checklist/columns.js');
    const { FIXTURES } = await import('../helpers.js');
    const dir = scenario({
      'c.yaml': 'version: 1\nmodel:\n  path: m.onnx\ndatasets:\n  h: { path: h.csv, label: diagnosis }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n',
      'm.onnx': readFileSync(join(FIXTURES, 'breast-cancer', 'model.onnx')),
      'h.csv': readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv')),
    });
    const planned = createHash('sha256').update(readFileSync(join(dir, 'm.onnx'))).digest('hex');
    const loaded = await loadChecked(join(dir, 'c.yaml'));
    copyFileSync(join(FIXTURES, 'breast-cancer', 'baseline.onnx'), join(dir, 'm.onnx'));
    const report = await runChecklist(loaded);
    expect(report.inputs.find((i) => i.path === 'm.onnx')?.sha256).toBe(planned);
    expect(report.checks[0]!.status).toBe('pass');
  });
});
