import { CLASS_SOURCE } from '../eval/predict.js';
import { detailsOf } from './details.js';
import { blocksGate } from './exit-code.js';
import { htmlText as h } from './escape.js';
import { formatNumber } from './format-value.js';
import { barChart, heatmap, intervalStrip, lineChart } from './svg.js';
import type { CheckResult, Measurement, Report, Status } from './types.js';

const LABEL: Record<Status, string> = { pass: 'passed', fail: 'failed', warn: 'warning', skip: 'skipped', error: 'could not be evaluated', waived: 'waived' };

/** The parts of the page after the overview; each check type says which it belongs to (defineCheck's htmlPart). */
export type HtmlPart = 'evaluation' | 'drift' | 'data' | 'resources' | 'process';
export type HtmlPartOf = (type: string) => HtmlPart;
const DATA_FILE = /\.(csv|tsv|jsonl|ndjson|parquet)$/i;

/**
 * One self-contained HTML file for a release review: no script, no external font, style or image (a
 * Content-Security-Policy forbids any request), readable as it is. An overview first — the verdict,
 * what blocks it, the model and the data it was judged on, one table of every metric with its
 * interval and threshold on a plot scaled to the range that matters — then one section per
 * evaluated dataset with its charts drawn once, drift, data, resources and the people and process
 * around the release (sign-offs, waivers, the card); every check's details last, folded
 * (`<details>`), the ones that need attention open. Every string from the inputs goes through htmlText.
 */
export function formatHtml(report: Report, partOf: HtmlPartOf): string {
  const title = report.checklist.name ?? report.checklist.path;
  const verdict = report.incomplete ? 'Not ready (run interrupted: incomplete)' : report.verdict === 'pass' ? 'Ready to deploy' : 'Not ready to deploy';
  const s = report.summary;
  const counts = (['fail', 'error', 'warn', 'waived', 'pass', 'skip'] as const).filter((k) => s[k]).map((k) => `<span class="pill ${k}">${s[k]} ${LABEL[k]}</span>`).join(' ');
  const order = [...report.checks].sort((a, b) => rank(a, report) - rank(b, report));
  const is = (part: HtmlPart) => (c: CheckResult) => partOf(c.type) === part;
  const parts = [overview(report, order), metricsTable(report), evaluations(report, is('evaluation')), drift(report, is('drift')), dataPart(report, is('data')), resources(report, is('resources')), process(report, is('process')), allChecks(report, order), inputs(report)].filter(Boolean);
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
${parts.join('\n')}
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

const link = (c: CheckResult) => `<a href="#check-${anchor(c.id)}">${h(c.id)}</a>`;
const pill = (c: CheckResult) => `<span class="pill ${c.status}">${LABEL[c.status]}</span>`;
const figure = (svg: string, caption: string) => (svg ? `<figure>${svg}<figcaption>${caption}</figcaption></figure>` : '');
const table = (cls: string, head: string[], rows: string[][]) =>
  rows.length ? `<table class="${cls}"><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((x) => `<td>${x}</td>`).join('')}</tr>`).join('\n')}</tbody></table>` : '';
const bytes = (n: number) => (n >= 1e6 ? `${formatNumber(n / 1e6)} MB` : n >= 1e3 ? `${formatNumber(n / 1e3)} kB` : `${n} B`);
/** The dataset an evaluation check ran on ('' when it does not say). */
const datasetOf = (c: CheckResult): string => (detailsOf(c, 'metric') ?? detailsOf(c, 'slices') ?? detailsOf(c, 'fairness') ?? detailsOf(c, 'outputs') ?? detailsOf(c, 'robustness'))?.dataset ?? '';

/** The verdict's reasons, the models and the data. */
function overview(report: Report, order: CheckResult[]): string {
  const blocking = order.filter((c) => blocksGate(c, report.gate.fail_on));
  const attention = order.filter((c) => !blocksGate(c, report.gate.fail_on) && (c.status === 'warn' || c.status === 'fail' || c.status === 'error' || c.status === 'waived'));
  const reasons = blocking.length
    ? `<h3>What blocks the release</h3><ul class="reasons">${blocking.map((c) => `<li>${pill(c)} ${link(c)}: ${h(c.message)}</li>`).join('')}</ul>`
    : `<p class="clear">Every check that gates the release passed.</p>`;
  const notes = attention.length ? `<h3>To look at</h3><ul class="reasons">${attention.map((c) => `<li>${pill(c)} ${link(c)}: ${h(c.message)}</li>`).join('')}</ul>` : '';
  const byDigest = new Map(report.inputs.map((i) => [i.sha256, i]));
  const models = report.checks
    .flatMap((c) => {
      const d = detailsOf(c, 'model');
      if (!d) return [];
      const file = byDigest.get(d.sha256);
      const opsets = d.opset_imports.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
      return [[link(c), h(file?.path ?? ''), `<code title="${h(d.sha256)}">${h(d.sha256.slice(0, 16))}…</code>`, file ? bytes(file.bytes) : '', h(d.producer), h(opsets)]];
    });
  const data = report.inputs.filter((i) => i.files !== undefined || DATA_FILE.test(i.path)).map((i) => [h(i.files ? `${i.path} (${i.files.length} files)` : i.path), i.rows === undefined ? '' : i.rows.toLocaleString('en'), `<code title="${h(i.sha256)}">${h(i.sha256.slice(0, 16))}…</code>`, bytes(i.bytes)]);
  return `<section id="overview"><h2>Overview</h2>${reasons}${notes}
