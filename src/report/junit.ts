import { blocksGate } from './exit-code.js';
import { xmlText as x } from './escape.js';
import { formatMeasurement } from './format-value.js';
import type { CheckResult, Report } from './types.js';

/** JUnit XML: one testcase per check, as GitLab, Jenkins and most CI test viewers read it. */
export function formatJunit(report: Report): string {
  const failOn = report.gate.fail_on;
  const failures = report.checks.filter((k) => k.status !== 'error' && blocksGate(k, failOn)).length;
  const errors = report.checks.filter((k) => k.status === 'error' && blocksGate(k, failOn)).length;
  const skipped = report.checks.filter((k) => k.status === 'skip' || k.status === 'waived').length;
  const suite = x(report.checklist.name ?? report.checklist.path);
  const counts = `tests="${report.checks.length}" failures="${failures}" errors="${errors}"`;
  // `skipped` is an attribute of a testsuite only: Jenkins' schema (junit-10.xsd) refuses it on testsuites
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="deploy-check" ${counts}>`,
    `  <testsuite name="${suite}" ${counts} skipped="${skipped}">`,
    ...report.checks.map((k) => testcase(k, failOn)),
    '  </testsuite>',
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}

function testcase(check: CheckResult, failOn: Report['gate']['fail_on']): string {
  const open = `    <testcase classname="deploy-check.${x(check.type)}" name="${x(check.id)}">`;
  const body = details(check);
  let inner: string;
  if (check.status === 'skip') inner = `      <skipped message="${x(check.message)}"/>`;
  else if (check.status === 'waived') inner = `      <skipped message="${x(`waived: ${check.message}`)}"/>`;
  else if (check.status === 'error' && blocksGate(check, failOn)) inner = `      <error message="${x(check.message)}" type="error">${x(body)}</error>`;
  else if (blocksGate(check, failOn)) inner = `      <failure message="${x(check.message)}" type="${check.status}">${x(body)}</failure>`;
  else inner = `      <system-out>${x(check.status === 'pass' ? body || check.message : `${check.status}: ${check.message}\n${body}`)}</system-out>`;
  return `${open}\n${inner}\n    </testcase>`;
}

function details(check: CheckResult): string {
  return [
    ...check.measurements.map(formatMeasurement),
    ...check.findings.map((f) => `${f.message}${f.location ? ` (${f.location})` : ''}${f.hint ? ` -> ${f.hint}` : ''}`),
  ].join('\n');
}
