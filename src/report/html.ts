import { CLASS_SOURCE, type Evaluation } from '../eval/predict.js';
import { blocksGate } from './exit-code.js';
import { htmlText as h } from './escape.js';
import { formatNumber } from './format-value.js';
import { barChart, heatmap, lineChart } from './svg.js';
import type { CheckResult, Measurement, Report, Status } from './types.js';
import type { BinaryCurves } from '../eval/curves.js';

const LABEL: Record<Status, string> = { pass: 'passed', fail: 'failed', warn: 'warning', skip: 'skipped', error: 'could not be evaluated', waived: 'waived' };

/**
 * One self-contained HTML file: no script, no external font, style or image (a Content-Security-
 * Policy forbids any request), readable as it is. The verdict first, then each check with what was
 * measured against what was required, its findings, and charts drawn as inline SVG from the
 * report's details. Every string from the inputs goes through htmlText.
 */
export function formatHtml(report: Report): string {
  const title = report.checklist.name ?? report.checklist.path;
  const verdict = report.incomplete ? 'Not ready (run interrupted: incomplete)' : report.verdict === 'pass' ? 'Ready to deploy' : 'Not ready to deploy';
  const s = report.summary;
  const counts = (['fail', 'error', 'warn', 'waived', 'pass', 'skip'] as const).filter((k) => s[k]).map((k) => `<span class="pill ${k}">${s[k]} ${LABEL[k]}</span>`).join(' ');
  const order = [...report.checks].sort((a, b) => rank(a, report) - rank(b, report));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deploy-check: ${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="verdict ${report.verdict === 'pass' && !report.incomplete ? 'ok' : 'ko'}">
<h1>${h(verdict)}</h1>
<p class="what">${h(title)} · checklist <code>${h(report.checklist.sha256.slice(0, 12))}</code> · ${h(report.tool.name)} ${h(report.tool.version)}</p>
<p>${counts}</p>
</header>
<main>
<table class="checks"><thead><tr><th></th><th>Check</th><th>Type</th><th>Result</th></tr></thead><tbody>
${order.map((c) => `<tr class="${c.status}"><td><span class="pill ${c.status}">${LABEL[c.status]}</span></td><td><a href="#check-${anchor(c.id)}">${h(c.id)}</a></td><td>${h(c.type)}</td><td>${h(c.message)}</td></tr>`).join('\n')}
</tbody></table>
${order.map((c) => section(c, report)).join('\n')}
<section><h2>Inputs</h2><table class="inputs"><thead><tr><th>File</th><th>sha256</th><th>Bytes</th><th>Rows</th></tr></thead><tbody>
${report.inputs.map((i) => `<tr><td>${h(i.path)}</td><td><code>${h(i.sha256.slice(0, 16))}…</code></td><td>${i.bytes}</td><td>${i.rows ?? ''}</td></tr>`).join('\n')}
</tbody></table></section>
</main>
</body>
</html>
`;
}

/** Problems first: what blocks the gate, then warnings, waivers, passes, skips. */
function rank(c: CheckResult, r: Report): number {
  if (blocksGate(c, r.gate.fail_on)) return 0;
  return { fail: 1, error: 1, warn: 2, waived: 3, pass: 4, skip: 5 }[c.status];
}

function anchor(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function section(c: CheckResult, report: Report): string {
  const measured = c.measurements.length
    ? `<table class="measurements"><thead><tr><th>Measurement</th><th>Value</th><th>Interval</th><th>Required</th><th></th></tr></thead><tbody>${c.measurements.map(row).join('')}</tbody></table>`
    : '';
  const findings = c.findings.length
    ? `<ul class="findings">${c.findings.map((f) => `<li>${h(f.message)}${f.location ? ` <span class="where">${h(f.location)}</span>` : ''}${f.hint ? `<br><span class="hint">→ ${h(f.hint)}</span>` : ''}</li>`).join('')}</ul>`
    : '';
  const waiver = c.waiver && c.waiver.state !== 'unused' ? `<p class="waiver">Waiver (${h(c.waiver.state)}): ${h(c.waiver.reason ?? '')} — ${h(c.waiver.approved_by ?? '')}, until ${h(c.waiver.expires ?? '')}</p>` : '';
  return `<section id="check-${anchor(c.id)}" class="check ${c.status}">
<h2><span class="pill ${c.status}">${LABEL[c.status]}</span> ${h(c.id)} <small>${h(c.title)} (${h(c.type)})${blocksGate(c, report.gate.fail_on) ? ' · blocks the gate' : ''}</small></h2>
<p>${h(c.message)}</p>${waiver}
${measured}${findings}
<div class="charts">${charts(c)}</div>
</section>`;
}

function row(m: Measurement): string {
  const v = m.value === null ? 'undefined' : `${formatNumber(m.value)}${m.unit ? ` ${h(m.unit)}` : ''}`;
  const ci = m.ci ? `[${formatNumber(m.ci[0])}, ${formatNumber(m.ci[1])}]` : '';
  const req = m.threshold ? [m.threshold.min !== undefined ? `≥ ${formatNumber(m.threshold.min)}` : '', m.threshold.max !== undefined ? `≤ ${formatNumber(m.threshold.max)}` : ''].filter(Boolean).join(', ') : '';
  const ok = m.passed === undefined ? '' : m.passed ? '<span class="ok">✔</span>' : '<span class="ko">✖</span>';
  return `<tr><td>${h(m.name)}</td><td>${v}</td><td>${ci}</td><td>${req}</td><td>${ok}</td></tr>`;
}

/** The charts a check's details allow. */
function charts(c: CheckResult): string {
  const d = (c.details ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  const withCi = c.measurements.filter((m) => m.ci && m.value !== null);
  if (c.type === 'metric' && withCi.length) {
    const t = c.measurements[0]?.threshold;
    out.push(barChart(`${c.id}: value and interval`, withCi.map((m) => ({ label: m.name, value: m.value, ci: m.ci, bad: m.passed === false })), { threshold: t?.min ?? t?.max }));
  }
  if (Array.isArray(d.confusion_matrix) && Array.isArray(d.classes)) out.push(heatmap(`${c.id}: confusion matrix (class order from ${CLASS_SOURCE[d.class_source as Evaluation['classSource']] ?? 'the model'})`, (d.classes as unknown[]).map(String), d.confusion_matrix as number[][]));
  const curves = d.curves as Record<string, BinaryCurves> | undefined;
  if (curves?.model) {
    const names = Object.keys(curves);
    out.push(lineChart(`${c.id}: ROC curve`, 'false positive rate', 'true positive rate', names.map((k) => ({ name: k, points: curves[k]!.roc })), true));
    out.push(lineChart(`${c.id}: precision-recall curve`, 'recall', 'precision', names.map((k) => ({ name: k, points: curves[k]!.pr })), false));
    out.push(lineChart(`${c.id}: calibration`, 'mean predicted probability', 'fraction of positives', names.map((k) => ({ name: k, points: curves[k]!.calibration.map((b) => [b.predicted, b.observed] as [number, number]), dots: true })), true));
  }
  if (c.type === 'slices' && Array.isArray(d.slices)) {
    const t = c.measurements.find((m) => m.threshold)?.threshold;
    const slices = d.slices as { column: string; value: string; n: number; metric: number | null; status: string }[];
    out.push(barChart(`${c.id}: metric per slice`, slices.map((s) => ({ label: `${s.column} = ${s.value} (n = ${s.n})`, value: s.metric, bad: s.status === 'fail' })), { threshold: t?.min ?? t?.max }));
  }
  if (c.type === 'drift' && Array.isArray(d.columns)) {
    const cols = d.columns as { column: string; method: string; distance?: number; p_value_adjusted?: number; threshold: number; drifted: boolean }[];
    const distances = cols.filter((x) => x.distance !== undefined);
    const tests = cols.filter((x) => x.p_value_adjusted !== undefined);
    if (distances.length) out.push(barChart(`${c.id}: drift distance per column`, distances.map((x) => ({ label: `${x.column} (${x.method})`, value: x.distance!, bad: x.drifted })), { threshold: distances[0]!.threshold }));
    if (tests.length) out.push(barChart(`${c.id}: adjusted p-value per column`, tests.map((x) => ({ label: `${x.column} (${x.method})`, value: x.p_value_adjusted!, bad: x.drifted })), { threshold: tests[0]!.threshold }));
  }
  if (c.type === 'latency') {
    const ps = c.measurements.filter((m) => /^batch \d+ (p50|p90|p95|p99|max)$/.test(m.name));
    if (ps.length) out.push(barChart(`${c.id}: latency percentiles per batch size`, ps.map((m) => ({ label: m.name, value: m.value, bad: m.passed === false })), { unit: 'ms', threshold: ps.find((m) => m.threshold)?.threshold?.max }));
  }
  return out.join('\n');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111;background:#fafafa}
header.verdict{padding:18px 28px;color:#fff}header.ok{background:#047857}header.ko{background:#b91c1c}
header h1{margin:0 0 4px;font-size:26px}header .what{margin:0 0 8px;opacity:.9}header code{color:#fff}
main{padding:12px 28px 40px;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 14px;background:#fff}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f1f1}table.checks{width:100%}
section.check{background:#fff;border:1px solid #ddd;border-left:6px solid #aaa;margin:16px 0;padding:4px 16px 10px}
section.fail,section.error{border-left-color:#dc2626}section.warn{border-left-color:#d97706}section.pass{border-left-color:#059669}section.waived{border-left-color:#0891b2}
h2{font-size:17px;margin:10px 0 6px}h2 small{font-weight:normal;color:#555}
.pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff;background:#6b7280}
.pill.pass{background:#059669}.pill.fail{background:#dc2626}.pill.error{background:#9333ea}.pill.warn{background:#d97706}.pill.waived{background:#0891b2}.pill.skip{background:#9ca3af}
header .pill{border:1px solid rgba(255,255,255,.6)}
.findings li{margin:3px 0}.where{color:#555;font-family:ui-monospace,monospace;font-size:12px}.hint{color:#1d4ed8}
.ok{color:#059669}.ko{color:#dc2626}.waiver{background:#ecfeff;padding:4px 8px}
.charts{display:flex;flex-wrap:wrap;gap:12px}svg.chart{background:#fff;border:1px solid #eee;font-family:system-ui,sans-serif}
`;
