import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadChecklist } from './checklist/load.js';
import { UsageError } from './errors.js';
import { readInput, readOnnx } from './read-input.js';
import { sha256Hex } from './hash.js';
import type { OnnxModelInfo } from './onnx/model-info.js';
import { createSession } from './onnx/session.js';
import type { Report } from './report/types.js';
import { runChecklist } from './runner.js';
import { RunContext } from './context.js';
import { inputColumns } from './eval/predict.js';
import { parseNumber } from './eval/cells.js';
import { cellAt, openDataset } from './eval/datasets/index.js';

export interface InitOptions {
  model: string;
  dataset?: string;
  label?: string;
  output: string;
  /** the date written in the comments (and used by the first run) */
  now: Date;
}

/** Metrics proposed per task; `lower` when smaller is better. */
const METRICS: Record<'classification' | 'regression', { metric: string; average?: string; lower?: boolean }[]> = {
  classification: [{ metric: 'accuracy' }, { metric: 'balanced_accuracy' }, { metric: 'f1' }, { metric: 'roc_auc' }, { metric: 'log_loss', lower: true }],
  regression: [{ metric: 'mae', lower: true }, { metric: 'rmse', lower: true }, { metric: 'r2' }],
};

/**
 * Writes a starter checklist for a model (and, with a dataset, thresholds from a first
 * measurement): the model's own checks, the documentation found next to it, and one metric check
 * per standard metric, its threshold the bound of the 95% bootstrap interval on the failing side,
 * rounded outwards to two significant digits. Never overwrites a file. Returns what it wrote.
 */
export async function initChecklist(o: InitOptions): Promise<{ file: string; checks: number; text: string }> {
  const out = resolve(o.output);
  if (existsSync(out)) throw new UsageError(`${o.output} exists: init never overwrites a file (choose another --output)`);
  if (o.dataset !== undefined && o.label === undefined) throw new UsageError('--dataset needs --label, the column that holds the true values');
  if (o.label !== undefined && o.dataset === undefined) throw new UsageError('--label needs --dataset');
  const folder = dirname(out);
  const rel = (p: string) => relative(folder, resolve(p)).split('\\').join('/') || '.';
  const { bytes, info } = readOnnx(resolve(o.model), o.model);
  const session = await createSession(bytes, o.model);
  await session.release();
  if (o.dataset !== undefined) readInput(resolve(o.dataset), o.dataset);

  const modelDir = dirname(resolve(o.model));
  const near = (names: string[]) => names.map((n) => join(modelDir, n)).find((p) => existsSync(p));
  const card = near(['MODEL_CARD.md', 'model_card.md', 'README.md']);
  const hyper = near(['hyperparameters.yaml', 'hyperparameters.yml', 'hyperparameters.json']);
  const approvals = near(['approvals.yaml', 'approvals.yml']);
  const monitoring = near(['monitoring.yaml', 'monitoring.yml']);

  const head = [
    '# yaml-language-server: $schema=https://deploy-check.dev/schema/checklist.schema.json',
    `# Written by deploy-check init on ${day(o.now)}: a starting point. Read every line, tighten what`,
    '# matters for this model, and commit it next to the model.',
    'version: 1',
    `name: ${yamlString(basename(o.model, '.onnx'))}`,
    'model:',
    `  path: ${yamlString(rel(o.model))}`,
    `  sha256: ${sha256Hex(bytes)}   # the exact file this checklist is about; remove to follow the file as it changes`,
  ];
  const checks: string[] = [
    '  - type: model',
    `    max_bytes: ${Math.ceil((bytes.length * 1.5) / 1000) * 1000}   # 1.5 × today's ${bytes.length} bytes`,
  ];
  const later: string[] = [];
  if (card) checks.push('  - type: model-card', `    path: ${yamlString(rel(card))}`);
  else later.push('#  - type: model-card        # no MODEL_CARD.md next to the model', '#    path: MODEL_CARD.md');
  if (hyper) checks.push('  - type: hyperparameters', `    path: ${yamlString(rel(hyper))}`, '    require_seed: true');
  else later.push('#  - type: hyperparameters   # no hyperparameters.yaml next to the model', '#    path: hyperparameters.yaml');
  if (approvals) checks.push('  - type: signoff', `    path: ${yamlString(rel(approvals))}`, '    roles: [ml-lead]   # the roles whose sign-off a release needs');
  else later.push('#  - type: signoff           # approvals bound to the model\'s sha256', '#    path: approvals.yaml', '#    roles: [ml-lead]');
  if (monitoring) checks.push('  - type: monitoring', `    path: ${yamlString(rel(monitoring))}`);
  else later.push('#  - type: monitoring        # who watches the model in production, and how', '#    path: monitoring.yaml');

  if (o.dataset !== undefined) {
    const datasets = ['datasets:', `  holdout: { path: ${yamlString(rel(o.dataset))}, label: ${yamlString(o.label!)} }`];
    const measured = await measure(o, folder, [...head, ...datasets, 'checks:', ...checks].join('\n'), info);
    head.push(...measured.model, ...datasets);
    checks.push(...measured.lines);
  } else {
    later.push('#  (with --dataset and --label, init also measures the model and proposes metric thresholds)');
  }
  const text = `${[...head, 'checks:', ...checks, ...(later.length ? ['', '# Worth adding:', ...later] : [])].join('\n')}\n`;
  writeFileSync(out, text, { flag: 'wx' });
  try {
    loadChecklist(out);
  } catch (err) {
    rmSync(out);
    throw new Error(`the checklist init wrote does not load (${(err as Error).message}); this is a bug in init`);
  }
  return { file: o.output, checks: text.split('\n').filter((l) => /^ {2}- type: /.test(l)).length, text };
}

