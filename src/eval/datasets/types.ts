import type { Part } from './part.js';
/**
 * A dataset is read as a stream of batches, only for the columns asked for. A column asked for as
 * numbers may come back as a NumberColumn (CSV parses plain decimals straight from the bytes);
 * otherwise a column is the cells the file holds: strings for CSV/TSV, JSON values for JSON Lines,
 * typed values for Parquet; `undefined` or `null` is a missing value.
 */
export type Cell = string | number | bigint | boolean | null | undefined | Date;

/** A record (a CSV record, a JSON line) longer than this is refused rather than buffered (a 200 MB line is not a table row). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export interface NumberColumn {
  /** numbers[i] is row i's value, unless the row is in `other` */
  numbers: Float64Array;
  /** rows whose text is not a plain decimal (missing, a word, an exotic form), by row index */
  other: OtherCells;
}

/** A number column's other cells, by row index; iterated in ascending row order. A Map is one. */
export interface OtherCells extends Iterable<[number, string]> {
  readonly size: number;
  get(row: number): string | undefined;
  has(row: number): boolean;
  set(row: number, text: string): void;
  clear(): void;
}

/**
 * Other cells kept by row in an array (made on the first one), for a reader's batches: a column of
 * words read as numbers (drift reads every column so) has one a row, and a Map set a row was the
 * largest cost of reading such a file (the penguins file of `npm run bench:text`).
 */
export class RowTexts implements OtherCells {
  private texts: (string | undefined)[] | undefined;
  size = 0;

  constructor(private readonly rows: number) {}

  get(row: number): string | undefined {
    return this.texts?.[row];
  }

  has(row: number): boolean {
    return this.texts?.[row] !== undefined;
  }

  set(row: number, text: string): void {
    // filled, not holey: V8 keeps its fast elements
    const texts = (this.texts ??= new Array<string | undefined>(this.rows).fill(undefined));
    if (texts[row] === undefined) this.size++;
    texts[row] = text;
  }

  clear(): void {
    if (this.size === 0) return;
    this.texts!.fill(undefined);
    this.size = 0;
  }

  *[Symbol.iterator](): Iterator<[number, string]> {
    if (this.size === 0) return;
    const texts = this.texts!;
    for (let i = 0; i < texts.length; i++) if (texts[i] !== undefined) yield [i, texts[i]!];
  }
}

export type Column = Cell[] | NumberColumn;

export interface ColumnRequest {
  index: number;
  as: 'number' | 'cell';
}

export interface RawBatch {
  n: number;
  /** cells[k]: the k-th requested column */
  cells: Column[];
  /** where each row is in the file: line numbers (text formats) or 1-based row numbers (Parquet) */
  unit: 'line' | 'row';
  refs: ArrayLike<number>;
  /**
   * how far into the file the batch's last row ends (0..1), where the reader knows it (CSV exactly, JSON
   * Lines about): a better guess of the rows to come than `progress()`, which counts bytes read ahead
   */
  through?: number;
  /**
   * where refs are line numbers: each row's 0-based place among the file's data rows (another
   * shard's rows counted), so that the rows of several files can be numbered as one dataset's
   */
  index?: ArrayLike<number>;
  /** in a dataset of several files, where the rows are in their file (refs number them across the files) */
  origin?: { path: string; unit: 'line' | 'row'; refs: ArrayLike<number> };
  /**
   * where the reader honoured `matrix` (see DatasetSource.batches): those columns' numbers, n rows of
   * matrix.length places, row-major, as float32; their NumberColumns then hold only `other` (their
   * `numbers` is empty), and the matrix is stale at the other cells' places
   */
  matrix?: Float32Array;
}

export interface BatchOptions {
  reuse?: boolean;
  part?: Part;
  empty?: boolean;
  matrix?: number[];
  /**
   * The caller's own work is light, during the read and after it (a data check's column
   * expectations): a file is hashed as it is read, on the reading thread, not by the parsing
   * thread after the read, which would leave the hash alone on one core at the end (digest.ts).
   */
  light?: boolean;
}

