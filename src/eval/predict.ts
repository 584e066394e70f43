import type { DatasetSpec, ModelSpec } from '../spec/model.js';
import { place } from '../spec/datasets.js';
import { InputError } from '../input/errors.js';
import { probability } from './scores.js';
import { rawScoresFrom, type OnnxModelInfo, type ValueInfo } from '../onnx/model-info.js';
import { ModelRunStopped, tensor, type ModelSession, type WireTensor } from '../onnx/session.js';
import { labelKey, numberAt, numberOf, parseNumber, type Parsed } from './cells.js';
import { columnIndex } from './datasets/index.js';
import type { Part } from './datasets/part.js';
import { cellAt, isNumberColumn, pickRows, whereOf, type BatchOptions, type Cell, type Column, type ColumnRequest, type DatasetSource, type RawBatch } from './datasets/types.js';

export type Task = 'binary' | 'multiclass' | 'regression';

/** Rows per session.run: large enough to amortise the call, small enough to keep memory flat. */
export const BATCH_SIZE = 4096;
/** Batches sent to the model host before the oldest is awaited. */
const IN_FLIGHT = 8;

/** The model run over one dataset: what every evaluation check reads. */
export interface Evaluation {
  n: number;
  task: Task;
  /** class labels as strings, in score-column order (classification) */
  classes: string[];
  /**
   * where the order of the score columns came from: the model's class labels, the checklist's
   * `classes` (or its `positive`, for two labels), or integer labels read as column indices
   */
  classSource: 'model' | 'checklist' | 'label-index';
  /**
   * why the scores are not probabilities, when they are not: by their values (outside [0, 1], rows
   * not summing to 1), or by the graph (straight from a linear layer, though in [0, 1] here)
   */
  notProbabilities?: { reason: string; by: 'values' | 'graph' };
  /** index of the positive class (binary) */
  positive: number;
  threshold: number;
  /** class index per row (classification) or the true value (regression) */
  truth: Uint8Array | Int32Array | Float64Array;
  /** classification: n × scoreColumns probabilities, row-major (read them with `probability`); regression: the n predictions */
  scores: Float64Array | Float32Array;
  /** columns the model's score output had, and `scores` holds: 1 (a single score or value) or the number of classes */
  scoreColumns: number;
  /** classification: predicted class index (threshold for binary, argmax otherwise); one byte a row up to 256 classes */
  predicted: Int32Array | Uint8Array;
  /** the model's own label output as a class index (-1: not a class), when it has one */
  labelOutput?: Int32Array;
  /** rows whose scores hold a NaN or an infinity, and the first few of them (places in the file) */
  nonFinite: { rows: number; first: number[] };
  /** rows' places in the file (line or row numbers), for findings */
  rowRef: Int32Array;
  rowUnit: 'line' | 'row';
  /** columns kept for slicing, as typed arrays */
  columns: Map<string, KeptColumn>;
  /** per input column: mean and standard deviation (numbers) or the values seen (strings, at most 1,000) */
  inputStats: Map<string, ColumnStats>;
  /** `others`: the model's other float outputs, when the scores were taken from its first (the checklist named none) */
  outputs: { scores?: string; label?: string; value?: string; others?: string[] };
  /** the scores came from a file written elsewhere, bound to the model by rows re-scored here */
  scoredElsewhere?: { path: string; checked: number; tolerance: number };
  /**
   * the rows were counted in shards (eval/counted.ts): `truth`, `predicted` and (by `multiset`) `scores`
   * are every row's, not in file order; `rowRef` and `labelOutput` (and, by `decisions`, `scores`) are
   * not kept. Only checks that read what was counted are given such an evaluation.
   */
  counted?: 'decisions' | 'multiset';
}

/** Where the order of the score columns came from, in words (reports say it). */
export const CLASS_SOURCE: Record<Evaluation['classSource'], string> = { model: 'the model', checklist: 'the checklist', 'label-index': 'integer labels as column indices' };

/** A column kept beside the predictions (slices): a category code and a number per row, no string per row. */
export interface KeptColumn {
  /** the row's category (an index into `values`), -1 for a missing value */
  codes: Int32Array;
  /** the distinct values as text, in first-seen order; undefined when there were more than MAX_CATEGORIES */
  values: string[] | undefined;
  /** the row's value as a number; NaN when missing or not a number */
  numbers: Float64Array;
}

/** Distinct values a kept column may have as categories (beyond, it is numbers only). */
export const MAX_CATEGORIES = 65_536;

/** Builds a KeptColumn batch by batch. */
export class KeptBuilder {
  private readonly codes = new Growable(Int32Array);
  private readonly numbers = new Growable(Float64Array);
  private readonly dictionary = new Map<string, number>();
  private overflow = false;
  add(cell: Cell): void {
    this.numbers.push(numberOf(cell) ?? NaN);
    const key = labelKey(cell, false);
    if (key === undefined || this.overflow) {
      this.codes.push(-1);
      return;
    }
    let code = this.dictionary.get(key);
    if (code === undefined) {
      if (this.dictionary.size >= MAX_CATEGORIES) {
        this.overflow = true;
        this.dictionary.clear();
        this.codes.push(-1);
        return;
      }
      this.dictionary.set(key, (code = this.dictionary.size));
    }
    this.codes.push(code);
  }
  done(): KeptColumn {
    return { codes: this.codes.done(), values: this.overflow ? undefined : [...this.dictionary.keys()], numbers: this.numbers.done() };
  }
}

interface InputPlan {
  name: string;
  type: string;
  columns: number[];
  /** [n, k] or [n] */
  rank: 1 | 2;
}

/**
 * A float input's array, refilled batch after batch (ModelSession.run copies its feeds before it
 * returns): 120 MB of fresh arrays fewer for a million rows of 30 float32 features.
 */
type Scratch = Map<InputPlan, Float32Array | Float64Array>;

export type ColumnStats = { kind: 'number'; n: number; mean: number; std: number } | { kind: 'string'; values: string[] };

/** A change applied to each batch before it reaches the model (robustness); labels are never changed. */
export type BatchTransform = (batch: RawBatch, columnIndex: (name: string) => number | undefined) => RawBatch;

/** What is known of a model without running it: enough to plan a pass and to read its outputs. */
export interface ModelFacts {
  role: string;
  path: string;
  spec: ModelSpec;
  info: OnnxModelInfo;
  /** class labels of ZipMap outputs (after the rewrite), by output name */
  zipmapClasses: Map<string, (string | number)[]>;
}

export interface ModelUnderTest extends ModelFacts {
  session: ModelSession;
}

/**
 * What one pass over a dataset read, in file order, before any Evaluation is made of it: the rows'
 * places, labels, kept columns and every model's raw outputs. Passes over parts of a dataset (shards)
 * merge into the pass over the whole (run/state.ts), from which `finishPass` makes the same
 * Evaluations.
 */
export interface Pass {
  rowRef: Int32Array;
  rowUnit: 'line' | 'row';
  labels: LabelData;
  /** in the order of `keep` */
  kept: KeptColumn[];
  inputStats: Map<string, ColumnStats>;
  /** in the order of the models */
  outputs: OutputData[];
  /**
   * a shard's counted pass (eval/counted.ts): what its rows were grouped by, how many rows of the
   * file each stands for, and the sum tolerances of the outputs checks whose findings were kept apart
   */
  counted?: { by: 'decisions' | 'multiset'; weights: Uint32Array; outputs?: number[] };
  /**
   * a perturbed pass in a shard (robustness): each row's decision key in the unperturbed pass (eval/counted.ts
   * decisionKeys), so that a merge compares the two decisions of a row whatever each pass kept
   */
  paired?: Int32Array;
}

/** The labels of a pass: codes into a dictionary of the distinct labels in first-seen order (classification), or values (regression). */
export interface LabelData {
  dictionary: Map<string, number>;
  /** one byte a row up to 256 distinct labels */
  keys: Uint8Array | Int32Array;
  values: Float64Array;
}

/** A model's outputs in a pass: its scores and their width, and its label output as codes, batch by batch. */
export interface OutputData {
  scores: (Float32Array | Float64Array)[];
  widths: number[];
  labels: Int32Array[];
  labelKeys: Map<string, number>;
}