${models.length ? `<h3>Model</h3>${table('models', ['Check', 'File', 'sha256', 'Size', 'Producer', 'Opsets'], models)}` : ''}
${data.length ? `<h3>Data</h3>${table('datasets', ['File', 'Rows', 'sha256', 'Size'], data)}` : ''}</section>`;
}

function required(m: Measurement): string {
  if (!m.threshold) return '';
  return [m.threshold.min !== undefined ? `≥ ${formatNumber(m.threshold.min)}` : '', m.threshold.max !== undefined ? `≤ ${formatNumber(m.threshold.max)}` : ''].filter(Boolean).join(', ');
}
const value = (m: Measurement) => (m.value === null ? 'undefined' : `${formatNumber(m.value)}${m.unit ? ` ${h(m.unit)}` : ''}`);
const interval = (m: Measurement) => (m.ci ? `[${formatNumber(m.ci[0])}, ${formatNumber(m.ci[1])}]` : '');
const verdictMark = (m: Measurement) => (m.passed === undefined ? '' : m.passed ? '<span class="ok">✔</span>' : '<span class="ko">✖</span>');

/** Every metric of the evaluation checks, with its interval and threshold, in one table. */
function metricsTable(report: Report): string {
  const rows = report.checks
    .filter((c) => c.type === 'metric' || c.type === 'claims' || c.type === 'slices' || c.type === 'fairness' || c.type === 'robustness')
    .flatMap((c) =>
      c.measurements
        .filter((m) => m.threshold || m.ci)
        .map((m) => [link(c), h(m.name), h(datasetOf(c)), value(m), interval(m), required(m), verdictMark(m), intervalStrip(`${c.id}: ${m.name}`, m)]),
    );
  if (!rows.length) return '';
  return `<section id="metrics"><h2>Metrics</h2>${table('metrics', ['Check', 'Measurement', 'Dataset', 'Value', 'Interval', 'Required', '', 'Value, interval <span class="threshold">and threshold</span>'], rows)}
