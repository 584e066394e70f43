import { labelKey, numberAt, numberOf } from '../cells.js';
import { cellAt, isNumberColumn, type DatasetSource } from '../datasets/types.js';
import type { Part } from '../datasets/part.js';
import { ColumnCollector, mergeDistributions, type Distribution } from './distribution.js';

/**
 * A dataset's columns as the drift statistics read them, from one pass: a numeric column as the
 * distribution of its values, any other as counts of its values (keys in code-unit order). Both
 * depend only on the multiset of rows, never on their order: passes over parts of a dataset
 * (shards) merge into the pass over the whole (`mergeColumns`), exactly.
 */
export interface ColumnsRead {
  rows: number;
  columns: Map<string, ColumnRead>;
}

/** A column with no value at all is empty counts. */
export type ColumnRead = { numbers: Distribution } | { counts: Map<string, number> };

/**
 * Reads the columns named (every column when `only` is undefined). A column is numeric when every
 * value it has is a number; one value that is not makes it categorical, every value then counted
 * under its key (a number under the key of its value, so "1.50" and "1.5" are one category).
 * Missing values are left out.
 */
export async function readColumns(source: DatasetSource, only: string[] | undefined, part?: Part): Promise<ColumnsRead> {
  // only the columns compared are collected: an id column left out costs nothing
  const wanted = source.columns.map((c, index) => ({ c, index })).filter(({ c }) => !only || only.includes(c));
  const acc = wanted.map(() => ({ numbers: new ColumnCollector() as ColumnCollector | undefined, counts: undefined as Map<string, number> | undefined }));
  const count = (m: Map<string, number>, k: string | undefined) => k !== undefined && m.set(k, (m.get(k) ?? 0) + 1);
  let rows = 0;
  // batches of 16,384 rows: a column's values are counted a batch at a time, and its bins stay in the
  // cache through a batch (4,096 rows: the counting took twice as long a value); 65,536 rows held
  // ~22 MB more at the peak of a 1M-row drift check and left the parsing thread idle longer
  for await (const b of source.batches(wanted.map(({ index }) => ({ index, as: 'number' as const })), 16384, { reuse: true, ...(part ? { part } : {}) })) {
    b.cells.forEach((col, k) => {
      const a = acc[k]!;
      if (a.numbers && isNumberColumn(col) && col.other.size === 0) {
        a.numbers.add(col.numbers.subarray(0, b.n));
        return;
      }
      const extra: number[] = [];
      for (let i = 0; i < b.n; i++) {
        if (a.counts) {
          // numberOf: no parseNumber reason written for each word
          const cell = cellAt(col, i);
          const v = numberOf(cell);
          count(a.counts, v !== undefined ? String(v) : labelKey(cell, true));
          continue;
        }
        const p = numberAt(col, i);
        if (p.ok) extra.push(p.value);
        else if (!p.missing) {
          // not a numeric column after all: count what was seen so far, then go on counting
          a.counts = new Map();
          for (const v of a.numbers!.each()) count(a.counts, String(v));
          for (const v of extra) count(a.counts, String(v));
          a.numbers = undefined;
          count(a.counts, labelKey(cellAt(col, i), true));
        }
      }
      if (a.numbers && extra.length) a.numbers.add(Float64Array.from(extra));
    });
    rows += b.n;
  }
  const columns = new Map<string, ColumnRead>(
    wanted.map(({ c }, k) => {
      const a = acc[k]!;
      if (a.counts) return [c, { counts: sortedCounts(a.counts) }];
      if (!a.numbers!.n) return [c, { counts: new Map() }];
      return [c, { numbers: a.numbers!.done() }];
    }),
  );
  return { rows, columns };
}

const byKey = (a: [string, number], b: [string, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function sortedCounts(m: Map<string, number>): Map<string, number> {
  return new Map([...m].sort(byKey));
}

/** The columns of a whole dataset from the columns of its parts. */
export function mergeColumns(parts: ColumnsRead[]): ColumnsRead {
  const names = [...(parts[0]?.columns.keys() ?? [])];
  const columns = new Map<string, ColumnRead>();
  for (const name of names) {
    const reads = parts.map((p) => p.columns.get(name)!);
    const hasValues = (r: ColumnRead) => ('numbers' in r ? r.numbers.n > 0 : r.counts.size > 0);
    const categorical = reads.some((r) => 'counts' in r && r.counts.size > 0);
    if (categorical) {
      const counts = new Map<string, number>();
      const add = (k: string, n: number) => counts.set(k, (counts.get(k) ?? 0) + n);
      for (const r of reads) {
        if ('counts' in r) for (const [k, n] of r.counts) add(k, n);
        else for (let i = 0; i < r.numbers.values.length; i++) add(String(r.numbers.values[i]), r.numbers.counts[i]!);
      }
      columns.set(name, { counts: sortedCounts(counts) });
    } else {
      const numeric = reads.filter(hasValues).map((r) => (r as { numbers: Distribution }).numbers);
      columns.set(name, numeric.length ? { numbers: mergeDistributions(numeric) } : { counts: new Map() });
    }
  }
  return { rows: parts.reduce((s, p) => s + p.rows, 0), columns };
}