/**
 * One pass over a dataset, running every model that needs it batch by batch: the file is read
 * once, tensors are filled from the parsed cells, and only labels, scores and the columns kept for
 * slicing stay in memory. The pieces: what to read (planRead), the labels (Labels), the input
 * statistics (InputMoments), the columns kept (KeptBuilder), each model's outputs (Outputs), and
 * an Evaluation per model at the end (finish).
 */
export async function evaluate(source: DatasetSource, dataset: DatasetSpec & { name: string }, models: ModelUnderTest[], keep: string[], options: PassOptions = {}): Promise<Evaluation[]> {
  const plan = planRead(source, dataset, models, keep);
  return finishPass(plan, await readPass(source, dataset, plan, models, options), source.path);
}

export interface PassOptions {
  onProgress?: (rows: number, fraction: number) => void;
  transform?: BatchTransform;
  inputStats?: boolean;
  /** read only this shard's rows */
  part?: Part;
}

/**
 * The Evaluation of each model of a plan, from its pass over the whole dataset. The pass is used
 * up: its arrays become the Evaluations' (labels turned into class indices in place, scores
 * transformed in place), so that no per-row array is held twice.
 */
export function finishPass(plan: ReadPlan, pass: Pass, path: string): Evaluation[] {
  const common = { n: pass.rowRef.length, rowRef: pass.rowRef, rowUnit: pass.rowUnit, columns: new Map(plan.keep.map((k, i) => [k, pass.kept[i]!])), inputStats: pass.inputStats };
  return plan.plans.map((p, m) => finish(p, pass.outputs[m]!, pass.labels, plan.labelName, common, plan.plans.length === 1, path));
}

/** Reads a dataset (or one shard's part of it) once, running every model of the plan on it. */
export async function readPass(source: DatasetSource, dataset: DatasetSpec & { name: string }, plan: ReadPlan, models: ModelUnderTest[], options: PassOptions = {}): Promise<Pass> {
  const { onProgress, transform, part } = options;
  const { plans, slot, keep } = plan;
  const labels = new Labels(source.path, plan.labelName, plan.regression, plan.numericLabels);
  const rowRef = new Growable(Int32Array);
  let rowUnit: 'line' | 'row' = 'line';
  const kept = keep.map(() => new KeptBuilder());
  const moments = new InputMoments(options.inputStats ? plans : [], slot);
  const outputs = plans.map((p, m) => new Outputs(p, models[m]!.session, source.path, plan.numericLabels, transformedHere(p)));
  const growing = [rowRef, labels];
  let reserved = 0;
  const indexOf = (name: string) => {
    const j = source.columns.indexOf(name);
    return j < 0 || !slot.has(j) ? undefined : slot.get(j);
  };
  // everything a batch gives is copied before the next is asked for, so the reader may reuse its arrays
  const inFlight: Promise<void>[] = [];
  const scratch: Scratch = new Map();
  const matrix = matrixInput(plan, options);
  const batchOptions: BatchOptions = { reuse: true, ...(part ? { part } : {}), ...(matrix ? { matrix: matrix.columns.map((c) => slot.get(c)!) } : {}) };
  for await (const read of source.batches(plan.want, BATCH_SIZE, batchOptions)) {
    const batch = transform ? transform(read, indexOf) : read;
    moments.add(read);
    rowUnit = batch.unit;
    const at = rowRef.length;
    reserved = reserveRows(reserved, at + batch.n, read.through ?? source.progress(), [...growing, ...outputs]);
    rowRef.append(batch.refs, batch.n);
    labels.add(batch, batch.cells[slot.get(plan.labelCol)!]!);
    plan.keepCols.forEach((c, k) => {
      const cells = batch.cells[slot.get(c)!]!;
      for (let i = 0; i < batch.n; i++) kept[k]!.add(cellAt(cells, i));
    });
    // The model host runs batch i while this process reads batch i + 1: up to IN_FLIGHT batches are
    // sent before the oldest is awaited; results land in their batch's place, so order is kept.
    for (let m = 0; m < plans.length; m++) {
      const sent = sentFor(batch, plans[m]!.batch);
      const feeds: Record<string, WireTensor> = {};
      for (const input of plans[m]!.inputs) feeds[input.name] = tensorFor(input, sent, slot, source, dataset, scratch, input === matrix ? sent.matrix : undefined);
      inFlight.push(outputs[m]!.run(feeds, batch, at, sent.n, plans[m]!.batch));
    }
    await drain(inFlight, IN_FLIGHT * plans.length);
    onProgress?.(rowRef.length, source.progress());
  }
  for (const done of inFlight.splice(0)) await done;
  return {
    rowRef: rowRef.done(),
    rowUnit,
    labels: { dictionary: labels.dictionary, keys: labels.keys.done(), values: labels.values.done() },
    kept: kept.map((k) => k.done()),
    inputStats: moments.done(source.columns),
    outputs,
  };
}

/**
 * The input a pass asks the reader to give as a matrix (BatchOptions.matrix), parsed into the rows
 * the model is sent: a single model's float32 input whose columns are distinct, read as numbers and
 * read by nothing else of the pass (not the label, a kept column or another input; no input
 * statistics, no perturbation, which read the columns).
 */
function matrixInput(plan: ReadPlan, options: PassOptions): InputPlan | undefined {
  if (plan.plans.length !== 1 || options.transform || options.inputStats) return undefined;
  const inputs = plan.plans[0]!.inputs;
  const numbers = new Set(plan.want.filter((w) => w.as === 'number').map((w) => w.index));
  return inputs.find((input) => {
    if (input.type !== 'float32' || new Set(input.columns).size !== input.columns.length) return false;
    const elsewhere = new Set([plan.labelCol, ...plan.keepCols, ...inputs.filter((i) => i !== input).flatMap((i) => i.columns)]);
    return input.columns.every((c) => numbers.has(c) && !elsewhere.has(c));
  });
}

/**
 * Awaits the oldest runs until at most `keep` are in flight. A call every batch, not a loop in
 * readPass: its first `await` came only once IN_FLIGHT batches were out, after V8 had optimised
 * readPass (a large function), whose code then stopped there for want of feedback and was compiled
 * again.
 */
async function drain(inFlight: Promise<void>[], keep: number): Promise<void> {
  while (inFlight.length > keep) await inFlight.shift();
}

/**
 * The input statistics of a whole dataset (every row, whatever shard this is), as the pass of an
 * unsharded run computes them: the same rows in the same order, so the same numbers to the last bit.
 */
export async function readInputStats(source: DatasetSource, plan: ReadPlan): Promise<Map<string, ColumnStats>> {
  const moments = new InputMoments(plan.plans, plan.slot);
  for await (const read of source.batches(plan.want, BATCH_SIZE, { reuse: true })) moments.add(read);
  return moments.done(source.columns);
}

/**
 * Sizes the per-row arrays from an estimate of the rows of the whole read (rows so far over the
 * fraction of the file read: Parquet's row count, a text file's bytes), with 3% to spare, so that
 * they are not copied at every doubling of a large file; re-estimated only when the rows outgrow
 * the estimate. Returns the rows reserved for.
 */
function reserveRows(reserved: number, rows: number, fraction: number, arrays: { reserve(n: number): void }[]): number {
  if (rows <= reserved || !(fraction > 0)) return reserved;
  const estimate = Math.ceil(Math.max(rows, (rows / Math.min(1, fraction)) * 1.03));
  for (const a of arrays) a.reserve(estimate);
  return estimate;
}

export interface ModelPlan {
  model: ModelFacts;
  inputs: InputPlan[];
  outputs: OutputPlan;
  /** the rows of every run when the model's inputs fix them (see fixedBatch) */
  batch: number | undefined;
}

export type ReadPlan = ReturnType<typeof planRead>;

/**
 * What one pass reads: the label, the columns kept, every model's inputs, each as numbers or cells.
 * It needs only the dataset's header: a merge plans the pass its shards read.
 */
