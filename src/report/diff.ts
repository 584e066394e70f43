import { formatNumber } from './format-value.js';
import { Chalk } from 'chalk';
import { z } from 'zod';
import { InputError } from '../input/errors.js';
import { readInput } from '../onnx/read-input.js';
import { htmlText as hx, markdownText as md, terminalText as t, xmlText as x } from './escape.js';
import { STATUSES, type Measurement, type Status } from './types.js';
import { CI_INERT } from './index.js';
import { artifactUri } from './sarif.js';
import { validateDocument } from '../input/validate.js';
import { parseYaml } from '../input/yaml.js';

/** What a report must hold for a diff (the rest of it is not read). */
const measurementSchema = z.object({
  name: z.string(),
  value: z.number().nullable(),
  unit: z.string().optional(),
  threshold: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
  ci: z.tuple([z.number(), z.number()]).optional(),
  passed: z.boolean().optional(),
});
const reportSchema = z.object({
  schema: z.literal('deploy-check/report@1', { error: 'expected "deploy-check/report@1" (a JSON report of deploy-check run --format json)' }),
  checklist: z.object({ path: z.string(), name: z.string().optional(), sha256: z.string() }),
  inputs: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number(), rows: z.number().optional() })),
  verdict: z.enum(['pass', 'fail']),
  checks: z.array(z.object({ id: z.string(), type: z.string(), status: z.enum(STATUSES), message: z.string(), measurements: z.array(measurementSchema) })),
  incomplete: z.literal(true).optional(),
});
type DiffInput = z.output<typeof reportSchema>;

export function readReport(file: string): DiffInput {
  const doc = parseYaml(readInput(file, file).toString('utf8'), file);
  if (!doc) throw new InputError(file, 'is empty (expected a JSON report)');
  return validateDocument(reportSchema, doc, file);
}

export interface MeasurementChange {
  name: string;
  unit?: string;
  old: number | null;
  new: number | null;
  delta: number | null;
  old_ci?: [number, number];
  new_ci?: [number, number];
  threshold_changed: boolean;
}

export interface CheckChange {
  id: string;
  type: string;
  change: 'added' | 'removed' | 'status' | 'measurements' | 'same';
  old_status?: Status;
  new_status?: Status;
  /** worse: it passed (or was waived or skipped) and now fails or errors; better: the reverse */
  direction?: 'worse' | 'better';
  message?: string;
  measurements: MeasurementChange[];
}

export interface ReportDiff {
  schema: 'deploy-check/diff@1';
  old: { path: string; verdict: 'pass' | 'fail'; checklist_sha256: string };
  new: { path: string; verdict: 'pass' | 'fail'; checklist_sha256: string };
  checklist_changed: boolean;
  /** inputs whose digest changed, appeared or disappeared (the model, datasets, documents) */
  inputs: { path: string; old?: string; new?: string }[];
  checks: CheckChange[];
  summary: { worse: number; better: number; added: number; removed: number; changed: number; same: number };
}

const OK: ReadonlySet<Status> = new Set(['pass', 'waived', 'skip']);
const BAD: ReadonlySet<Status> = new Set(['fail', 'error']);

