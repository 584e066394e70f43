import { markdownText as m } from './escape.js';
import { formatMeasurement } from './format-value.js';
import type { Report, Status } from './types.js';

const ICON = { pass: '✅', fail: '❌', warn: '⚠️', skip: '⏭️', error: '💥', waived: '🟦' } satisfies Record<Status, string>;

/** A compact table for pull-request comments and CI step summaries, then the problems. */
export function formatMarkdown(report: Report): string {
  const title = report.checklist.name ? ` — ${m(report.checklist.name)}` : '';
  const s = report.summary;
  const out = [
    `### ${report.incomplete ? '❌ Not ready to deploy (run interrupted, incomplete)' : report.verdict === 'pass' ? '✅ Ready to deploy' : '❌ Not ready to deploy'}${title}`,
    '',
    `${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.error} errored, ${s.waived} waived, ${s.skip} skipped · checklist \`${report.checklist.sha256.slice(0, 12)}\``,
    '',
    '| | Check | Type | Result |',
    '| --- | --- | --- | --- |',
    ...report.checks.map((k) => `| ${ICON[k.status]} | ${m(k.id)} | ${m(k.type)} | ${m(k.message)} |`),
  ];
  const problems = report.checks.filter((k) => k.findings.length || k.measurements.some((x) => x.passed === false));
  if (problems.length) {
    out.push('', '#### Findings', '');
    for (const k of problems) {
      out.push(`- **${m(k.id)}** (${k.status})`);
      for (const x of k.measurements.filter((v) => v.passed === false)) out.push(`  - ${m(formatMeasurement(x))}`);
      for (const f of k.findings) out.push(`  - ${m(f.message)}${f.location ? ` — ${m(f.location)}` : ''}${f.hint ? ` — ${m(f.hint)}` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