export function planRead(source: Pick<DatasetSource, 'path' | 'columns'>, dataset: DatasetSpec & { name: string }, models: ModelFacts[], keep: string[]) {
  const labelName = dataset.label;
  if (!labelName) throw new InputError(source.path, `dataset "${dataset.name}" has no label column`, undefined, `set ${place.dataset(dataset.name, 'label')} in the checklist`);
  const labelCol = columnIndex(source, labelName, place.dataset(dataset.name, 'label'));
  const plans: ModelPlan[] = models.map((m) => ({ model: m, inputs: planInputs(m, source, labelCol), outputs: planOutputs(m), batch: fixedBatch(m) }));
  const keepCols = keep.map((k) => columnIndex(source, k, 'named by a slices check'));
  const regression = plans.some((p) => p.outputs.task === 'regression');
  const numeric = new Set(plans.flatMap((p) => p.inputs.filter((i) => i.type !== 'string').flatMap((i) => i.columns)));
  // labels read as numbers ("1.0" is class 1) unless a model's classes, from the model or the
  // checklist, include text
  const numericLabels = plans.every((p) => (classLabelsOf(p.model, p.outputs.scores) ?? p.model.spec.classes)?.every((c) => typeof c === 'number') ?? true);
  const textInputs = new Set(plans.flatMap((p) => p.inputs.filter((i) => i.type === 'string').flatMap((i) => i.columns)));
  if (regression || (numericLabels && !textInputs.has(labelCol))) numeric.add(labelCol);
  for (const c of keepCols) numeric.delete(c);
  const want: ColumnRequest[] = [...new Set([labelCol, ...keepCols, ...plans.flatMap((p) => p.inputs.flatMap((i) => i.columns))])].map((index) => ({
    index,
    as: numeric.has(index) ? 'number' : 'cell',
  }));
  return { labelName, labelCol, keep, keepCols, plans, regression, numericLabels, want, slot: new Map(want.map((w, k) => [w.index, k])) };
}

const SMALL_LABELS = 256;

/**
 * The label of every row: the true value (regression), or a code into a dictionary of the distinct
 * labels seen (classification), mapped to class indices once the classes are known. A label the
 * reader parsed as a number is coded by value: no string per row.
 */
export class Labels {
  readonly dictionary = new Map<string, number>();
  private readonly byValue = new Map<number, number>();
  /** the codes of the labels 0 … SMALL_LABELS − 1 (−1: not seen yet), which nearly every numeric label is: a map lookup a row cost more than the rest of the row */
  private readonly small = new Int32Array(SMALL_LABELS).fill(-1);
  /** one byte a row while there are at most 256 distinct labels (nearly always), four beyond */
  keys: Growable<Uint8Array> | Growable<Int32Array> = new Growable(Uint8Array);
  /** addSmall's codes of a batch, before they are copied into `keys` (of the same kind) */
  private codes: Uint8Array | Int32Array = new Uint8Array(0);
  readonly values = new Growable(Float64Array);
  constructor(
    private readonly path: string,
    /** the label column's name, for messages */
    readonly name: string,
    private readonly regression: boolean,
    private readonly numeric: boolean,
  ) {}

  private code(key: string): number {
    let idx = this.dictionary.get(key);
    if (idx === undefined) {
      this.dictionary.set(key, (idx = this.dictionary.size));
      if (idx === 256) this.keys = this.keys.as(Int32Array);
    }
    return idx;
  }

  /**
   * A batch whose labels are all small whole numbers seen before (nearly every batch of a
   * classification after its first): their codes in one pass and one copy, as `add` would give them
   * a row at a time; false, adding nothing, at the first other label.
   */
  private addSmall(numbers: Float64Array, n: number): boolean {
    // of the keys' own kind: a copy between arrays of one kind is a memory copy, between two kinds an element at a time
    const Kind = this.keys.holds(Uint8Array) ? Uint8Array : Int32Array;
    if (this.codes.length < n || !(this.codes instanceof Kind)) this.codes = new Kind(Math.max(n, this.codes.length));
    const { codes, small } = this;
    for (let i = 0; i < n; i++) {
      const v = numbers[i]!;
      const idx = v >= 0 && v < SMALL_LABELS && (v | 0) === v ? small[v]! : -1;
      if (idx < 0) return false;
      codes[i] = idx;
    }
    this.keys.write(this.keys.length, codes.subarray(0, n));
    return true;
  }

  /** room for `n` rows (the labels of a regression are values, of a classification codes) */
  reserve(n: number): void {
    if (this.regression) this.values.reserve(n);
    else this.keys.reserve(n);
  }

  add(batch: RawBatch, labels: Column): void {
    const parsed = isNumberColumn(labels) ? labels : undefined;
    if (!this.regression && parsed && parsed.other.size === 0 && this.addSmall(parsed.numbers, batch.n)) return;
    for (let i = 0; i < batch.n; i++) {
      if (this.regression) {
        const v = numberAt(labels, i);
        if (!v.ok) throw new InputError(this.path, `${whereOf(batch, i)}: label column "${this.name}": ${v.missing ? 'missing value' : v.reason}`);
        this.values.push(v.value);
      } else if (parsed && !parsed.other.has(i)) {
        // a plain decimal: its key is String(value), as labelKey would make it from the text
        const v = parsed.numbers[i]!;
        // a small whole label (0/1, a class index) from an array, else from the map
        const small = v >= 0 && v < SMALL_LABELS && (v | 0) === v;
        let idx = small ? this.small[v]! : -1;
        if (idx < 0) {
          idx = this.byValue.get(v) ?? -1;
          if (idx < 0) this.byValue.set(v, (idx = this.code(String(v))));
          if (small) this.small[v] = idx;
        }
        this.keys.push(idx);
      } else {
        const key = labelKey(cellAt(labels, i), this.numeric);
        if (key === undefined) throw new InputError(this.path, `${whereOf(batch, i)}: label column "${this.name}" is empty`);
        // coded before this.keys is read: the code may widen the keys to another array
        const code = this.code(key);
        this.keys.push(code);
      }
    }
  }
}

/** Input columns' statistics, for perturbations: Welford's running mean and variance, the strings seen (at most 1,000). */
class InputMoments {
  private readonly moments: Map<number, { n: number; mean: number; m2: number }>;
  private readonly seen: Map<number, Set<string>>;
  constructor(plans: ModelPlan[], private readonly slot: Map<number, number>) {
    const columns = [...new Set(plans.flatMap((p) => p.inputs.flatMap((i) => i.columns.map((c) => [c, i.type === 'string'] as const))))];
    this.moments = new Map(columns.filter(([, str]) => !str).map(([c]) => [c, { n: 0, mean: 0, m2: 0 }]));
    this.seen = new Map(columns.filter(([, str]) => str).map(([c]) => [c, new Set<string>()]));
  }

  add(read: RawBatch): void {
    for (const [c, m] of this.moments) {
      const col = read.cells[this.slot.get(c)!]!;
      for (let i = 0; i < read.n; i++) {
        let v: number;
        if (isNumberColumn(col) && !col.other.has(i)) v = col.numbers[i]!;
        else {
          const r = numberAt(col, i);
          if (!r.ok) continue;
          v = r.value;
        }
        m.n++;
        const d = v - m.mean;
        m.mean += d / m.n;
        m.m2 += d * (v - m.mean);
      }
    }
    for (const [c, set] of this.seen) {
      const col = read.cells[this.slot.get(c)!]!;
      for (let i = 0; i < read.n && set.size < 1000; i++) {
        const v = cellAt(col, i);
        if (v !== null && v !== undefined) set.add(String(v));
      }
    }
  }

  done(names: string[]): Map<string, ColumnStats> {
    return new Map<string, ColumnStats>([
      ...[...this.moments].map(([c, m]) => [names[c]!, { kind: 'number', n: m.n, mean: m.mean, std: m.n ? Math.sqrt(m.m2 / m.n) : 0 }] as const),
      ...[...this.seen].map(([c, set]) => [names[c]!, { kind: 'string', values: [...set].sort() }] as const),
    ]);
  }
}

/**
 * One model's outputs, written in the rows' places as each batch comes back: its scores (kept in the
 * precision the model gives them unless `double`), their width, and its label output as codes.
 */
class Outputs implements OutputData {
  private store: Growable<Float32Array | Float64Array> | undefined;
  private width = 0;
  private labelStore: Growable<Int32Array> | undefined;
  private expected = 0;
  /** a dictionary of the distinct labels the model gave: no value per row kept */
  readonly labelKeys = new Map<string, number>();
  constructor(
    readonly plan: ModelPlan,
    private readonly session: ModelSession,
    private readonly path: string,
    private readonly numericLabels: boolean,
    /** scores this process transforms (logits, regression values) are kept in double precision */
    private readonly double: boolean,
  ) {}