<p class="caption">Each plot is scaled to its own value, interval and threshold (the dashed red line), with a margin: not from zero, so that the interval that decides the verdict is as wide as the plot.</p></section>`;
}

/** One section per evaluated dataset: its confusion matrix, curves and slices, each drawn once. */
function evaluations(report: Report, mine: (c: CheckResult) => boolean): string {
  const byDataset = new Map<string, CheckResult[]>();
  for (const c of report.checks.filter(mine)) {
    const name = datasetOf(c);
    byDataset.set(name, [...(byDataset.get(name) ?? []), c]);
  }
  return [...byDataset]
    .map(([dataset, checks]) => {
      const name = dataset || 'the dataset';
      const figures: string[] = [];
      const metrics = checks.flatMap((c) => detailsOf(c, 'metric') ?? []);
      const withMatrix = metrics.find((d) => d.confusion_matrix && d.classes);
      const sized = metrics.find((d) => typeof d.n === 'number') ?? checks.flatMap((c) => detailsOf(c, 'outputs') ?? [])[0];
      if (withMatrix) {
        const d = withMatrix;
        const source = d.class_source ? CLASS_SOURCE[d.class_source] : 'the model';
        figures.push(figure(heatmap(`${name}: confusion matrix`, d.classes!.map(String), d.confusion_matrix!), `Confusion matrix on ${h(name)}: rows are the true class, columns the predicted one; class order from ${h(source)}${d.threshold !== undefined ? `, decision threshold ${formatNumber(d.threshold)}` : ''}.`));
      }
      const curves = metrics.find((d) => d.curves?.model)?.curves;
      if (curves) {
        const names = Object.keys(curves);
        const who = names.length > 1 ? 'the candidate (blue) and the baseline (orange)' : 'the candidate';
        figures.push(figure(lineChart(`${name}: ROC curve`, 'false positive rate', 'true positive rate', names.map((k) => ({ name: k, points: curves[k]!.roc })), true), `ROC curve of ${who} on ${h(name)}; the dashed diagonal is chance.`));
        figures.push(figure(lineChart(`${name}: precision-recall curve`, 'recall', 'precision', names.map((k) => ({ name: k, points: curves[k]!.pr })), false), `Precision against recall of ${who}, over every threshold.`));
        figures.push(figure(lineChart(`${name}: calibration`, 'mean predicted probability', 'fraction of positives', names.map((k) => ({ name: k, points: curves[k]!.calibration.map((b) => [b.predicted, b.observed] as [number, number]), dots: true })), true), `Calibration of ${who}: ten bins of the predicted probability; on the diagonal, a predicted 0.7 is right 70% of the time.`));
      }
      for (const c of checks) {
        const d = detailsOf(c, 'slices');
        if (!d) continue;
        const t = c.measurements.find((m) => m.threshold)?.threshold;
        if (d.slices.length) figures.push(figure(barChart(`${c.id}: metric per slice`, d.slices.map((s) => ({ label: `${s.column} = ${s.value} (n = ${s.n})`, value: s.metric, bad: s.status === 'fail' })), { threshold: t?.min ?? t?.max }), `${link(c)}: the metric in each slice of ${h(name)} (red: below what is required)${t ? `; the dashed line is the threshold` : ''}.`));
        const found = d.search?.slices ?? [];
        if (found.length) {
          const below = (v: number) => (t?.min !== undefined ? v < t.min : t?.max !== undefined ? v > t.max : false);
          figures.push(figure(barChart(`${c.id}: weakest slices found`, found.map((s) => ({ label: `${s.column} = ${s.value} (n = ${s.n})`, value: s.metric, ...(s.ci ? { ci: s.ci } : {}), bad: below(s.metric) })), { threshold: t?.min ?? t?.max }), `${link(c)}: the slices of ${h(name)} the search found worse than the rest of the rows (${d.search!.discoveries} of ${d.search!.tested} tested, false discovery rate ${d.search!.fdr}), worst first, with their intervals.`));
        }
      }
      for (const c of checks) {
        const f = detailsOf(c, 'fairness');
        if (!f) continue;
        const judgedOn = (g: (typeof f.groups)[number]) => g.judged.includes('selection_rate');
        figures.push(figure(barChart(`${c.id}: selection rate per group`, f.groups.map((g) => ({ label: `${g.group} (n = ${g.n})${judgedOn(g) ? '' : ', too small'}`, value: g.selection_rate, bad: false })), {}), `${link(c)}: the share of each group of ${h(f.sensitive.join(' × '))} the model selects (decides positive) on ${h(name)}; the gaps between groups are in the metrics table.`));
      }
      const list = checks.map((c) => `<li>${pill(c)} ${link(c)}: ${h(c.message)}</li>`).join('');
      const n = sized ? ` <small>(n = ${sized.n.toLocaleString('en')})</small>` : '';
      return `<section id="evaluation-${anchor(dataset)}" class="part"><h2>Evaluation on ${h(name)}${n}</h2><ul class="reasons">${list}</ul><div class="charts">${figures.join('\n')}</div></section>`;
    })
    .join('\n');
}

function drift(report: Report, mine: (c: CheckResult) => boolean): string {
  const checks = report.checks.filter(mine);
  if (!checks.length) return '';
  const body = checks.map((c) => {
    const d = detailsOf(c, 'drift');
    const figures: string[] = [];
    if (d) {
      const cols = d.columns;
      const distances = cols.filter((x) => x.distance !== undefined);
      const tests = cols.filter((x) => x.p_value_adjusted !== undefined);
      if (distances.length) figures.push(figure(barChart(`${c.id}: drift distance per column`, distances.map((x) => ({ label: `${x.column} (${x.method})`, value: x.distance!, bad: x.drifted })), { threshold: distances[0]!.threshold }), `${link(c)}: distance between reference and current per column (red: drifted; dashed: the threshold).`));
      if (tests.length) figures.push(figure(barChart(`${c.id}: adjusted p-value per column`, tests.map((x) => ({ label: `${x.column} (${x.method})`, value: x.p_value_adjusted!, bad: x.drifted })), { threshold: tests[0]!.threshold }), `${link(c)}: p-value of each column's test, adjusted for the number of columns (red: drifted, below the dashed threshold).`));
    }
    const mv = detailsOf(c, 'multivariate-drift');
    if (mv?.drivers.length) figures.push(figure(barChart(`${c.id}: each column's share of the domain classifier`, mv.drivers.map((x) => ({ label: x.column, value: x.share })), {}), `${link(c)}: how much of the classifier that tells ${h(mv.current.dataset)} from ${h(mv.reference.dataset)} rests on each column (its standardised weights, products shared between their two columns); ROC AUC ${formatNumber(mv.auc)}${mv.ci ? ` [${formatNumber(mv.ci[0])}, ${formatNumber(mv.ci[1])}]` : ''}.`));
    const what = d ? ` <small>${h('dataset' in d.reference ? d.reference.dataset : d.reference.profile)} (${d.reference.rows} rows) → ${h(d.current.dataset)} (${d.current.rows} rows)</small>` : mv ? ` <small>${h(mv.reference.dataset)} (${mv.reference.sampled} of ${mv.reference.rows} rows) → ${h(mv.current.dataset)} (${mv.current.sampled} of ${mv.current.rows} rows)</small>` : '';
    return `<h3>${pill(c)} ${link(c)}${what}</h3><p>${h(c.message)}</p><div class="charts">${figures.join('\n')}</div>`;
  });
  return `<section id="drift" class="part"><h2>Drift</h2>${body.join('\n')}</section>`;
}

