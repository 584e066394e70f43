import { detailsOf } from '../report/details.js';
import { closeSync, existsSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadChecklist, parseChecklist } from '../checklist/load.js';
import { didYouMean } from '../input/suggest.js';
import { InputError, UsageError } from '../input/errors.js';
import { cannotRead, readOnnx } from '../onnx/read-input.js';
import { sha256Hex } from '../input/hash.js';
import { PACKAGE_ROOT } from '../input/version.js';
import type { OnnxModelInfo } from '../onnx/model-info.js';
import { createSession } from '../onnx/session.js';
import { runChecklist } from './runner.js';
import { RunContext } from '../checks/context.js';
import { CLASS_SOURCE } from '../eval/predict.js';
import { columnOrderDoubt } from '../eval/column-order.js';
import { confusionMatrix } from '../eval/metrics/classification.js';
import { metricDef, type MetricName } from '../eval/metrics/index.js';
import { parseNumber } from '../eval/cells.js';
import { cellAt, columnIndex, openDatasetPath, type DatasetSource } from '../eval/datasets/index.js';
import { datasetFiles } from '../spec/fields.js';

export interface InitOptions {
  model: string;
  dataset?: string;
  label?: string;
  /** the columns that feed the model's one input, in order */
  inputs?: string[];
  /** columns of the dataset that feed no input (dates, ids) */
  drop?: string[];
  /** the classes in score-column order, for a model whose graph has no class labels */
  classes?: string[];
  /** the model ends at logits (model.outputs.kind: logits) */
  logits?: boolean;
  /** the positive class of a binary model */
  positive?: string;
  output: string;
  /** the date written in the comments (and used by the first run) */
  now: Date;
}

/** The checklist schema shipped with deploy-check (the package's schema/ folder), for editors. */
const SCHEMA = join(PACKAGE_ROOT, 'schema', 'checklist.schema.json');

/** Metrics proposed per task. */
const PROPOSED: Record<'classification' | 'regression', MetricName[]> = {
  classification: ['accuracy', 'balanced_accuracy', 'f1', 'roc_auc', 'log_loss'],
  regression: ['mae', 'rmse', 'r2'],
};

/**
 * Writes a starter checklist for a model (and, with a dataset, thresholds from a first
 * measurement): the model's own checks, the documentation found next to it, and one metric check
 * per standard metric, its threshold the bound of the 95% bootstrap interval on the failing side,
 * rounded outwards to two significant digits. Never overwrites a file. Returns what it wrote.
 */