  get scores(): (Float32Array | Float64Array)[] {
    return this.store ? [this.store.done()] : [];
  }
  get widths(): number[] {
    return this.store ? [this.width] : [];
  }
  get labels(): Int32Array[] {
    return this.labelStore ? [this.labelStore.done()] : [];
  }

  /** Room for about `rows` rows (an estimate from how far into the file the rows read so far are). */
  reserve(rows: number): void {
    this.expected = rows;
    this.store?.reserve(rows * this.width);
    this.labelStore?.reserve(rows);
  }

  /**
   * Sends one batch (`sent` rows: the batch's, then copies of its last; the batch's rows from row
   * `at` on) to the model host, in runs of `fixed` rows for a model whose inputs fix the batch size;
   * the promise settles once its outputs are in their place.
   */
  run(feeds: Record<string, WireTensor>, batch: RawBatch, at: number, sent = batch.n, fixed?: number): Promise<void> {
    const { model, outputs } = this.plan;
    const rows = sent;
    const span = `${whereOf(batch, 0)} to ${whereOf(batch, batch.n - 1)}`;
    const fetch = [outputs.scores, outputs.label].filter((x): x is string => Boolean(x));
    const done = this.session.run(feeds, fetch, fixed).then(
      (result) => {
        const scores = result[outputs.scores!]!;
        const dims = scores.dims;
        if (dims[0] !== rows || dims.length > 2) {
          throw new InputError(model.path, `output "${outputs.scores}" has shape [${dims.join(', ')}] for ${rows} rows; expected [${rows}], [${rows}, 1] or [${rows}, classes]`);
        }
        const data = scores.data;
        if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new InputError(model.path, `output "${outputs.scores}" is ${scores.type}, expected float scores`);
        const width = dims.length === 2 ? dims[1]! : 1;
        this.scoresAt(at, width, data.subarray(0, batch.n * width));
        if (outputs.label) {
          const given = result[outputs.label]!.data as ArrayLike<unknown>;
          if (!this.labelStore) (this.labelStore = new Growable(Int32Array)).reserve(this.expected);
          this.labelStore.write(at, this.codes(sent === batch.n ? given : Array.prototype.slice.call(given, 0, batch.n)));
        }
      },
      (err: Error) => {
        // stopped, or the model could not be loaded (an InputError naming it): said as it is
        if (err instanceof ModelRunStopped || err instanceof InputError) throw err;
        throw new InputError(model.path, `onnxruntime-node failed on ${span} of ${this.path}: ${oneLine(err.message)}`);
      },
    );
    done.catch(() => undefined); // awaited by the caller, in order; not an unhandled rejection meanwhile
    return done;
  }

  private scoresAt(at: number, width: number, data: Float32Array | Float64Array): void {
    if (!this.store) {
      this.width = width;
      this.store = data instanceof Float32Array && !this.double ? new Growable(Float32Array) : new Growable(Float64Array);
      this.store.reserve(this.expected * width);
    } else if (width !== this.width) {
      throw new InputError(this.plan.model.path, `output "${this.plan.outputs.scores}" changed width between batches (${this.width}, then ${width})`);
    } else if (data instanceof Float64Array && !this.store.holds(Float64Array)) {
      // a model that gives single precision, then double: every score kept in double
      const wider = new Growable(Float64Array);
      wider.write(0, this.store.done());
      this.store = wider;
    }
    this.store.write(at * width, data);
  }

  private codes(given: ArrayLike<unknown>): Int32Array {
    const codes = new Int32Array(given.length);
    for (let i = 0; i < given.length; i++) {
      const v = given[i];
      const key = labelKey(typeof v === 'bigint' ? Number(v) : (v as Cell), this.numericLabels) ?? '';
      let code = this.labelKeys.get(key);
      if (code === undefined) this.labelKeys.set(key, (code = this.labelKeys.size));
      codes[i] = code;
    }
    return codes;
  }
}

/**
 * Scores this process transforms in place (logits into probabilities): kept in double precision.
 * Others keep the model's precision (a float32 regression value is read as the same double by
 * every metric: half the memory, the same results).
 */
export function transformedHere(plan: ModelPlan): boolean {
  return plan.outputs.task === 'classification' && plan.model.spec.outputs?.kind === 'logits';
}

type Common = Pick<Evaluation, 'n' | 'rowRef' | 'rowUnit' | 'columns' | 'inputStats'>;

/** One model's Evaluation from its outputs and the labels. */
function finish(plan: ModelPlan, out: OutputData, labels: LabelData, labelName: string, common: Common, only: boolean, path: string): Evaluation {
  const { n, rowRef: refs } = common;
  const width = out.widths[0] ?? 1;
  if (out.widths.some((w) => w !== width)) throw new InputError(plan.model.path, `output "${plan.outputs.scores}" changed width between batches (${out.widths.join(', ')})`);
  // single-precision outputs stay single precision (their values exactly; half the memory) unless
  // they are transformed here (logits, or a regression's values)
  const single = !transformedHere(plan) && out.scores.every((s) => s instanceof Float32Array);
  const flat = single ? joined(out.scores, Float32Array) : joined(out.scores, Float64Array);
  out.scores.length = 0; // the batches' outputs, copied: given back before the next arrays are made
  // the usual case in one pass: every row's scores probabilities (finite, in [0, 1], summing to 1)
  const probabilities = allProbabilities(flat, width);
  const nonFinite = probabilities ? { rows: 0, first: [] } : nonFiniteRows(flat, width, refs);
  if (plan.outputs.task === 'regression') {
    if (width !== 1) throw new InputError(plan.model.path, `output "${plan.outputs.scores}" has ${width} columns; a regression output has one`);
    return {
      ...common, task: 'regression', classes: [], classSource: 'label-index', positive: -1, threshold: NaN,
      truth: labels.values, scores: flat, scoreColumns: 1, predicted: new Int32Array(0), nonFinite,
      outputs: { value: plan.outputs.scores },
    };
  }
  return classification(plan, out, labels, labelName, common, only, path, { flat, width, nonFinite, probabilities });
}

/**
 * A classifier's Evaluation: the classes and their order, the labels as class indices, the scores as
 * probabilities (n × classes), the decisions, and the model's own label output as class indices.
 */
