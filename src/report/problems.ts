import { blocksGate } from './exit-code.js';
import { formatMeasurement, splitLocation } from './format-value.js';
import type { CheckResult, Report } from './types.js';

/**
 * What code-scanning formats (SARIF, GitLab Code Quality) list of one check: nothing when it passed
 * or was skipped; else each finding, each missed threshold, or the check's message when it has
 * neither; each at its file and line, or at the checklist when it has no place.
 */
export interface Problem {
  text: string;
  /** relative to the checklist's folder */
  file: string;
  line?: number;
  /** error: blocks the gate; warning: does not; note: waived */
  level: 'error' | 'warning' | 'note';
}

export function problemsOf(check: CheckResult, report: Report): Problem[] {
  if (check.status === 'pass' || check.status === 'skip') return [];
  const level = check.status === 'waived' ? 'note' : blocksGate(check, report.gate.fail_on) ? 'error' : 'warning';
  const listed: { text: string; location?: string }[] = [
    ...check.findings.map((f) => ({ text: `${f.message}${f.hint ? ` (${f.hint})` : ''}`, location: f.location })),
    ...check.measurements.filter((m) => m.passed === false).map((m) => ({ text: formatMeasurement(m) })),
  ];
  if (listed.length === 0) listed.push({ text: check.message });
  const waived = check.status === 'waived' ? ` [${check.message.split(': ')[0]}]` : '';
  return listed.map((p) => {
    const at = p.location ? splitLocation(p.location) : undefined;
    return { text: `${check.id}: ${p.text}${waived}`, file: at ? at.file : report.checklist.path.split('/').pop()!, ...(at?.line ? { line: at.line } : {}), level };
  });
}