/** A first run of the standard metrics with their 95% intervals, on a draft next to the output. */
async function measure(o: InitOptions, folder: string, draftHead: string, info: OnnxModelInfo): Promise<{ task: string; n: number; model: string[]; lines: string[] }> {
  const regression = await looksLikeRegression(o, info);
  const candidates = METRICS[regression ? 'regression' : 'classification'];
  const draft = join(folder, `.deploy-check-init-${process.pid}.yaml`);
  // thresholds that do not matter: only the measurements are read
  const checks = candidates.map((c, i) => `  - { id: m${i}, type: metric, metric: ${c.metric}, ${c.lower ? 'max: 0' : 'min: 0'}, confidence: 0.95 }`);
  const head = regression ? draftHead.replace('\nmodel:\n', '\nmodel:\n  task: regression\n') : draftHead;
  writeFileSync(draft, `${head}\n${checks.join('\n')}\n`);
  let report: Report;
  let inputs: { column: string; input: string }[];
  try {
    const loaded = loadChecklist(draft);
    // one context: the model's session and the dataset serve the run and the input mapping
    const ctx = new RunContext(loaded, o.now);
    report = await runChecklist(loaded, { now: o.now, context: ctx });
    // the mapping `inputs: auto` chose, written out: the checklist states which column feeds which input
    const { source } = await ctx.dataset('holdout');
    inputs = inputColumns(await ctx.underTest('model'), source, o.label);
  } finally {
    rmSync(draft, { force: true });
  }
  const first = report.checks.find((c) => c.type === 'metric' && c.details);
  const details = (first?.details ?? {}) as { task?: string; n?: number; classes?: unknown[]; class_source?: string; positive?: unknown };
  const task = details.task ?? (regression ? 'regression' : 'classification');
  const lines: string[] = [];
  candidates.forEach((c, i) => {
    const check = report.checks.find((k) => k.id === `m${i}`)!;
    const m = check.measurements[0];
    if (check.status === 'error' || !m || m.value === null || !m.ci) {
      lines.push(`  # ${c.metric}: not proposed (${check.status === 'error' ? check.message : 'undefined on this data'})`);
      return;
    }
    const [lo, hi] = m.ci;
    const bound = c.lower ? roundOut(hi, 'up') : roundOut(lo, 'down');
    lines.push(
      `  - type: metric`,
      `    id: ${c.metric.replace(/_/g, '-')}`,
      `    metric: ${c.metric}`,
      `    ${c.lower ? 'max' : 'min'}: ${bound}   # measured ${fmt(m.value)} [${fmt(lo)}, ${fmt(hi)}] on ${details.n} rows, ${day(o.now)}`,
      '    confidence: 0.95',
    );
  });
  const header = `  # thresholds: the 95% interval's bound on the failing side, rounded outwards`;
  const byInput = new Map<string, string[]>();
  for (const { column, input } of inputs) byInput.set(input, [...(byInput.get(input) ?? []), column]);
  const model = [
    `  task: ${task}`,
    ...(details.classes ? [`  classes: [${details.classes.map((c) => yamlString(String(c))).join(', ')}]   # score columns' order, from the ${details.class_source}`] : []),
    ...(details.positive !== undefined ? [`  positive: ${yamlString(String(details.positive))}`] : []),
    '  inputs:',
    ...[...byInput].map(([input, cols]) => `    ${yamlString(input)}: [${cols.map(yamlString).join(', ')}]`),
  ];
  return { task, n: details.n ?? 0, model, lines: [header, ...lines] };
}

/**
 * Regression when the model's outputs hold no labels or classes and the label column, read with the
 * dataset reader (any format), holds numbers with more than 20 values or fractions.
 */
async function looksLikeRegression(o: InitOptions, info: OnnxModelInfo): Promise<boolean> {
  const classified = info.outputs.some((out) => out.type.kind !== 'tensor' || ['string', 'int64', 'int32'].includes(out.type.elemType));
  if (classified) return false;
  const source = await openDataset(resolve(o.dataset!), o.dataset!);
  const col = source.columns.indexOf(o.label!);
  if (col < 0) return false; // the first run names the missing column
  const values = new Set<string>();
  for await (const b of source.batches([{ index: col, as: 'cell' }], 8192)) {
    for (let i = 0; i < b.n; i++) {
      const p = parseNumber(cellAt(b.cells[0]!, i));
      if (!p.ok) return false;
      values.add(String(p.value));
    }
  }
  return values.size > 20 || [...values].some((v) => !Number.isInteger(Number(v)));
}

/** Two significant digits, rounded away from the measured value. */
export function roundOut(x: number, direction: 'up' | 'down'): number {
  if (x === 0) return 0;
  const p = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 1);
  const r = (direction === 'up' ? Math.ceil(x / p - 1e-9) : Math.floor(x / p + 1e-9)) * p;
  return Number(r.toPrecision(2));
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A YAML scalar: plain when it is safe, else double-quoted JSON. */
function yamlString(s: string): string {
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !/ $/.test(s) ? s : JSON.stringify(s);
}