function classification(plan: ModelPlan, out: OutputData, labels: LabelData, labelName: string, common: Common, only: boolean, path: string, o: { flat: Float32Array | Float64Array; width: number; nonFinite: Evaluation['nonFinite']; probabilities: boolean }): Evaluation {
  const { n, rowRef: refs, rowUnit } = common;
  const { flat, width, nonFinite, probabilities } = o;
  const { classes, source: classSource } = resolveClasses(plan.model, plan.outputs.scores!, labels.dictionary, path, labelName, width);
  const C = classes.length;
  if (width !== 1 && width !== C) throw new InputError(plan.model.path, `output "${plan.outputs.scores}" has ${width} columns but there are ${C} classes (${classes.join(', ')})`);
  const task = classifierTask(plan, C);
  if (task === 'binary' && C !== 2) throw new InputError(plan.model.path, `task is binary, but there are ${C} classes (${classes.join(', ')})`);
  const order = new Map(classes.map((c, i) => [c, i]));
  const remap = new Int32Array(labels.dictionary.size);
  const keys = labels.keys;
  for (const [key, idx] of labels.dictionary) {
    const to = order.get(key);
    if (to === undefined) {
      const row = keys.indexOf(idx);
      // the same label but for spaces or case: say so rather than "never trained on"
      const near = classes.find((c) => c !== key && c.trim().toLowerCase() === key.trim().toLowerCase());
      // True/False against classes 0 and 1: a boolean label a model trained on as 0/1 (pandas writes booleans so)
      const boolean = /^(true|false)$/i.test(key.trim()) && classes.includes('0') && classes.includes('1') ? 'a boolean label against classes 0 and 1: write the labels as 1 (True) and 0 (False)' : undefined;
      const hint = near !== undefined ? `the class is ${JSON.stringify(near)}: the file's labels differ from it in ${near.trim() === key.trim() ? 'spaces around them' : 'case'}; labels are compared as written` : (boolean ?? 'a label the model was never trained on');
      throw new InputError(path, `${rowUnit} ${refs[row]}: label ${JSON.stringify(key)} is not one of the classes (${classes.join(', ')})`, undefined, hint);
    }
    remap[idx] = to;
  }
  // one model: its class indices written over the label keys, in place; several: a copy each
  // one byte a row up to 256 classes, as the labels' codes are up to 256 distinct labels
  const truth = only && (keys instanceof Int32Array || C <= 256) ? keys : C <= 256 ? new Uint8Array(n) : new Int32Array(n);
  remapLabels(keys, remap, truth, n);

  // logits become probabilities (sigmoid of one column, softmax of several); anything else must
  // already be probabilities, or the metrics that need them refuse to run
  // (logits are in double precision: finish never keeps them single)
  asProbabilities(plan, flat, width);
  const byValues = probabilities || nonFinite.rows ? undefined : probabilityProblem(flat, width, refs, rowUnit);
  const raw = nonFinite.rows || byValues ? undefined : graphSaysRaw(plan);
  const byGraph = raw && `${raw}: that this dataset's lie in [0, 1] does not make them probabilities`;
  const notProbabilities = byValues ? { reason: byValues, by: 'values' as const } : byGraph ? { reason: byGraph, by: 'graph' as const } : undefined;
  // A single score column is the score of the second class, as scikit-learn orders binary outputs:
  // it stays one column (the first class's probability, 1 − s, is computed where it is read)
  if (width === 1 && C !== 2) throw new InputError(plan.model.path, `output "${plan.outputs.scores}" has one column; only a binary model can have one score column`);
  const probs = flat;
  const positive = task === 'binary' ? positiveIndex(plan.model.spec, classes) : -1;
  // Without a threshold, the more probable class, a tie going to the first (scikit-learn's predict,
  // onnxruntime's label outputs): a forest of four trees scores 0.5 often. With one, the positive
  // class when its probability is at least the threshold (scikit-learn's FixedThresholdClassifier).
  const set = plan.model.spec.threshold;
  const threshold = set ?? 0.5;
  const predicted = C <= 256 ? new Uint8Array(n) : new Int32Array(n);
  const thresholded = thresholdedClass(task, positive, set);
  decide(probs, width, set, thresholded, predicted, n);
  let labelOutput: Int32Array | undefined;
  if (plan.outputs.label) {
    labelOutput = new Int32Array(n);
    let i = 0;
    const classOf = new Int32Array(out.labelKeys.size);
    for (const [key, code] of out.labelKeys) classOf[code] = order.get(key) ?? -1;
    for (const chunk of out.labels) for (const code of chunk) labelOutput[i++] = classOf[code]!;
  }
  return {
    ...common, task, classes, classSource, positive, threshold, truth, scores: probs, scoreColumns: width, predicted, labelOutput, nonFinite, ...(notProbabilities ? { notProbabilities } : {}),
    outputs: { scores: plan.outputs.scores, label: plan.outputs.label, ...(plan.outputs.others ? { others: plan.outputs.others } : {}) },
  };
}

// classification's loops over every row are functions of their own (as sort.ts's): V8 optimises a
// long loop while it runs (on-stack replacement), as code for the whole function it is in, and
// that code stopped at the first line after the loop that had never run; the next loop then ran
// unoptimised until it was compiled again, in the work after the last row.

/** Each row's label key as its class index. */
function remapLabels(keys: ArrayLike<number>, remap: Int32Array, truth: Uint8Array | Int32Array, n: number): void {
  for (let i = 0; i < n; i++) truth[i] = remap[keys[i]!]!;
}

/** Each row's decided class (see decisionKey and decided). */
function decide(probs: Float32Array | Float64Array, width: number, set: number | undefined, thresholded: number, predicted: Uint8Array | Int32Array, n: number): void {
  // one score column and no threshold (the usual binary export): decisionKey's rule, inline
  if (width === 1 && set === undefined) for (let i = 0; i < n; i++) predicted[i] = probs[i]! > 1 - probs[i]! ? 1 : 0;
  else for (let i = 0; i < n; i++) predicted[i] = decided(decisionKey(probs, width, i, set), thresholded);
}

function positiveIndex(spec: ModelSpec, classes: string[]): number {
  if (spec.positive === undefined) return 1;
  const i = classes.indexOf(String(spec.positive));
  if (i < 0) throw new InputError('checklist', `positive class ${JSON.stringify(spec.positive)} is not one of the classes (${classes.join(', ')})`);
  return i;
}

function classLabelsOf(model: ModelFacts, scores: string | undefined): (string | number)[] | undefined {
  if (scores && model.zipmapClasses.has(scores)) return model.zipmapClasses.get(scores);
  return model.info.nodes.find((n) => n.opType !== 'ZipMap' && n.classLabels && n.classLabels.length)?.classLabels;
}

/**
 * What a model's plan on a dataset says of its evaluation before any row is read, where it says the
 * task (taskBeforeRows): the checks' rules judged then (CheckDefinition.beforeRows), each the rule
 * the check applies again when it runs, on the evaluation the rows give.
 */
export interface ModelBeforeRows {
  task: Task;
  /** the output read as scores */
  scores?: string;
  /** its columns, where the graph fixes them ([n] or [n, k] with k a number) */
  scoreColumns?: number;
  /** why the scores are not probabilities, where the graph says so (a classifier's; the evaluation's notProbabilities by 'graph') */
  rawScores?: string;
  /** the other float outputs, when `scores` is the first of several and the checklist named none */
  others?: string[];
}

export function beforeRows(plan: ModelPlan): ModelBeforeRows | undefined {
  const task = taskBeforeRows(plan);
  if (task === undefined) return undefined;
  const raw = task === 'regression' ? undefined : graphSaysRaw(plan);
  const type = plan.model.info.outputs.find((o) => o.name === plan.outputs.scores)?.type;
  const shape = type?.kind === 'tensor' ? type.shape : null;
  const columns = shape?.length === 1 ? 1 : shape?.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined;
  const others = plan.outputs.others?.length ? { others: plan.outputs.others } : {};
  return { task, ...(plan.outputs.scores ? { scores: plan.outputs.scores } : {}), ...(columns !== undefined ? { scoreColumns: columns } : {}), ...(raw ? { rawScores: raw } : {}), ...others };
}

/**
 * The task a model is read as, where its plan says it before any row is read: a regression, or a
 * classifier whose task the checklist sets or whose classes the model or the checklist names (two
 * classes: binary), as `classification` decides it. Undefined where the data's labels decide (a
 * model without class labels, its classes from the labels seen).
 */
export function taskBeforeRows(plan: ModelPlan): Task | undefined {
  if (plan.outputs.task === 'regression') return 'regression';
  const classes = classLabelsOf(plan.model, plan.outputs.scores) ?? plan.model.spec.classes;
  return plan.model.spec.task === undefined && classes === undefined ? undefined : classifierTask(plan, classes?.length ?? 0);
}

/** A classifier's task: the checklist's, else binary for two classes and multiclass for more (one rule for the evaluation and taskBeforeRows). */
function classifierTask(plan: ModelPlan, classes: number): Task {
  const set = plan.model.spec.task;
  return set === 'regression' ? 'multiclass' : set ?? (classes === 2 ? 'binary' : 'multiclass');
}

/**
 * The order of the score columns. Never guessed from the data: it comes from the model's class
 * labels, the checklist's `classes`, the checklist's `positive` (two labels, binary), or labels that
 * are the column indices themselves (0 … width − 1, as a softmax over class indices is trained).
 * String labels with none of these stop the run: sorting them would be a guess that can pass a
 * model whose columns are in another order.
 */
function resolveClasses(model: ModelFacts, scores: string, dictionary: Map<string, number>, path: string, label: string, width: number): { classes: string[]; source: Evaluation['classSource'] } {
  const fromModel = classLabelsOf(model, scores)?.map(String);
  const fromChecklist = model.spec.classes?.map(String);
  if (fromModel && fromChecklist && fromModel.join('\u0000') !== fromChecklist.join('\u0000')) {
    throw new InputError(model.path, `the model's classes are ${fromModel.join(', ')}, but the checklist says classes: [${fromChecklist.join(', ')}]`, undefined, 'remove model.classes or make it match the model');
  }
  if (fromModel) return { classes: fromModel, source: 'model' };
  if (fromChecklist) return { classes: fromChecklist, source: 'checklist' };
  const seen = [...dictionary.keys()].sort();
  const columns = width === 1 ? 2 : width;
  if (seen.every((s) => /^\d+$/.test(s) && Number(s) < columns)) return { classes: Array.from({ length: columns }, (_, i) => String(i)), source: 'label-index' };
  const positive = model.spec.positive === undefined ? undefined : String(model.spec.positive);
  if (columns === 2 && positive !== undefined && seen.length === 2 && seen.includes(positive)) return { classes: [seen.find((s) => s !== positive)!, positive], source: 'checklist' };
  const shown = seen.slice(0, 12).join(', ') + (seen.length > 12 ? `, … (${seen.length} in all)` : '');
  throw new InputError(
    model.path,
    `output "${scores}" has ${width} score column${width === 1 ? '' : 's'} but no class labels, and the labels in ${path} (column "${label}": ${shown}) do not say which column is which class`,
    undefined,
    `set ${model.role === 'baseline' ? 'baseline' : 'model'}.classes to the ${columns} classes in score-column order, as the model was trained: classes: [first, second, …]`,
  );
}

