import { InputError } from '../input/errors.js';
import type { DatasetSpec } from '../spec/model.js';
import { labelKey, numberAt } from './cells.js';
import { columnIndex } from './datasets/index.js';
import { recordHash, type Part } from './datasets/part.js';
import { cellAt, pickRows, whereOf, type Column, type DatasetSource, type RawBatch } from './datasets/types.js';
import { BATCH_SIZE, Growable, KeptBuilder, Labels, planRead, readPass, type ModelUnderTest, type Pass, type ReadPlan } from './predict.js';

export type PredictionsSpec = NonNullable<DatasetSpec['predictions']>;

/** How the scores of a file written elsewhere were bound to the model: rows re-scored here and how they agreed. */
export interface Binding {
  path: string;
  checked: number;
  tolerance: number;
  /** rows where a score of the file and the model's differ by more than the tolerance (each by its largest difference) */
  disagreements: Disagreement[];
}

export interface Disagreement {
  where: string;
  id: string;
  column: string;
  file: number;
  model: number;
}

/**
 * A row re-scored here: its place in the sample (the hash of seed and id), its id and row, and its
 * largest disagreement with the file beyond the tolerance, if any. A shard re-scores the rows of its
 * part that would be in the sample if the part were the whole file; the merge keeps the sample's k.
 */
export interface Rescored {
  hash: number;
  id: string;
  ref: number;
  worst?: Disagreement;
}

/** The hash that orders the rows for the sample: of the seed and the id. */
export function sampleHash(seed: number, id: string): number {
  const bytes = Buffer.from(`${seed}\u0000${id}`);
  return recordHash(bytes, 0, bytes.length);
}

/** Whether a row of this id is in a shard's part: the rows of a scored dataset are parted by a hash of their id, so that a row and its scores meet in one shard. */
export function idInPart(part: Part, id: string): boolean {
  const bytes = Buffer.from(id);
  return recordHash(bytes, 0, bytes.length) % part.count === part.index;
}

/** The binding from the rows re-scored (by one process, or by every shard): the k rows of smallest hash, in file order. */
export function bindingOf(path: string, verify: PredictionsSpec['verify'], rescored: Rescored[]): Binding {
  const chosen = [...rescored].sort(bySample).slice(0, verify.rows).sort((a, b) => a.ref - b.ref);
  return { path, checked: chosen.length, tolerance: verify.tolerance, disagreements: chosen.flatMap((c) => (c.worst ? [c.worst] : [])) };
}

const bySample = (a: { hash: number; id: string }, b: { hash: number; id: string }) => a.hash - b.hash || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The pass over a dataset whose scores were written elsewhere (a batch-scoring engine): the rows of
 * `rows` (labels, kept columns) joined by id to the scores of `scores`, strictly — every row has
 * exactly one score row and every score row is a row's. The model is run here only on a seeded
 * sample of rows (`verify.rows`, chosen by a hash of their ids, so the same rows whatever the files'
 * order), whose scores must agree with the file's within `verify.tolerance` (`bindingOf`). With a
 * part (a shard), only the rows and scores whose id is in the part.
 */
