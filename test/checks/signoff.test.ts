import { describe, expect, it } from 'vitest';
import { BASELINE_SHA, checklistWith, MODEL_SHA, runScenario } from '../helpers.js';

const asOf = new Date('2026-11-28T00:00:00Z');
const approval = (role: string, date: string, sha = MODEL_SHA, name = 'Ana') => `  - role: ${role}\n    name: ${name}\n    date: ${date}\n    model_sha256: ${sha}\n`;

async function signoff(approvals: string, options = '    roles: [ml-lead, clinical-safety]\n') {
  const report = await runScenario(
    { 'checklist.yaml': checklistWith(`  - type: signoff\n    path: approvals.yaml\n${options}`, ''), 'approvals.yaml': approvals },
    { now: asOf },
  );
  const c = report.checks[0]!;
  return { status: c.status, messages: c.findings.map((f) => f.message), codes: c.findings.map((f) => f.code), check: c };
}

describe('signoff', () => {
  it('passes when every role approved this exact model', async () => {
    const r = await signoff(`approvals:\n${approval('ml-lead', '2026-11-20')}${approval('Clinical-Safety', '2026-11-01')}`);
    expect(r.messages).toEqual([]);
    expect(r.check.details).toMatchObject({ as_of: '2026-11-28', approvals: [{ role: 'ml-lead', age_days: 8 }, { role: 'clinical-safety', age_days: 27 }] });
  });

  it('does not count an approval of another model file', async () => {
    const r = await signoff(`approvals:\n${approval('ml-lead', '2026-11-20')}${approval('clinical-safety', '2026-11-20', BASELINE_SHA, 'Luis')}`);
    expect(r.status).toBe('fail');
    expect(r.messages).toEqual([`Luis (clinical-safety) approved another file: sha256 ${BASELINE_SHA.slice(0, 12)}…, not model.onnx (${MODEL_SHA.slice(0, 12)}…)`]);
    expect(r.check.findings[0]!.location).toBe('approvals.yaml:6');
  });

  it('reports a missing role', async () => {
    expect((await signoff(`approvals:\n${approval('ml-lead', '2026-11-20')}`)).messages).toEqual(['no approval from the clinical-safety role']);
  });

  it('enforces max_age_days and refuses approvals dated in the future', async () => {
    const r = await signoff(`approvals:\n${approval('ml-lead', '2026-08-01')}${approval('clinical-safety', '2026-12-01')}`, '    roles: [ml-lead, clinical-safety]\n    max_age_days: 90\n');
    expect(r.codes).toEqual(['approval-expired', 'approval-future']);
    expect(r.messages[0]).toBe('Ana (ml-lead) approved on 2026-08-01, 119 days ago (at most 90 allowed)');
  });

  it('one fresh approval is enough when an older one exists', async () => {
    const r = await signoff(`approvals:\n${approval('ml-lead', '2025-01-01')}${approval('ml-lead', '2026-11-27')}`, '    roles: [ml-lead]\n    max_age_days: 30\n');
    expect(r.messages).toEqual([]);
  });

  it('validates the approvals file with positions', async () => {
    await expect(signoff('approvals:\n  - role: ml-lead\n    name: Ana\n    date: 28/11/2026\n    model_sha256: abc\n')).rejects.toThrow(
      'approvals.yaml:4:11  approvals[0].date: expected a date as YYYY-MM-DD\napprovals.yaml:5:19  approvals[0].model_sha256: expected a sha256 digest (64 hexadecimal digits)',
    );
    await expect(signoff(`approvals:\n${approval('ml-lead', '2026-02-30')}`)).rejects.toThrow('approvals.yaml:4:11  approvals[0].date: not a calendar date');
    await expect(signoff(`approvals:\n${approval('ml-lead', '2026-11-20')}    signed: yes\n`)).rejects.toThrow('approvals.yaml:6:5  approvals[0].signed: unknown key "signed"');
  });
});