/**
 * What a row's scores decide, whatever the classes turn out to be (a shard counts its rows by it
 * before the classes are known): the more probable column, a tie going to the first (scikit-learn's
 * predict, onnxruntime's label outputs; a single score s: the second class when s > 1 − s), times 4,
 * plus, for one or two columns and a threshold t, bit c set when class c's probability is at least t
 * (scikit-learn's FixedThresholdClassifier). `decided` reads the class from it.
 */
export function decisionKey(probs: ArrayLike<number>, width: number, i: number, threshold: number | undefined): number {
  let best = 0;
  if (width === 1) best = probs[i]! > 1 - probs[i]! ? 1 : 0;
  else for (let c = 1; c < width; c++) if (probs[i * width + c]! > probs[i * width + best]!) best = c;
  let bits = 0;
  if (threshold !== undefined && width <= 2) for (let c = 0; c < 2; c++) if (probability(probs, width, i, c) >= threshold) bits |= 1 << c;
  return best * 4 + bits;
}

/** The class a binary task's threshold decides by (`decided`), or -1: the more probable class decides. */
export function thresholdedClass(task: Task, positive: number, threshold: number | undefined): number {
  return task === 'binary' && threshold !== undefined ? positive : -1;
}

/**
 * The class a decision key decides: on a binary task with a threshold (`thresholded`, the positive
 * class's index), the positive class when its probability is at least the threshold; else (-1) the
 * more probable class.
 */
export function decided(key: number, thresholded: number): number {
  if (thresholded < 0) return key >> 2;
  return (key >> thresholded) & 1 ? thresholded : 1 - thresholded;
}

/** A classifier's scores as probabilities, in place: logits through a sigmoid or softmax (they are kept in double precision), anything else as it is. */
export function asProbabilities(plan: ModelPlan, flat: Float32Array | Float64Array, width: number): void {
  if (plan.model.spec.outputs?.kind === 'logits' && flat instanceof Float64Array) toProbabilities(flat, width);
}

/** Sigmoid of each value (one column) or softmax of each row (several), in place. */
function toProbabilities(flat: Float64Array, width: number): void {
  if (width === 1) {
    for (let i = 0; i < flat.length; i++) flat[i] = 1 / (1 + Math.exp(-flat[i]!));
    return;
  }
  for (let r = 0; r < flat.length; r += width) {
    let max = -Infinity;
    for (let c = 0; c < width; c++) max = Math.max(max, flat[r + c]!);
    let sum = 0;
    for (let c = 0; c < width; c++) sum += flat[r + c] = Math.exp(flat[r + c]! - max);
    for (let c = 0; c < width; c++) flat[r + c]! /= sum;
  }
}

/** Rows of probabilities sum to 1 within this (float32 outputs round). */
export const PROBABILITY_SUM_TOLERANCE = 1e-4;

/**
 * Scores that look like probabilities (in [0, 1], rows summing to 1) but that the graph says are raw:
 * a binary model's logits can all fall in [0, 1] on a hold-out, and a 0.5 threshold on them would
 * be a wrong decision, silently. Unless the checklist says what they are (outputs.kind).
 */
function graphSaysRaw(plan: ModelPlan): string | undefined {
  if (plan.model.spec.outputs?.kind !== undefined || !plan.outputs.scores) return undefined;
  const from = rawScoresFrom(plan.model.info, plan.outputs.scores);
  return from && `they come straight from ${from}, with no sigmoid or softmax after it`;
}

/**
 * Whether every row's scores are probabilities (rowIsProbabilities: finite, in [0, 1], several a row
 * summing to 1). A loop of its own, once an evaluation: the answer of nonFiniteRows and
 * probabilityProblem in the usual case, where each would walk every row.
 */
function allProbabilities(flat: Float32Array | Float64Array, width: number): boolean {
  const rows = flat.length / width;
  for (let i = 0; i < rows; i++) if (!rowIsProbabilities(flat, width, i)) return false;
  return true;
}

/** Why the scores are not probabilities (a value outside [0, 1], a row not summing to 1), or undefined. */
function probabilityProblem(flat: Float32Array | Float64Array, width: number, refs: Int32Array, unit: string): string | undefined {
  for (let i = 0; i < refs.length; i++) {
    const problem = outputProblem(flat, width, i, true, PROBABILITY_SUM_TOLERANCE);
    if (problem === undefined || problem === 'non-finite') continue;
    const where = `${unit} ${refs[i]}`;
    if (problem === 'out-of-range') {
      const outside = Array.from({ length: width }, (_, c) => flat[i * width + c]!).find((v) => v < 0 || v > 1)!;
      return `${where} has the score ${Number(outside.toPrecision(4))}, outside [0, 1]`;
    }
    let sum = 0;
    for (let c = 0; c < width; c++) sum += flat[i * width + c]!;
    return `the scores of ${where} sum to ${Number(sum.toPrecision(6))}, not 1`;
  }
  return undefined;
}

/**
 * What the outputs check finds wrong with row i of a model's scores (as an Evaluation holds them,
 * `width` a row): a NaN or infinite score; a classifier's score outside [0, 1]; or a classifier's
 * probabilities (several columns) summing farther than `sumTolerance` from 1. Undefined: nothing.
 * A shard that counts its rows for the outputs check keeps rows with different answers apart.
 */
export function outputProblem(scores: ArrayLike<number>, width: number, i: number, classifier: boolean, sumTolerance: number): 'non-finite' | 'out-of-range' | 'sum' | undefined {
  let sum = 0;
  let inRange = true;
  for (let c = 0; c < width; c++) {
    const v = scores[i * width + c]!;
    if (!Number.isFinite(v)) return 'non-finite';
    if (v < 0 || v > 1) inRange = false;
    sum += v;
  }
  if (!classifier) return undefined;
  if (!inRange) return 'out-of-range';
  return width > 1 && Math.abs(sum - 1) > sumTolerance ? 'sum' : undefined;
}

/** Whether row i's scores (finite: callers ask of such rows only) are probabilities: each in [0, 1], several summing to 1 within PROBABILITY_SUM_TOLERANCE. */
export function rowIsProbabilities(flat: ArrayLike<number>, width: number, i: number): boolean {
  return outputProblem(flat, width, i, true, PROBABILITY_SUM_TOLERANCE) === undefined;
}

const FLOAT_TYPES = new Set(['float32', 'float64']);
const INT_TYPES = new Set(['int64', 'int32']);
const LABEL_TYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64', 'string']);

