import type { CheckResult, Report } from './types.js';

export const EXIT = { ready: 0, notReady: 1, couldNotRun: 2 } as const;

/** Does this check stop the gate? Errors always count for error-severity checks; warnings only with fail_on: warn. */
export function blocksGate(check: CheckResult, failOn: Report['gate']['fail_on']): boolean {
  switch (check.status) {
    case 'pass':
    case 'skip':
    case 'waived':
      return false;
    case 'fail':
      return true;
    case 'warn':
      return failOn === 'warn';
    case 'error':
      return check.severity === 'error' || failOn === 'warn';
  }
}

export function verdictOf(checks: CheckResult[], failOn: Report['gate']['fail_on']): Report['verdict'] {
  const ran = checks.filter((c) => c.status !== 'skip');
  if (ran.length === 0) return 'fail';
  return checks.some((c) => blocksGate(c, failOn)) ? 'fail' : 'pass';
}

/** The exit code is a pure function of the report. */
export function exitCode(report: Report): number {
  if (report.incomplete) return EXIT.notReady;
  return verdictOf(report.checks, report.gate.fail_on) === 'pass' ? EXIT.ready : EXIT.notReady;
}