export async function readScoredPass(rows: DatasetSource, rowsSpec: DatasetSpec & { name: string }, scores: DatasetSource, p: PredictionsSpec, plan: ReadPlan, model: ModelUnderTest, part?: Part): Promise<{ pass: Pass; rescored: Rescored[] }> {
  const file = await readScores(scores, p, part);
  const idCol = columnIndex(rows, p.id, `predictions.id of ${scores.path}`);
  const labelAs = plan.want.find((w) => w.index === plan.labelCol)!.as;
  const want = [...new Set([plan.labelCol, idCol, ...plan.keepCols])].map((index) => ({ index, as: index === plan.labelCol ? labelAs : ('cell' as const) }));
  const slot = new Map(want.map((w, k) => [w.index, k]));
  const labels = new Labels(rows.path, plan.labelName, plan.regression, plan.numericLabels);
  const kept = plan.keepCols.map(() => new KeptBuilder());
  const rowRef = new Growable(Int32Array);
  const joined = new Growable(Float64Array);
  const used = new Uint8Array(file.rows);
  const sample = new Sample(p.verify.rows);
  let unit: 'line' | 'row' = 'line';
  const idSlot = slot.get(idCol)!;
  for await (const whole of rows.batches(want, BATCH_SIZE)) {
    const b = part ? ofPart(whole, idSlot, part, rows.path, p.id) : whole;
    unit = b.unit;
    labels.add(b, b.cells[slot.get(plan.labelCol)!]!);
    plan.keepCols.forEach((c, k) => {
      const cells = b.cells[slot.get(c)!]!;
      for (let i = 0; i < b.n; i++) kept[k]!.add(cellAt(cells, i));
    });
    const ids = b.cells[idSlot]!;
    for (let i = 0; i < b.n; i++) {
      const id = idOf(ids, i, b, rows.path, p.id);
      const at = file.index.get(id);
      if (at === undefined) throw new InputError(rows.path, `${whereOf(b, i)}: id ${JSON.stringify(id)} has no score in ${scores.path}`, undefined, 'every row scored must be in the predictions file, and only those');
      used[at] = 1;
      for (let c = 0; c < file.width; c++) joined.push(file.values[at * file.width + c]!);
      rowRef.push(b.refs[i]!);
      sample.offer(id, p.verify.seed, b.refs[i]!, at);
    }
  }
  const extra = used.indexOf(0);
  if (extra >= 0) throw new InputError(scores.path, `${file.unit} ${file.refs[extra]}: id ${JSON.stringify(file.ids[extra])} is not a row of ${rows.path}`, undefined, 'every row scored must be in the predictions file, and only those');
  const pass: Pass = {
    rowRef: rowRef.done(),
    rowUnit: unit,
    labels: { dictionary: labels.dictionary, keys: labels.keys.done(), values: labels.values.done() },
    kept: kept.map((k) => k.done()),
    inputStats: new Map(),
    outputs: [{ scores: [joined.done()], widths: [file.width], labels: [], labelKeys: new Map() }],
  };
  return { pass, rescored: await rescore(rows, rowsSpec, p, model, sample.chosen(), file) };
}

interface ScoresFile {
  path: string;
  index: Map<string, number>;
  ids: string[];
  refs: Int32Array;
  unit: 'line' | 'row';
  values: Float64Array;
  width: number;
  rows: number;
  columns: string[];
}

/** The file's ids (each once) and its scores, n × width, as numbers. */
async function readScores(source: DatasetSource, p: PredictionsSpec, part: Part | undefined): Promise<ScoresFile> {
  const columns = Array.isArray(p.scores) ? p.scores : [p.scores];
  const idCol = columnIndex(source, p.id, 'predictions.id');
  const scoreCols = columns.map((c) => columnIndex(source, c, 'predictions.scores'));
  const index = new Map<string, number>();
  const ids: string[] = [];
  const refs = new Growable(Int32Array);
  const values = new Growable(Float64Array);
  let unit: 'line' | 'row' = 'line';
  for await (const b of source.batches([{ index: idCol, as: 'cell' }, ...scoreCols.map((index) => ({ index, as: 'number' as const }))], BATCH_SIZE)) {
    unit = b.unit;
    for (let i = 0; i < b.n; i++) {
      const id = idOf(b.cells[0]!, i, b, source.path, p.id);
      if (part && !idInPart(part, id)) continue;
      const before = index.get(id);
      if (before !== undefined) throw new InputError(source.path, `${whereOf(b, i)}: id ${JSON.stringify(id)} is scored twice (also ${unit} ${refs.done()[before]})`);
      index.set(id, ids.length);
      ids.push(id);
      refs.push(b.refs[i]!);
      columns.forEach((name, k) => {
        const v = numberAt(b.cells[k + 1]!, i);
        if (!v.ok) throw new InputError(source.path, `${whereOf(b, i)}: column "${name}": ${v.missing ? 'missing score' : v.reason}`);
        values.push(v.value);
      });
    }
  }
  return { path: source.path, index, ids, refs: refs.done(), unit, values: values.done(), width: columns.length, rows: ids.length, columns };
}