function planInputs(model: ModelFacts, source: Pick<DatasetSource, 'path' | 'columns'>, labelCol: number): InputPlan[] {
  const inputs = model.info.inputs;
  const inputColumn = (name: string, input: string) => columnIndex(source, name, `model input "${input}"`);
  const typed = (input: ValueInfo, columns: number[]): InputPlan => {
    if (input.type.kind !== 'tensor') throw new InputError(model.path, `input "${input.name}" is not a tensor`);
    const { elemType, shape } = input.type;
    if (!FLOAT_TYPES.has(elemType) && !INT_TYPES.has(elemType) && elemType !== 'string' && elemType !== 'bool') {
      throw new InputError(model.path, `input "${input.name}" has element type ${elemType}, which deploy-check cannot fill from a dataset`);
    }
    const rank = shape && shape.length === 1 ? 1 : 2;
    const width = shape && shape.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined;
    if (rank === 1 && columns.length !== 1) throw new InputError(model.path, `input "${input.name}" has shape [N] and takes one column, but ${columns.length} are mapped to it`);
    if (width !== undefined && width !== columns.length) {
      throw new InputError(model.path, `input "${input.name}" takes ${width} columns, but ${columns.length} of ${source.path} are mapped to it (${columns.slice(0, 6).map((c) => source.columns[c]).join(', ')}${columns.length > 6 ? ', …' : ''})`, undefined, `list its columns in ${place.modelInputs(model.role)}`);
    }
    return { name: input.name, type: elemType, columns, rank };
  };
  const mapping = model.spec.inputs;
  if (mapping && mapping !== 'auto') {
    for (const name of Object.keys(mapping)) {
      if (!inputs.some((i) => i.name === name)) throw new InputError(model.path, `has no input "${name}" (named in ${place.modelInputs(model.role)}); its inputs: ${inputs.map((i) => i.name).join(', ')}`);
    }
    return inputs.map((input) => {
      const cols = Object.hasOwn(mapping, input.name) ? mapping[input.name]! : undefined;
      if (cols === undefined) throw new InputError(model.path, `input "${input.name}" is not mapped in ${place.modelInputs(model.role)}`);
      return typed(input, (Array.isArray(cols) ? cols : [cols]).map((c) => inputColumn(c, input.name)));
    });
  }
  if (inputs.length === 1) {
    const all = source.columns.map((_, j) => j).filter((j) => j !== labelCol);
    return [typed(inputs[0]!, all)];
  }
  // Several inputs: each is fed by the column of the same name, as scikit-learn pipeline exports expect.
  return inputs.map((input) => typed(input, [inputColumn(input.name, input.name)]));
}

/**
 * The rows every run of a model must have when its inputs fix the batch dimension (a PyTorch model
 * exported without dynamic axes declares `x: [1, 4]`), or undefined when a run may have any number.
 * Inputs that fix different numbers cannot be fed together: refused.
 */
export function fixedBatch(model: Pick<ModelFacts, 'path' | 'info'>): number | undefined {
  let fixed: { rows: number; input: string } | undefined;
  for (const input of model.info.inputs) {
    const first = input.type.kind === 'tensor' ? input.type.shape?.[0] : undefined;
    if (typeof first !== 'number' || first < 1) continue;
    if (fixed && fixed.rows !== first) {
      throw new InputError(model.path, `inputs "${fixed.input}" and "${input.name}" fix different batch sizes (${fixed.rows} and ${first} rows): deploy-check cannot run the model`, undefined, 'export the model with a dynamic batch axis');
    }
    fixed ??= { rows: first, input: input.name };
  }
  return fixed?.rows;
}

interface OutputPlan {
  task: 'classification' | 'regression';
  scores?: string;
  label?: string;
  /** the other float outputs, when `scores` is the first of several and the checklist named none */
  others?: string[];
}

/** Which dataset column feeds which model input, and as what element type (the data check's input contract). */
export function inputColumns(model: ModelFacts, source: Pick<DatasetSource, 'path' | 'columns'>, label: string | undefined): { column: string; input: string; type: string }[] {
  const labelCol = label ? source.columns.indexOf(label) : -1;
  return planInputs(model, source, labelCol).flatMap((p) => p.columns.map((c) => ({ column: source.columns[c]!, input: p.name, type: p.type })));
}

/**
 * Input tensors for the first `rows` rows of a dataset (repeated when the dataset is shorter), for
 * checks that time or probe the model on real rows rather than evaluate it.
 */
export async function feedsFromDataset(model: ModelUnderTest, source: DatasetSource, dataset: DatasetSpec & { name: string }, rows: number): Promise<Record<string, WireTensor>> {
  const labelCol = dataset.label ? source.columns.indexOf(dataset.label) : -1;
  const inputs = planInputs(model, source, labelCol);
  const columns = [...new Set(inputs.flatMap((i) => i.columns))];
  const want: ColumnRequest[] = columns.map((index) => ({ index, as: 'cell' }));
  const slot = new Map(columns.map((c, k) => [c, k]));
  const cells: Cell[][] = columns.map(() => []);
  const refs: number[] = [];
  let unit: 'line' | 'row' = 'line';
  for await (const b of source.batches(want, rows)) {
    unit = b.unit;
    for (let i = 0; i < b.n && refs.length < rows; i++) {
      b.cells.forEach((c, k) => cells[k]!.push(cellAt(c, i)));
      refs.push(b.refs[i]!);
    }
    if (refs.length >= rows) break;
  }
  const have = refs.length;
  for (let i = have; i < rows; i++) {
    cells.forEach((c) => c.push(c[i % have]));
    refs.push(refs[i % have]!);
  }
  const batch: RawBatch = { n: rows, cells, unit, refs };
  return Object.fromEntries(inputs.map((input) => [input.name, tensorFor(input, batch, slot, source, dataset)]));
}

function planOutputs(model: ModelFacts): OutputPlan {
  const outs = model.info.outputs;
  const spec = model.spec.outputs ?? {};
  const isFloat = (o: ValueInfo) => (o.type.kind === 'tensor' && FLOAT_TYPES.has(o.type.elemType)) || model.zipmapClasses.has(o.name);
  const isLabel = (o: ValueInfo) => o.type.kind === 'tensor' && LABEL_TYPES.has(o.type.elemType);
  const named = (name: string | undefined, what: string) => {
    if (name === undefined) return undefined;
    if (!outs.some((o) => o.name === name)) throw new InputError(model.path, `has no output "${name}" (named in ${model.role}.outputs.${what}); its outputs: ${outs.map((o) => o.name).join(', ')}`);
    return name;
  };
  if (model.spec.task === 'regression' || (spec.value && !spec.scores)) {
    const value = named(spec.value, 'value') ?? outs.find(isFloat)?.name;
    if (!value) throw new InputError(model.path, 'has no float output to read predictions from', undefined, `set ${model.role}.outputs.value`);
    return { task: 'regression', scores: value };
  }
  const scores = named(spec.scores, 'scores') ?? outs.find(isFloat)?.name;
  const label = named(spec.label, 'label') ?? outs.find(isLabel)?.name;
  if (!scores) throw new InputError(model.path, 'has no float output holding class scores', undefined, `set ${model.role}.outputs.scores`);
  // several score columns per row are class scores (a softmax), whatever the model names them
  const out = outs.find((o) => o.name === scores)!;
  const columns = out.type.kind === 'tensor' && out.type.shape?.length === 2 && typeof out.type.shape[1] === 'number' ? out.type.shape[1] : undefined;
  const hasClasses = label !== undefined || model.spec.classes !== undefined || classLabelsOf(model, scores) !== undefined || model.spec.task !== undefined || model.spec.positive !== undefined || (columns ?? 0) >= 2;
  const others = spec.scores === undefined ? outs.filter((o) => isFloat(o) && o.name !== scores).map((o) => o.name) : [];
  return hasClasses ? { task: 'classification', scores, label, ...(others.length ? { others } : {}) } : { task: 'regression', scores };
}

