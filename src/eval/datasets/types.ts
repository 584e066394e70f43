/**
 * A dataset is read as a stream of batches of raw cells, only for the columns asked for. Cells are
 * what the file holds: strings for CSV/TSV, JSON values for JSON Lines, typed values for Parquet;
 * `undefined` or `null` is a missing value. Conversion to tensors and labels happens elsewhere.
 */
export type Cell = string | number | bigint | boolean | null | undefined | Date;

export interface RawBatch {
  n: number;
  /** cells[j][i]: row i of the j-th requested column */
  cells: Cell[][];
  /** where each row is in the file: line numbers (text formats) or 1-based row numbers (Parquet) */
  unit: 'line' | 'row';
  refs: ArrayLike<number>;
}

/** "line 14" or "row 14", for messages. */
export function whereOf(batch: Pick<RawBatch, 'unit' | 'refs'>, i: number): string {
  return `${batch.unit} ${batch.refs[i]}`;
}

export interface DatasetSource {
  /** path as reports show it */
  path: string;
  columns: string[];
  /** Streams the requested columns (indices into `columns`) in batches of at most `batchSize` rows. */
  batches(want: number[], batchSize: number): AsyncGenerator<RawBatch>;
  /** After a full pass: the file's digest, size and row count, as evidence. */
  evidence(): { sha256: string; bytes: number; rows: number } | undefined;
}