export async function initChecklist(o: InitOptions): Promise<{ file: string; checks: number; text: string; warnings: string[] }> {
  const out = resolve(o.output);
  if (existsSync(out)) throw new UsageError(`${o.output} exists: init never overwrites a file (choose another --output)`);
  if (o.dataset !== undefined && o.label === undefined) throw new UsageError('--dataset needs --label, the column that holds the true values');
  if (o.label !== undefined && o.dataset === undefined) throw new UsageError('--label needs --dataset');
  for (const [flag, given] of [['--inputs', o.inputs], ['--drop', o.drop], ['--classes', o.classes], ['--positive', o.positive], ['--logits', o.logits || undefined]] as const) {
    if (given !== undefined && o.dataset === undefined) throw new UsageError(`${flag} needs --dataset and --label`);
  }
  if (o.inputs && o.drop) throw new UsageError('--inputs and --drop: give one (--inputs names every column the model reads)');
  const folder = dirname(out);
  const rel = (p: string) => relative(folder, resolve(p)).split('\\').join('/') || '.';
  const { bytes, info } = readOnnx(resolve(o.model), o.model);
  const session = await createSession(bytes, o.model);
  await session.release();
  if (o.dataset !== undefined) datasetReadable(o.dataset);

  const modelDir = dirname(resolve(o.model));
  const near = (names: string[]) => names.map((n) => join(modelDir, n)).find((p) => existsSync(p));
  const card = near(['MODEL_CARD.md', 'model_card.md', 'README.md']);
  const hyper = near(['hyperparameters.yaml', 'hyperparameters.yml', 'hyperparameters.json']);
  const approvals = near(['approvals.yaml', 'approvals.yml']);
  const monitoring = near(['monitoring.yaml', 'monitoring.yml']);

  const head = [
    `# yaml-language-server: $schema=${rel(SCHEMA)}`,
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
  const warnings: string[] = [];
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
    const measured = await measure(o, out, head, checks, info);
    head.push(...measured.model, ...datasets);
    checks.push(...measured.lines);
    warnings.push(...measured.warnings);
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
  return { file: o.output, checks: text.split('\n').filter((l) => /^ {2}- type: /.test(l)).length, text, warnings };
}

/**
 * The dataset's files (a file, or a glob of files) exist and open; they are read later as a
 * stream, never whole.
 */
function datasetReadable(path: string): void {
  const files = datasetFiles(process.cwd(), path);
  if (files.length === 0) throw new InputError(path, 'matches no file', undefined, 'a glob is relative to the current folder');
  for (const f of files) {
    try {
      closeSync(openSync(resolve(f), 'r'));
    } catch (err) {
      throw cannotRead(f, err);
    }
    if (!statSync(resolve(f)).isFile()) throw new InputError(f, 'is not a regular file');
  }
}

/** What the label column holds: its distinct values (at most 1,000 kept) and whether they are all numbers. */
interface LabelValues {
  values: Set<string>;
  numbers: boolean;
  fractions: boolean;
  /** columns with a value that is not a number in the first rows (dates, ids, names) */
  textColumns: Set<string>;
}

/**
 * A first run of the standard metrics with their 95% intervals, on the checklist about to be
 * written, held in memory: messages name the file the user asked for and the checks it will hold.
 */
async function measure(o: InitOptions, out: string, draftHead: string[], checks: string[], info: OnnxModelInfo): Promise<{ model: string[]; lines: string[]; warnings: string[] }> {
  const source = await openDatasetPath(process.cwd(), o.dataset!, (p) => p);
  columnIndex(source, o.label!, '--label');
  const labels = await labelValues(source, o.label!);
  const regression = !hasLabelOutput(info) && labels.numbers && (labels.values.size > 20 || labels.fractions);
  const candidates = PROPOSED[regression ? 'regression' : 'classification'].map((metric) => ({ metric, def: metricDef(metric) }));
  const model: string[] = [];
  if (regression) model.push('  task: regression');
  else {
    const width = scoreWidth(info);
    const classes = o.classes ?? (hasClassLabels(info) ? undefined : classesFromLabels(labels, width, o));
    const task = classes ? (classes.length === 2 ? 'binary' : 'multiclass') : width === undefined || hasClassLabels(info) ? undefined : width <= 2 ? 'binary' : 'multiclass';
    if (task) model.push(`  task: ${task}`);
    if (o.classes) model.push(`  classes: [${o.classes.map(yamlString).join(', ')}]`);
    if (o.positive !== undefined) model.push(`  positive: ${yamlString(o.positive)}`);
    if (o.logits) model.push('  outputs: { kind: logits }   # from init --logits: a sigmoid or softmax is applied to the scores');
  }
  model.push(...inputLines(info, source.columns, labels.textColumns, o));
  const ids = candidates.map((c) => c.metric.replace(/_/g, '-'));
  const maxOf = (c: (typeof candidates)[number]) => !c.def.higherIsBetter;
  // thresholds that do not matter: only the measurements are read
  const draft = [...draftHead, ...model, 'datasets:', `  holdout: { path: ${yamlString(relative(dirname(out), resolve(o.dataset!)))}, label: ${yamlString(o.label!)} }`, 'checks:', ...checks,
    ...candidates.map((c, i) => `  - { id: ${ids[i]}, type: metric, metric: ${c.metric}, ${maxOf(c) ? 'max: 0' : 'min: 0'}, confidence: 0.95 }`)];
  const loaded = parseChecklist(`${draft.join('\n')}\n`, out);
  const ctx = new RunContext(loaded, o.now);
  const report = await runChecklist(loaded, { now: o.now, context: ctx, only: ids });
  const ev = await ctx.evaluation('model', 'holdout');
  const lines: string[] = [];
  const warnings: string[] = [];
  // thresholds measured with the score columns read in the wrong order would gate on nonsense
  const doubt = ev.task === 'regression' || ev.nonFinite.rows ? undefined : columnOrderDoubt(ev.classes, confusionMatrix(ev.truth, ev.predicted, ev.classes.length), o.classes ? 'init --classes' : CLASS_SOURCE[ev.classSource]);
  // scores that are not probabilities: what they are is the user's to say (the outputs check fails until then)
  const raw = ev.task === 'regression' ? undefined : ev.notProbabilities?.reason;
  // scores in [0, 1] that the graph says are raw may be probabilities all the same (a sigmoid over them would be wrong)
  const otherwise = ev.notProbabilities?.by === 'graph' ? '; if they are probabilities all the same, write outputs: { kind: probabilities } in the model' : '';
  if (raw) warnings.push(`the scores are not probabilities (${raw}): the outputs check will fail and no metric that needs probabilities is proposed; if the model ends at logits, run init again with --logits${otherwise}`);
  if (doubt) {
    warnings.push(`no metric thresholds proposed: the score columns look like they are in another order (${doubt}); check --label (is it the column the model predicts?) and give --classes in score-column order`);
    lines.push(`  # no metric thresholds proposed: the score columns look like they are in another order (${doubt}).`, '  # Check that the label is the column the model predicts, and the order of model.classes, then run init again.');
  }
  if (!doubt) candidates.forEach((c, i) => {
    const check = report.checks.find((k) => k.id === ids[i])!;
    const m = check.measurements[0];
    if (check.status === 'error' || !m || m.value === null || !m.ci) {
      const notComputed = detailsOf(check, 'metric')?.interval?.not_computed;
      const why = check.status === 'error' ? check.message : m && m.value !== null ? `measured ${fmt(m.value)}, but no 95% interval: ${notComputed ?? 'none could be computed'}` : (check.findings[0]?.message ?? 'undefined on this data');
      lines.push(`  # ${c.metric}: not proposed (${why})`);
      return;
    }
    const [lo, hi] = m.ci;
    const bound = maxOf(c) ? roundOut(hi, 'up') : roundOut(lo, 'down');
    const [least, most] = c.def.range;
    if (maxOf(c) ? bound >= most : bound <= least) {
      // a threshold at the metric's own limit cannot fail: a gate in name only
      const why = `measured ${fmt(m.value)} [${fmt(lo)}, ${fmt(hi)}] on ${ev.n} rows: a threshold at the interval's bound (${bound}) could never fail`;
      warnings.push(`${c.metric}: not proposed (${why}); is the label the column the model predicts?`);
      lines.push(`  # ${c.metric}: not proposed (${why}; is the label the column the model predicts?)`);
      return;
    }
    lines.push(
      `  - type: metric`,
      `    id: ${ids[i]}`,
      `    metric: ${c.metric}`,
      `    ${maxOf(c) ? 'max' : 'min'}: ${bound}   # measured ${fmt(m.value)} [${fmt(lo)}, ${fmt(hi)}] on ${ev.n} rows, ${day(o.now)}`,
      '    confidence: 0.95',
    );
  });
  // what the run settled, written out: the checklist states the task, the classes and their order
  const settled = [
    `  task: ${ev.task}`,
    ...(ev.task === 'regression' ? [] : [`  classes: [${ev.classes.map(yamlString).join(', ')}]   # score columns' order, from ${o.classes ? 'init --classes' : CLASS_SOURCE[ev.classSource]}`]),
    ...(ev.task === 'binary' ? [`  positive: ${yamlString(ev.classes[ev.positive]!)}`] : []),
    ...model.filter((l) => !/^ {2}(task|classes|positive):/.test(l)),
    ...(raw ? [`  # the scores are not probabilities (${raw}): if the model ends at logits, run init again with --logits${otherwise}`] : []),
  ];
  const outputs = ev.task === 'regression' ? [] : ['  - type: outputs   # finite scores, probabilities that sum to 1, the column order'];
  return { model: settled, lines: [...outputs, "  # thresholds: the 95% interval's bound on the failing side, rounded outwards", ...lines], warnings };
}

async function labelValues(source: DatasetSource, label: string): Promise<LabelValues> {
  const col = source.columns.indexOf(label);
  const out: LabelValues = { values: new Set(), numbers: true, fractions: false, textColumns: new Set() };
  // the first rows of every column, to tell text columns apart; then the label column alone
  for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'cell' as const })), 1000)) {
    source.columns.forEach((name, k) => {
      for (let i = 0; i < b.n; i++) {
        const p = parseNumber(cellAt(b.cells[k]!, i));
        if (!p.ok && !p.missing) out.textColumns.add(name);
      }
    });
    break;
  }
  for await (const b of source.batches([{ index: col, as: 'cell' }], 8192)) {
    for (let i = 0; i < b.n; i++) {
      const cell = cellAt(b.cells[0]!, i);
      const p = parseNumber(cell);
      if (!p.ok) out.numbers = false;
      else if (!Number.isInteger(p.value)) out.fractions = true;
      if (out.values.size < 1000) out.values.add(p.ok ? String(p.value) : String(cell));
    }
  }
  return out;
}