/** An input's tensor for a batch; `matrix`: the batch's matrix, when it holds this input's numbers (matrixInput). */
function tensorFor(input: InputPlan, batch: RawBatch, slot: Map<number, number>, source: DatasetSource, dataset: DatasetSpec & { name: string }, scratch?: Scratch, matrix?: Float32Array): WireTensor {
  const path = source.path;
  const n = batch.n;
  const k = input.columns.length;
  const dims = input.rank === 1 ? [n] : [n, k];
  if (input.type === 'string') {
    const data: string[] = new Array(n * k);
    input.columns.forEach((c, p) => {
      const cells = batch.cells[slot.get(c)!]!;
      for (let i = 0; i < n; i++) {
        const v = cellAt(cells, i);
        if (v === null || v === undefined) throw new InputError(path, `${whereOf(batch, i)}: column "${source.columns[c]}": missing value (input "${input.name}" is string)`);
        const text = typeof v === 'string' ? v : String(v);
        // onnxruntime takes strings as C strings: the model would see the text cut at its first NUL
        if (text.includes('\0')) throw new InputError(path, `${whereOf(batch, i)}: column "${source.columns[c]}": the text holds a NUL character, where onnxruntime would cut it short (input "${input.name}" is string)`);
        data[i * k + p] = text;
      }
    });
    return tensor('string', data, dims);
  }
  if (input.type === 'bool') return tensor('bool', boolValues(input, batch, slot, source), dims);
  const float = FLOAT_TYPES.has(input.type);
  // float32 inputs are filled in place; other numeric types go through float64 and are converted
  const values = matrix ?? (float && scratch ? reused(scratch, input, n * k) : input.type === 'float32' ? new Float32Array(n * k) : new Float64Array(n * k));
  const resolve = (r: Parsed, i: number, c: number): number => {
    if (r.ok) return r.value;
    if (r.missing && float && dataset.missing === 'nan') return NaN;
    throw new InputError(path, `${whereOf(batch, i)}: column ${JSON.stringify(source.columns[c])}: ${r.missing ? 'missing value' : r.reason}`, undefined, r.missing ? (float ? `set ${place.dataset(dataset.name, 'missing')}: nan if the model accepts NaN` : `input "${input.name}" is ${input.type}`) : `input "${input.name}" is ${input.type}`);
  };
  input.columns.forEach((c, p) => {
    const cells = batch.cells[slot.get(c)!]!;
    if (isNumberColumn(cells)) {
      if (!matrix) {
        // a column the reader gave in a matrix, lost on the way (a wrapper that made a batch of its own without it)
        if (cells.numbers.length < n) throw new Error(`column "${source.columns[c]}" came without its numbers`);
        interleave(values, cells.numbers, n, k, p);
      }
      for (const [i, text] of cells.other) values[i * k + p] = resolve(parseNumber(text), i, c);
    } else {
      for (let i = 0; i < n; i++) values[i * k + p] = resolve(parseNumber(cells[i]), i, c);
    }
  });
  if (!float) {
    for (let i = 0; i < n * k; i++) {
      if (!Number.isInteger(values[i])) {
        const row = Math.floor(i / k);
        throw new InputError(path, `${whereOf(batch, row)}: column ${JSON.stringify(source.columns[input.columns[i % k]!])}: ${values[i]} is not an integer (input "${input.name}" is ${input.type})`);
      }
    }
  }
  switch (input.type) {
    case 'float32':
      return tensor('float32', values as Float32Array, dims);
    case 'float64':
      return tensor('float64', values as Float64Array, dims);
    case 'int64':
      return tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
    default:
      return tensor('int32', Int32Array.from(values), dims);
  }
}

function reused(scratch: Scratch, input: InputPlan, length: number): Float32Array | Float64Array {
  let a = scratch.get(input);
  if (!a || a.length < length) scratch.set(input, (a = input.type === 'float32' ? new Float32Array(length) : new Float64Array(length)));
  return a.subarray(0, length);
}

/** Column `p` of a row-major matrix `k` wide: its own function, so that each array type gets its own compiled loop. */
function interleave(values: Float32Array | Float64Array, column: Float64Array, n: number, k: number, p: number): void {
  for (let i = 0, at = p; i < n; i++, at += k) values[at] = column[i]!;
}

/**
 * The batch as it is sent to a model. A batch of one row is sent as two (the row twice):
 * onnxruntime's linear operators take another code path for a single row, with other roundings,
 * and a row's scores must not depend on the batch it falls in (the last batch of a file, a shard's
 * only batch). A model whose inputs fix the batch size B gets a multiple of B rows (the host runs
 * them B at a time), filled up with copies of the batch's last row; their outputs are dropped.
 */
export function sentFor(batch: RawBatch, fixed: number | undefined): RawBatch {
  const rows = fixed === undefined ? Math.max(batch.n, 2) : Math.ceil(batch.n / fixed) * fixed;
  return rows === batch.n || batch.n === 0 ? batch : padTo(batch, rows);
}

/** A batch of n rows as `rows` rows (rows > n): its rows, then copies of its last row. */
function padTo(b: RawBatch, rows: number): RawBatch {
  return pickRows(b, Int32Array.from({ length: rows }, (_, i) => Math.min(i, b.n - 1)));
}

/** Booleans: true/false (any case), 1/0, or JSON and Parquet booleans. */
function boolValues(input: InputPlan, batch: RawBatch, slot: Map<number, number>, source: DatasetSource): Uint8Array {
  const k = input.columns.length;
  const out = new Uint8Array(batch.n * k);
  input.columns.forEach((c, p) => {
    const cells = batch.cells[slot.get(c)!]!;
    for (let i = 0; i < batch.n; i++) {
      const v = cellAt(cells, i);
      const t = typeof v === 'string' ? v.trim().toLowerCase() : v;
      if (t === true || t === 'true' || t === 1 || t === '1') out[i * k + p] = 1;
      else if (!(t === false || t === 'false' || t === 0 || t === '0')) {
        throw new InputError(source.path, `${whereOf(batch, i)}: column ${JSON.stringify(source.columns[c])}: ${JSON.stringify(v) ?? 'missing value'} is not a boolean (input "${input.name}" is bool)`, undefined, 'write true/false or 1/0');
      }
    }
  });
  return out;
}

/**
 * An append-only typed array: rows are counted as they stream by, without a JavaScript array per
 * row. `reserve` sizes it from an estimate of the rows to come, so that a large file is not copied
 * at every doubling; `done` gives the values without a copy when little room is left unused.
 */
export class Growable<T extends Uint8Array | Int32Array | Float32Array | Float64Array> {
  private data: T;
  length = 0;
  constructor(private readonly Kind: { new (n: number): T }) {
    this.data = new Kind(1024);
  }
  holds(Kind: Function): boolean {
    return this.data instanceof Kind;
  }
  /** room for `n` values in all */
  reserve(n: number): void {
    if (n > this.data.length) this.resize(n);
  }
  private resize(n: number): void {
    const bigger = new this.Kind(n);
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }
  push(v: number): void {
    if (this.length === this.data.length) this.resize(Math.max(1024, this.data.length * 2));
    this.data[this.length++] = v;
  }
  /** The same values in an array of another kind, with the same room (a wider integer type). */
  as<U extends Uint8Array | Int32Array | Float32Array | Float64Array>(Kind: { new (n: number): U }): Growable<U> {
    const other = new Growable(Kind);
    other.data = new Kind(this.data.length);
    other.data.set(this.data.subarray(0, this.length));
    other.length = this.length;
    return other;
  }
  /** Appends values[0, n): a typed array's in one copy. */
  append(values: ArrayLike<number>, n: number): void {
    if (ArrayBuffer.isView(values)) {
      this.write(this.length, (values as unknown as Int32Array).subarray(0, n));
      return;
    }
    for (let i = 0; i < n; i++) this.push(values[i]!);
  }
  /** Writes `values` from place `at` on (the places between stay zero until written). */
  write(at: number, values: ArrayLike<number>): void {
    const end = at + values.length;
    if (end > this.data.length) this.resize(Math.max(end, Math.ceil(this.data.length * 1.5)));
    this.data.set(values, at);
    if (end > this.length) this.length = end;
  }
  /** The values, in an array of their length: a view when at most 1/32 of the room is unused, else an exact copy. */
  done(): T {
    if (this.data.length - this.length > 4096 + this.length / 32) {
      const exact = new this.Kind(this.length);
      exact.set(this.data.subarray(0, this.length));
      this.data = exact;
    }
    return this.data.subarray(0, this.length) as T;
  }
}

/** Rows with a NaN or infinite score: how many, and the places of the first five. */
function nonFiniteRows(flat: Float32Array | Float64Array, width: number, refs: Int32Array): Evaluation['nonFinite'] {
  let rows = 0;
  const first: number[] = [];
  for (let i = 0; i < refs.length; i++) {
    if (rowFinite(flat, width, i)) continue;
    if (rows++ < NON_FINITE_SHOWN) first.push(refs[i]!);
  }
  return { rows, first };
}

/** Rows with a NaN or infinite score that an Evaluation names (the first of them). */
export const NON_FINITE_SHOWN = 5;

/** Whether every score of row i is a finite number. */
export function rowFinite(flat: ArrayLike<number>, width: number, i: number): boolean {
  for (let c = 0; c < width; c++) if (!Number.isFinite(flat[i * width + c]!)) return false;
  return true;
}

/** Batches as one array: the one batch itself when there is one of that kind, else a copy of them all. */
export function joined<T extends Float32Array | Float64Array | Int32Array>(chunks: ArrayLike<number>[], Kind: { new (n: number): T }): T {
  if (chunks.length === 1 && chunks[0] instanceof Kind) return chunks[0];
  const out = new Kind(chunks.reduce((s, c) => s + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