export function diffReports(a: DiffInput, b: DiffInput, paths: [string, string]): ReportDiff {
  const oldChecks = new Map(a.checks.map((c) => [c.id, c]));
  const newChecks = new Map(b.checks.map((c) => [c.id, c]));
  const checks: CheckChange[] = [];
  for (const n of b.checks) {
    const o = oldChecks.get(n.id);
    if (!o) {
      checks.push({ id: n.id, type: n.type, change: 'added', new_status: n.status, message: n.message, measurements: [] });
      continue;
    }
    const measurements = measurementChanges(o.measurements, n.measurements);
    const statusChanged = o.status !== n.status;
    const direction = statusChanged && OK.has(o.status) && BAD.has(n.status) ? 'worse' : statusChanged && BAD.has(o.status) && OK.has(n.status) ? 'better' : undefined;
    const moved = measurements.some((m) => m.delta !== 0 || m.threshold_changed);
    checks.push({
      id: n.id,
      type: n.type,
      change: statusChanged ? 'status' : moved ? 'measurements' : 'same',
      old_status: o.status,
      new_status: n.status,
      ...(direction ? { direction } : {}),
      message: n.message,
      measurements,
    });
  }
  for (const o of a.checks) if (!newChecks.has(o.id)) checks.push({ id: o.id, type: o.type, change: 'removed', old_status: o.status, message: o.message, measurements: [] });
  const oldInputs = new Map(a.inputs.map((i) => [i.path, i.sha256]));
  const newInputs = new Map(b.inputs.map((i) => [i.path, i.sha256]));
  const inputs = [...new Set([...oldInputs.keys(), ...newInputs.keys()])]
    .sort()
    .filter((p) => oldInputs.get(p) !== newInputs.get(p))
    .map((p) => ({ path: p, ...(oldInputs.has(p) ? { old: oldInputs.get(p) } : {}), ...(newInputs.has(p) ? { new: newInputs.get(p) } : {}) }));
  const count = (f: (c: CheckChange) => boolean) => checks.filter(f).length;
  return {
    schema: 'deploy-check/diff@1',
    old: { path: paths[0], verdict: a.incomplete ? 'fail' : a.verdict, checklist_sha256: a.checklist.sha256 },
    new: { path: paths[1], verdict: b.incomplete ? 'fail' : b.verdict, checklist_sha256: b.checklist.sha256 },
    checklist_changed: a.checklist.sha256 !== b.checklist.sha256,
    inputs,
    checks,
    summary: {
      worse: count((c) => c.direction === 'worse' || (c.change === 'added' && BAD.has(c.new_status!))),
      better: count((c) => c.direction === 'better'),
      added: count((c) => c.change === 'added'),
      removed: count((c) => c.change === 'removed'),
      changed: count((c) => c.change === 'status' || c.change === 'measurements'),
      same: count((c) => c.change === 'same'),
    },
  };
}

function measurementChanges(olds: Measurement[], news: Measurement[]): MeasurementChange[] {
  const before = new Map(olds.map((m) => [m.name, m]));
  return news
    .filter((m) => before.has(m.name))
    .map((m) => {
      const o = before.get(m.name)!;
      return {
        name: m.name,
        ...(m.unit ? { unit: m.unit } : {}),
        old: o.value,
        new: m.value,
        delta: o.value === null || m.value === null ? null : m.value - o.value,
        ...(o.ci ? { old_ci: o.ci } : {}),
        ...(m.ci ? { new_ci: m.ci } : {}),
        threshold_changed: JSON.stringify(o.threshold ?? null) !== JSON.stringify(m.threshold ?? null),
      };
    });
}

/** 1 when the new run is worse (a check that held now fails or errors, or the verdict went from pass to fail), else 0. */
export function diffExitCode(d: ReportDiff): number {
  return d.summary.worse > 0 || (d.old.verdict === 'pass' && d.new.verdict === 'fail') ? 1 : 0;
}

const num = formatNumber;
const signed = (v: number | null) => (v === null ? 'n/a' : `${v > 0 ? '+' : ''}${Number(v.toPrecision(3))}`);
const ci = (c?: [number, number]) => (c ? ` [${num(c[0])}, ${num(c[1])}]` : '');
const arrow = (m: MeasurementChange) => `${m.name} ${num(m.old)}${ci(m.old_ci)} → ${num(m.new)}${ci(m.new_ci)} (${signed(m.delta)}${m.unit ? ` ${m.unit}` : ''})${m.threshold_changed ? ', threshold changed' : ''}`;
const moved = (c: CheckChange) => c.measurements.filter((m) => m.delta !== 0 || m.threshold_changed);

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