/** Whether the model's outputs include labels (a label tensor or a ZipMap): it is a classifier. */
function hasLabelOutput(info: OnnxModelInfo): boolean {
  return info.outputs.some((out) => out.type.kind !== 'tensor' || ['string', 'int64', 'int32'].includes(out.type.elemType));
}

function hasClassLabels(info: OnnxModelInfo): boolean {
  return info.nodes.some((n) => n.classLabels && n.classLabels.length);
}

/** Columns of the first float output, when its shape says ([N, k]; [N] is one). */
function scoreWidth(info: OnnxModelInfo): number | undefined {
  const out = info.outputs.find((o) => o.type.kind === 'tensor' && (o.type.elemType === 'float32' || o.type.elemType === 'float64'));
  if (!out || out.type.kind !== 'tensor' || !out.type.shape) return undefined;
  if (out.type.shape.length === 1) return 1;
  return typeof out.type.shape[1] === 'number' ? out.type.shape[1] : undefined;
}

/**
 * The classes when the labels settle them without a guess (integers that are column indices; two
 * labels and --positive); else a usage error asking for --classes. Undefined: the run decides.
 */
function classesFromLabels(labels: LabelValues, width: number | undefined, o: InitOptions): string[] | undefined {
  const seen = [...labels.values].sort();
  const columns = width === undefined ? undefined : width === 1 ? 2 : width;
  if (labels.numbers && !labels.fractions && seen.every((v) => Number(v) >= 0 && (columns === undefined || Number(v) < columns))) return undefined;
  if (o.positive !== undefined && seen.length === 2 && (columns ?? 2) === 2 && seen.includes(o.positive)) return undefined;
  const shown = `the labels of "${o.label}" (${seen.slice(0, 12).join(', ')}${seen.length > 12 ? ', …' : ''})`;
  if (o.positive !== undefined && !seen.includes(o.positive)) throw new UsageError(`--positive ${o.positive}: not one of ${shown}`);
  // one score a row is the probability of one of two classes, which the labels alone cannot name
  if (width === 1 && seen.length !== 2) throw new UsageError(`${o.model}: its output is one score a row, as a binary classifier's is, but ${shown} are ${seen.length} classes`);
  if (width === 1) {
    throw new UsageError(
      `${o.model}: its output is one score a row, with no class label, and ${shown} do not say which class that score is the probability of: give --positive with that class (for example --positive ${seen[1]}), as the model was trained`,
    );
  }
  // fewer labels in the dataset than score columns: a class it lacks must be named too
  const lacking = columns !== undefined && seen.length < columns ? `; the dataset holds ${seen.length} of the ${columns} classes: name all ${columns}, the ones it lacks too` : '';
  throw new UsageError(
    `${o.model}: its ${columns ?? 'score'} score columns have no class labels, and ${shown} do not say their order: give --classes in score-column order, as the model was trained (for example --classes ${seen.slice(0, 3).join(',')},…)${seen.length === 2 && columns === 2 ? ', or --positive with the class of the second column' : ''}${lacking}`,
  );
}

