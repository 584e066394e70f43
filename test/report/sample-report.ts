// A report around the given checks, for the format tests (GitHub annotations, SARIF).
import type { CheckResult, Report } from '../../src/report/types.js';

export function report(checks: Partial<CheckResult>[]): Report {
  const full = checks.map((c, i) => ({ id: `c${i}`, type: 'metric', title: 'Metric', severity: 'error', tags: [], status: 'fail', message: 'm', measurements: [], findings: [], ...c }) as CheckResult);
  return {
    schema: 'deploy-check/report@1', tool: { name: 'deploy-check', version: '0' }, checklist: { path: 'ml/checklist.yaml', sha256: '0'.repeat(64) },
    inputs: [], gate: { fail_on: 'error' }, verdict: 'fail', summary: { pass: 0, fail: 0, warn: 0, skip: 0, error: 0, waived: 0 }, checks: full,
  };
}