/** A part as a list of its checks with their message (the details are below). */
function byPart(report: Report, mine: (c: CheckResult) => boolean, part: HtmlPart, heading: string, extra = ''): string {
  const checks = report.checks.filter(mine);
  if (!checks.length && !extra) return '';
  return `<section id="${part}" class="part"><h2>${heading}</h2><ul class="reasons">${checks.map((c) => `<li>${pill(c)} ${link(c)}: ${h(c.message)}</li>`).join('')}</ul>${extra}</section>`;
}

/** Data checks, with each leakage check's power of every column alone (and its interval) drawn. */
function dataPart(report: Report, mine: (c: CheckResult) => boolean): string {
  const figures = report.checks.filter(mine).flatMap((c) => {
    const d = detailsOf(c, 'leakage');
    const measured = d?.columns.filter((x) => x.power !== undefined) ?? [];
    return d && measured.length ? [figure(barChart(`${c.id}: power of each column alone`, measured.map((x) => ({ label: x.column, value: x.power!, ...(x.ci ? { ci: x.ci } : {}), bad: x.flagged === true })), { threshold: d.max_power }), `${link(c)}: how well each column of ${h(d.dataset)} predicts the label alone (ROC AUC, or R² for a regression), with its interval (red: flagged; dashed: max_power).`)] : [];
  });
  return byPart(report, mine, 'data', 'Data', figures.length ? `<div class="charts">${figures.join('\n')}</div>` : '');
}