function idOf(column: Column, i: number, b: RawBatch, path: string, name: string): string {
  const id = labelKey(cellAt(column, i), false);
  if (id === undefined) throw new InputError(path, `${whereOf(b, i)}: id column "${name}" is empty`);
  return id;
}

/** The k rows with the smallest hashes of (seed, id): the same rows whatever order the files are in. */
class Sample {
  private readonly entries: { hash: number; id: string; ref: number; at: number }[] = [];
  constructor(private readonly k: number) {}
  offer(id: string, seed: number, ref: number, at: number): void {
    const hash = sampleHash(seed, id);
    if (this.entries.length >= this.k && hash >= this.entries[this.entries.length - 1]!.hash) return;
    this.entries.push({ hash, id, ref, at });
    this.entries.sort(bySample);
    if (this.entries.length > this.k) this.entries.pop();
  }
  chosen() {
    return [...this.entries].sort((a, b) => a.ref - b.ref);
  }
}

/** Runs the model on the rows chosen and compares its scores with the file's. */
async function rescore(rows: DatasetSource, rowsSpec: DatasetSpec & { name: string }, p: PredictionsSpec, model: ModelUnderTest, chosen: ReturnType<Sample['chosen']>, file: ScoresFile): Promise<Rescored[]> {
  const refs = new Set(chosen.map((c) => c.ref));
  const only: DatasetSource = {
    ...rows,
    async *batches(want, size, options) {
      for await (const b of rows.batches(want, size, options)) {
        const keep: number[] = [];
        for (let i = 0; i < b.n; i++) if (refs.has(Number(b.refs[i]))) keep.push(i);
        if (keep.length) yield pickRows(b, keep);
      }
    },
  };
  const plan = planRead(only, rowsSpec, [model], []);
  const pass = await readPass(only, rowsSpec, plan, [model]);
  const out = pass.outputs[0]!;
  const width = out.widths[0] ?? 1;
  const flat = out.scores.length === 1 ? out.scores[0]! : Float64Array.from(out.scores.flatMap((s) => Array.from(s)));
  // one column in the file against two of the model: the second class's, as a single score column is read
  const column = (c: number) => (file.width === width ? c : file.width === 1 && width === 2 ? 1 : -1);
  if (column(0) < 0) throw new InputError(file.path, `has ${file.width} score column${file.width === 1 ? '' : 's'} (${file.columns.join(', ')}), but the model gives ${width}`, undefined, 'name the score columns in the order of the model’s classes');
  return chosen.map((c, r) => {
    let worst: Disagreement | undefined;
    for (let k = 0; k < file.width; k++) {
      const fromFile = file.values[c.at * file.width + k]!;
      const fromModel = flat[r * width + column(k)]!;
      const off = Math.abs(fromFile - fromModel);
      // NaN on either side is a disagreement too
      if (!(off <= p.verify.tolerance) && !(worst && Math.abs(worst.file - worst.model) >= off)) worst = { where: `${pass.rowUnit} ${c.ref}`, id: c.id, column: file.columns[k]!, file: fromFile, model: fromModel };
    }
    return { hash: c.hash, id: c.id, ref: c.ref, ...(worst ? { worst } : {}) };
  });
}

/** The rows of a batch whose id is in the part. */
function ofPart(b: RawBatch, idSlot: number, part: Part, path: string, name: string): RawBatch {
  const keep: number[] = [];
  for (let i = 0; i < b.n; i++) if (idInPart(part, idOf(b.cells[idSlot]!, i, b, path, name))) keep.push(i);
  return pickRows(b, keep);
}

