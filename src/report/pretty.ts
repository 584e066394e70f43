import { Chalk } from 'chalk';
import { blocksGate } from './exit-code.js';
import { terminalText } from './escape.js';
import { formatMeasurement } from './format-value.js';
import type { Report, Status } from './types.js';

export interface PrettyOptions {
  color: boolean;
}

const SYMBOL = { pass: '✔', fail: '✖', warn: '▲', skip: '○', error: '!', waived: '≈' } satisfies Record<Status, string>;

/** The terminal report: one line per check, then why each problem matters and what to do, then the verdict. */
export function formatPretty(report: Report, options: PrettyOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const paint = { pass: c.green, fail: c.red, warn: c.yellow, skip: c.dim, error: c.magenta, waived: c.cyan } satisfies Record<Status, (s: string) => string>;
  const t = terminalText;
  const out: string[] = [];
  const name = report.checklist.name ? `${t(report.checklist.name)}  ` : '';
  out.push(`${c.bold('deploy-check')}  ${name}${c.dim(t(report.checklist.path))}`, '');

  const idWidth = Math.min(28, Math.max(...report.checks.map((k) => k.id.length)));
  for (const check of report.checks) {
    out.push(`  ${paint[check.status](SYMBOL[check.status])} ${t(check.id).padEnd(idWidth)}  ${c.dim(check.title.padEnd(18))} ${t(check.message)}`);
  }

  const problems = report.checks.filter((k) => k.status === 'fail' || k.status === 'warn' || k.status === 'error' || k.status === 'waived');
  if (problems.length) {
    out.push('');
    for (const check of problems) {
      const label = { error: 'could not be evaluated', warn: 'warning', waived: `failed, waived until ${t(check.waiver?.expires ?? '')} by ${t(check.waiver?.approved_by ?? '')}`, fail: 'failed' }[check.status as 'error' | 'warn' | 'waived' | 'fail'];
      out.push(`${paint[check.status](`${SYMBOL[check.status]} ${t(check.id)}`)} ${c.dim(`(${check.type})`)} ${label}`);
      if (check.status === 'error') out.push(`    ${t(check.message)}`);
      for (const m of check.measurements.filter((x) => x.passed === false)) out.push(`    - ${t(formatMeasurement(m))}`);
      for (const f of check.findings) {
        out.push(`    - ${t(f.message)}${f.location ? c.dim(`  ${t(f.location)}`) : ''}`);
        if (f.hint) out.push(`      ${c.cyan('→')} ${t(f.hint)}`);
      }
    }
  }

  const s = report.summary;
  const parts = [
    s.fail && c.red(`${s.fail} failed`),
    s.error && c.magenta(`${s.error} errored`),
    s.warn && c.yellow(`${s.warn} warning${s.warn === 1 ? '' : 's'}`),
    s.pass && c.green(`${s.pass} passed`),
    s.waived && c.cyan(`${s.waived} waived`),
    s.skip && c.dim(`${s.skip} skipped`),
  ].filter(Boolean);
  const blocking = report.checks.filter((k) => blocksGate(k, report.gate.fail_on)).length;
  const verdict = report.incomplete ? c.bold.red('NOT READY (interrupted: incomplete)') : report.verdict === 'pass' ? c.bold.green('READY') : c.bold.red('NOT READY');
  out.push('', `${verdict}  ${parts.join(' · ')}${report.verdict === 'fail' && blocking ? c.dim(`  (${blocking} blocking the gate)`) : ''}`);
  return `${out.join('\n')}\n`;
}