function resources(report: Report, mine: (c: CheckResult) => boolean): string {
  const figures = report.checks
    .filter((c) => c.type === 'latency')
    .map((c) => {
      const ps = c.measurements.filter((m) => /^batch \d+ (p50|p90|p95|p99|max)$/.test(m.name));
      return ps.length ? figure(barChart(`${c.id}: latency percentiles per batch size`, ps.map((m) => ({ label: m.name, value: m.value, bad: m.passed === false })), { unit: 'ms', threshold: ps.find((m) => m.threshold)?.threshold?.max }), `${link(c)}: latency percentiles of the model per batch size, measured in its host process.`) : '';
    })
    .filter(Boolean);
  return byPart(report, mine, 'resources', 'Resources', figures.length ? `<div class="charts">${figures.join('\n')}</div>` : '');
}

/** Sign-offs, the card, staleness, monitoring, and every waiver, used or not. */
function process(report: Report, mine: (c: CheckResult) => boolean): string {
  const approvals = report.checks
    .flatMap((c) => (detailsOf(c, 'signoff')?.approvals ?? []).map((a) => [link(c), h(a.role), h(a.name), h(a.date)]));
  const waivers = report.checks
    .filter((c) => c.waiver)
    .map((c) => [link(c), h(c.waiver!.state), h(c.waiver!.reason ?? ''), h(c.waiver!.approved_by ?? ''), h(c.waiver!.expires ?? '')]);
  const extra = `${approvals.length ? `<h3>Sign-offs</h3>${table('approvals', ['Check', 'Role', 'Approved by', 'On'], approvals)}` : ''}${
    waivers.length ? `<h3>Waivers</h3>${table('waivers', ['Check', 'State', 'Reason', 'Approved by', 'Until'], waivers)}<p class="caption">An <em>unused</em> waiver covers a check that passes: it can go.</p>` : ''
  }`;
  return byPart(report, mine, 'process', 'People and process', extra);
}

/** Every check, one line each, folded: its measurements and findings inside; what needs attention open. */
function allChecks(report: Report, order: CheckResult[]): string {
  return `<section id="checks"><h2>All checks</h2>
${order.map((c) => checkDetails(c, report)).join('\n')}</section>`;
}

function checkDetails(c: CheckResult, report: Report): string {
  const open = c.status === 'fail' || c.status === 'error' || c.status === 'warn';
  const measured = table('measurements', ['Measurement', 'Value', 'Interval', 'Required', ''], c.measurements.map((m) => [h(m.name), value(m), interval(m), required(m), verdictMark(m)]));
  const findings = c.findings.length
    ? `<ul class="findings">${c.findings.map((f) => `<li>${h(f.message)}${f.location ? ` <span class="where">${h(f.location)}</span>` : ''}${f.hint ? `<br><span class="hint">→ ${h(f.hint)}</span>` : ''}</li>`).join('')}</ul>`
    : '';
  const waiver = c.waiver ? `<p class="waiver">Waiver (${h(c.waiver.state)}): ${h(c.waiver.reason ?? '')} — ${h(c.waiver.approved_by ?? '')}, until ${h(c.waiver.expires ?? '')}</p>` : '';
  return `<details id="check-${anchor(c.id)}" class="check ${c.status}"${open ? ' open' : ''}>
<summary>${pill(c)} <strong>${h(c.id)}</strong> <small>${h(c.title)} (${h(c.type)})${blocksGate(c, report.gate.fail_on) ? ' · blocks the gate' : ''}</small> <span class="msg">${h(c.message)}</span></summary>
${waiver}
${measured}${findings}
</details>`;
}