export interface DatasetSource {
  /** path as reports show it */
  path: string;
  columns: string[];
  /** a blank file among a dataset's several (an empty partition): no columns of its own */
  emptyPart?: true;
  /**
   * Streams the requested columns in batches of at most `batchSize` rows. With `reuse`, a batch's
   * arrays are valid only until the next batch is asked for (the reader may fill them again): for
   * consumers that copy what they keep, it spares allocating and collecting a batch per batch.
   * With `part`, only that shard's rows are given (see part.ts); the evidence still counts them all.
   * A file without a row is an error, unless `empty` (one file of several: an empty partition).
   * With `matrix` (places in `want` of distinct columns asked for as numbers), a reader may give
   * those columns as a batch's `matrix` instead, a model's float32 input as it is sent (the CSV
   * reader parses them straight into it); one that does not gives them as usual.
   */
  batches(want: ColumnRequest[], batchSize: number, options?: BatchOptions): AsyncGenerator<RawBatch>;
  /** After a full pass: the file's digest, size and row count, as evidence. */
  evidence(): { sha256: string; bytes: number; rows: number; files?: { path: string; sha256: string; bytes: number; rows: number }[] } | undefined;
  /** Share of the file read so far in the current pass (0..1), for a progress bar. */
  progress(): number;
  /** Parquet: the file's row groups (a shard's part is whole row groups) */
  rowGroups?: number;
  /** Parquet: the file's rows, from its footer (known without reading the file) */
  rows?: number;
}

/** "line 14" or "row 14", for messages; in a dataset of several files, also the file and the row's place in it. */
export function whereOf(batch: Pick<RawBatch, 'unit' | 'refs' | 'origin'>, i: number): string {
  const o = batch.origin;
  return o ? `${batch.unit} ${batch.refs[i]} (${o.path} ${o.unit} ${o.refs[i]})` : `${batch.unit} ${batch.refs[i]}`;
}

export function isNumberColumn(c: Column): c is NumberColumn {
  return !Array.isArray(c);
}

/**
 * The batch's rows picks[0], picks[1], ... (a row may be picked again): its cells, places and
 * matrix. Other cells are kept in a Map.
 */
export function pickRows(b: RawBatch, picks: ArrayLike<number>): RawBatch {
  const n = picks.length;
  const at = (a: ArrayLike<number>) => Int32Array.from({ length: n }, (_, j) => Number(a[picks[j]!]));
  const cells = b.cells.map((c): Column => {
    if (!isNumberColumn(c)) return Array.from({ length: n }, (_, j) => c[picks[j]!]);
    const other = new Map<number, string>();
    for (let j = 0; j < n; j++) {
      const text = c.other.get(picks[j]!);
      if (text !== undefined) other.set(j, text);
    }
    // a matrix's column: its numbers are in the matrix
    const numbers = c.numbers.length ? Float64Array.from({ length: n }, (_, j) => c.numbers[picks[j]!]!) : c.numbers;
    return { numbers, other };
  });
  let matrix: Float32Array | undefined;
  if (b.matrix) {
    const width = b.n ? b.matrix.length / b.n : 0;
    matrix = new Float32Array(n * width);
    for (let j = 0; j < n; j++) matrix.set(b.matrix.subarray(picks[j]! * width, (picks[j]! + 1) * width), j * width);
  }
  return {
    n,
    cells,
    unit: b.unit,
    refs: at(b.refs),
    ...(b.index ? { index: at(b.index) } : {}),
    ...(b.origin ? { origin: { ...b.origin, refs: at(b.origin.refs) } } : {}),
    ...(matrix ? { matrix } : {}),
  };
}

/** Row i of a column as a cell, whatever its representation. */
export function cellAt(c: Column, i: number): Cell {
  if (Array.isArray(c)) return c[i];
  return c.other.has(i) ? c.other.get(i) : c.numbers[i];
}

/**
 * `xs.map(f)`, always into a packed array. Array.prototype.map's result is packed or holey by the
 * path V8 takes (its first calls make a holey array, its optimised ones a packed one): a reader's
 * batches built with it had columns in arrays of two shapes, in turn, and each switch threw the
 * optimised code of the reader and of readPass out, to be compiled again on a busy core.
 */
export function packedMap<T, U>(xs: readonly T[], f: (x: T, i: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]!, i));
  return out;
}
