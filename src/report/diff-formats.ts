// The six formats of `deploy-check diff` (diff.ts reads and compares the two reports).
import { Chalk } from 'chalk';
import { BAD, diffExitCode, type CheckChange, type MeasurementChange, type ReportDiff } from './diff.js';
import { htmlText as hx, markdownText as md, terminalText as t, xmlText as x } from './escape.js';
import { formatNumber } from './format-value.js';
import { CI_INERT } from './index.js';
import { artifactUri } from './sarif.js';

const num = formatNumber;
const signed = (v: number | null) => (v === null ? 'n/a' : `${v > 0 ? '+' : ''}${Number(v.toPrecision(3))}`);
const ci = (c?: [number, number]) => (c ? ` [${num(c[0])}, ${num(c[1])}]` : '');
const arrow = (m: MeasurementChange) =>
  m.only === 'new'
    ? `${m.name} (new) ${num(m.new)}${ci(m.new_ci)}${m.unit ? ` ${m.unit}` : ''}`
    : m.only === 'old'
      ? `${m.name} ${num(m.old)}${ci(m.old_ci)}${m.unit ? ` ${m.unit}` : ''} → (gone)`
      : `${m.name} ${num(m.old)}${ci(m.old_ci)} → ${num(m.new)}${ci(m.new_ci)} (${signed(m.delta)}${m.unit ? ` ${m.unit}` : ''})${m.threshold_changed ? ', threshold changed' : ''}`;
const moved = (c: CheckChange) => c.measurements.filter((m) => m.delta !== 0 || m.threshold_changed || m.only);

export const DIFF_FORMATS = ['pretty', 'json', 'markdown', 'junit', 'sarif', 'html'] as const;

/** One formatter per diff format: the compiler refuses a format without one. */
const DIFF_FORMATTERS = {
  pretty: (d, color) => diffPretty(d, color),
  json: (d) => `${JSON.stringify(d, null, 2)}\n`,
  markdown: (d) => diffMarkdown(d),
  junit: (d) => diffJunit(d),
  sarif: (d) => diffSarif(d),
  html: (d) => diffHtml(d),
} satisfies Record<(typeof DIFF_FORMATS)[number], (d: ReportDiff, color: boolean) => string>;

export function formatDiff(d: ReportDiff, format: (typeof DIFF_FORMATS)[number], color = false): string {
  return CI_INERT[format](DIFF_FORMATTERS[format](d, color));
}

/** Checks that got worse, or arrived failing: what a review has to look at. */
function worseChecks(d: ReportDiff): CheckChange[] {
  return d.checks.filter((k) => k.direction === 'worse' || (k.change === 'added' && BAD.has(k.new_status!)));
}

function statusText(k: CheckChange): string {
  if (k.change === 'added') return `added (${k.new_status})`;
  if (k.change === 'removed') return `removed (was ${k.old_status})`;
  return k.old_status === k.new_status ? k.new_status! : `${k.old_status} → ${k.new_status}`;
}