function inputs(report: Report): string {
  // a dataset of several files: its manifest's digest, then each file's
  const rows = report.inputs.flatMap((i) => [
    [h(i.path), `<code>${h(i.sha256)}</code>`, String(i.bytes), i.rows === undefined ? '' : String(i.rows)],
    ...(i.files ?? []).map((f) => [`↳ ${h(f.path)}`, `<code>${h(f.sha256)}</code>`, String(f.bytes), String(f.rows)]),
  ]);
  const several = report.inputs.some((i) => i.files);
  return `<section id="inputs"><h2>Inputs</h2>${table('inputs', ['File', 'sha256', 'Bytes', 'Rows'], rows)}<p class="caption">Every file the run read, with its digest: the evidence the verdict rests on.${several ? ' A dataset of several files shows the digest of their manifest (one line “sha256  path” per file, as sha256sum prints it), then each file.' : ''}</p></section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111;background:#fafafa}
header.verdict{padding:18px 28px;color:#fff}header.ok{background:#047857}header.ko{background:#b91c1c}
header h1{margin:0 0 4px;font-size:26px}header .what{margin:0 0 8px;opacity:.9}header code{color:#fff}
main{padding:12px 28px 40px;max-width:1180px}
section{margin:18px 0}section.part,#overview,#metrics{background:#fff;border:1px solid #ddd;padding:4px 16px 12px}
table{border-collapse:collapse;margin:8px 0 14px;background:#fff}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:middle}
th{background:#f1f1f1}td code{font-size:12px}table.metrics td:first-child{white-space:nowrap}
details.check{background:#fff;border:1px solid #ddd;border-left:6px solid #aaa;margin:8px 0;padding:4px 16px}
details.check summary{cursor:pointer;padding:4px 0}summary .msg{color:#333;margin-left:6px}
details.fail,details.error{border-left-color:#dc2626}details.warn{border-left-color:#d97706}details.pass{border-left-color:#059669}details.waived{border-left-color:#0891b2}
h2{font-size:18px;margin:10px 0 6px}h2 small,h3 small,summary small{font-weight:normal;color:#555}h3{font-size:15px;margin:12px 0 4px}
.pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff;background:#6b7280}
.pill.pass{background:#059669}.pill.fail{background:#dc2626}.pill.error{background:#9333ea}.pill.warn{background:#d97706}.pill.waived{background:#0891b2}.pill.skip{background:#9ca3af}
header .pill{border:1px solid rgba(255,255,255,.6)}
ul.reasons{padding-left:18px}ul.reasons li{margin:3px 0}.clear{color:#047857;font-weight:600}
.findings li{margin:3px 0}.where{color:#555;font-family:ui-monospace,monospace;font-size:12px}.hint{color:#1d4ed8}
.ok{color:#059669}.ko{color:#dc2626}.waiver{background:#ecfeff;padding:4px 8px}.threshold{color:#b91c1c}
.caption,figcaption{color:#555;font-size:12px;max-width:420px}figure{margin:0}
.charts{display:flex;flex-wrap:wrap;gap:16px}svg.chart{background:#fff;border:1px solid #eee;font-family:system-ui,sans-serif}svg.strip{display:block;font-family:system-ui,sans-serif}
`;