/**
 * The inputs mapping: one input of shape [N, k] takes --inputs, or every column but the label and
 * --drop, in file order; several inputs take the columns of their names. A count that does not fit
 * lists the columns and says how to choose.
 */
function inputLines(info: OnnxModelInfo, columns: string[], textColumns: Set<string>, o: InitOptions): string[] {
  const inputs = info.inputs;
  if (inputs.length !== 1) {
    if (o.inputs) throw new UsageError(`--inputs: ${o.model} has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); each takes the column of its name`);
    return [];
  }
  for (const [flag, list] of [['--inputs', o.inputs ?? []], ['--drop', o.drop ?? []]] as const) {
    for (const c of list) if (!columns.includes(c)) throw new UsageError(`${flag} ${c}: ${o.dataset} has no column "${c}"${hintOf(didYouMean(c, columns, list))}`);
  }
  const chosen = o.inputs ?? columns.filter((c) => c !== o.label && !o.drop?.includes(c));
  const input = inputs[0]!;
  const shape = input.type.kind === 'tensor' ? input.type.shape : undefined;
  const width = shape?.length === 2 && typeof shape[1] === 'number' ? shape[1] : shape?.length === 1 ? 1 : undefined;
  if (width !== undefined && width !== chosen.length) {
    // the columns that are not numbers (dates, names) are the likely ones to leave out
    const drop = chosen.filter((c) => textColumns.has(c));
    const suggestion = !o.inputs && chosen.length - drop.length === width && drop.length ? ` (here, perhaps --drop ${[...(o.drop ?? []), ...drop].join(',')})` : '';
    throw new UsageError(
      `input "${input.name}" of ${o.model} takes ${width} column${width === 1 ? '' : 's'}, but ${o.inputs ? '--inputs names' : `${o.dataset} has`} ${chosen.length}${o.inputs ? '' : ' besides the label'} (${chosen.join(', ')}): ` +
        `choose them with --inputs col,col,… or leave columns out with --drop col,…${suggestion}`,
    );
  }
  return ['  inputs:', `    ${yamlString(input.name)}: [${chosen.map(yamlString).join(', ')}]`];
}

function hintOf(h: string | undefined): string {
  return h ? ` (${h})` : '';
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