/** SARIF: one `error` result per check that got worse, located at the new report. */
function diffSarif(d: ReportDiff): string {
  const results = worseChecks(d).map((k) => ({
    ruleId: `${k.type}`,
    level: 'error',
    message: { text: `${k.id}: ${statusText(k)}${moved(k).length ? `; ${moved(k).map(arrow).join('; ')}` : ''}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(d.new.path) } } }],
  }));
  const rules = [...new Set(results.map((r) => r.ruleId))].sort().map((id) => ({ id, shortDescription: { text: `deploy-check ${id} check got worse` } }));
  const log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [{ tool: { driver: { name: 'deploy-check diff', rules } }, results }] };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A self-contained page (no script, no request), like the HTML report. */
function diffHtml(d: ReportDiff): string {
  const rows = d.checks
    .filter((k) => k.change !== 'same')
    .map((k) => `<tr class="${k.direction ?? k.change}"><td>${k.direction === 'worse' ? '▼' : k.direction === 'better' ? '▲' : k.change === 'added' ? '+' : k.change === 'removed' ? '−' : '~'}</td><td>${hx(k.id)}</td><td>${hx(k.type)}</td><td>${hx(statusText(k))}</td><td>${moved(k).map((m) => hx(arrow(m))).join('<br>')}</td></tr>`)
    .join('\n');
  const inputs = d.inputs.map((i) => `<tr><td>${hx(i.path)}</td><td><code>${hx(i.old?.slice(0, 12) ?? '—')}</code></td><td><code>${hx(i.new?.slice(0, 12) ?? '—')}</code></td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>deploy-check diff: ${hx(d.old.path)} → ${hx(d.new.path)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#111;background:#fafafa}header{padding:18px 28px;color:#fff}header.ok{background:#047857}header.ko{background:#b91c1c}header h1{margin:0 0 4px;font-size:26px}header p{margin:0;opacity:.92}main{padding:12px 28px 40px}table{border-collapse:collapse;margin:10px 0;background:#fff}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f1f1f1}tr.worse td{background:#fef2f2}tr.better td{background:#f0fdf4}</style>
</head><body>
<header class="${diffExitCode(d) ? 'ko' : 'ok'}">
<h1>${diffExitCode(d) ? 'Worse than before' : 'No worse than before'}: ${d.new.verdict === 'pass' ? 'ready to deploy' : 'not ready to deploy'}</h1>
<p>${hx(d.old.path)} → ${hx(d.new.path)} · verdict ${d.old.verdict} → <strong>${d.new.verdict}</strong> · ${hx(headline(d))}${d.checklist_changed ? ' · the checklist changed' : ''}</p>
</header>
<main>
${inputs ? `<h2>Inputs that changed</h2><table><tr><th>Input</th><th>Before</th><th>After</th></tr>\n${inputs}</table>` : ''}
${rows ? `<h2>Checks that changed</h2><table><tr><th></th><th>Check</th><th>Type</th><th>Status</th><th>Measurements</th></tr>\n${rows}</table>` : '<p>No check changed.</p>'}
</main>
</body></html>
`;
}

function headline(d: ReportDiff): string {
  const s = d.summary;
  return `${s.worse} worse, ${s.better} better, ${s.changed} changed, ${s.added} added, ${s.removed} removed, ${s.same} unchanged`;
}

function diffPretty(d: ReportDiff, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const out = [`${c.bold('deploy-check diff')}  ${t(d.old.path)} → ${t(d.new.path)}`, `verdict: ${d.old.verdict} → ${d.new.verdict}${d.checklist_changed ? c.dim('  (the checklist changed)') : ''}`];
  if (d.inputs.length) {
    out.push('', 'inputs changed:');
    for (const i of d.inputs) out.push(`  ${t(i.path)}  ${i.old ? i.old.slice(0, 12) : '(none)'} → ${i.new ? i.new.slice(0, 12) : '(none)'}`);
  }
  const shown = d.checks.filter((k) => k.change !== 'same');
  if (shown.length) out.push('');
  for (const k of shown) {
    const mark = k.direction === 'worse' ? c.red('▼') : k.direction === 'better' ? c.green('▲') : k.change === 'added' ? '+' : k.change === 'removed' ? '-' : '~';
    out.push(`  ${mark} ${t(k.id)} ${c.dim(`(${t(k.type)})`)}  ${statusText(k)}`);
    for (const m of moved(k)) out.push(`      ${t(arrow(m))}`);
  }
  out.push('', headline(d));
  return `${out.join('\n')}\n`;
}

function diffMarkdown(d: ReportDiff): string {
  const out = [
    `### deploy-check: ${md(d.old.path)} → ${md(d.new.path)}`,
    '',
    `Verdict ${d.old.verdict} → **${d.new.verdict}** · ${headline(d)}${d.checklist_changed ? ' · the checklist changed' : ''}`,
  ];
  if (d.inputs.length) {
    out.push('', '| Input | Before | After |', '| --- | --- | --- |');
    for (const i of d.inputs) out.push(`| ${md(i.path)} | ${i.old ? `\`${i.old.slice(0, 12)}\`` : '—'} | ${i.new ? `\`${i.new.slice(0, 12)}\`` : '—'} |`);
  }
  const shown = d.checks.filter((k) => k.change !== 'same');
  if (shown.length) {
    out.push('', '| | Check | Status | Measurements |', '| --- | --- | --- | --- |');
    for (const k of shown) {
      const icon = k.direction === 'worse' ? '🔻' : k.direction === 'better' ? '🔺' : k.change === 'added' ? '➕' : k.change === 'removed' ? '➖' : '〰️';
      out.push(`| ${icon} | ${md(k.id)} | ${statusText(k)} | ${moved(k).map((m) => md(arrow(m))).join('<br>')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

function diffJunit(d: ReportDiff): string {
  const worse = worseChecks(d);
  const counts = `tests="${d.checks.length}" failures="${worse.length}" errors="0"`;
  const cases = d.checks.map((k) => {
    const body = moved(k).map(arrow).join('\n');
    const inner = worse.includes(k)
      ? `      <failure message="${x(`${k.id}: ${k.old_status ?? 'new'} → ${k.new_status}`)}" type="worse">${x(body || (k.message ?? ''))}</failure>`
      : `      <system-out>${x(`${k.change}${body ? `\n${body}` : ''}`)}</system-out>`;
    return `    <testcase classname="deploy-check.diff.${x(k.type)}" name="${x(k.id)}">\n${inner}\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="deploy-check diff" ${counts}>\n  <testsuite name="${x(`${d.old.path} → ${d.new.path}`)}" ${counts} skipped="0">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

