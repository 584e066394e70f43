// What a `data` check reads, as counts and a few examples, and how shards' tallies join into the one
// an unsharded run reads (run --shard, then merge: the same report, byte for byte).
import { z } from 'zod';
import { b64 } from '../eval/wire.js';
import { scalar } from '../spec/fields.js';
import { once } from '../input/once.js';

export const expectation = once(() =>
  z.strictObject({
    type: z.enum(['number', 'integer', 'string', 'boolean', 'date']).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    one_of: z.array(scalar()).min(1).optional(),
    max_missing: z.number().min(0).max(1).optional().describe('Largest acceptable share of missing values'),
    unique: z.boolean().optional(),
    pattern: z.string().min(1).optional().describe('A regular expression every string value must match'),
    max_share: z.number().gt(0).max(1).optional().describe('Largest acceptable share of the most common value'),
  }),
);
export type Expectation = z.output<ReturnType<typeof expectation>>;

/** Rows that matched (a broken expectation, a repeated row): how many, and the first few by place. */
export interface Matches {
  count: number;
  /** [place, the value as shown (null: none shown)], in file order, at most `max` */
  examples: [number, string | null][];
}

/** One column's expectation, read. */
export interface ColumnTally {
  column: string;
  expectation: Expectation;
  /** why the expectation exists, when it is not the checklist's (the model's input contract) */
  because: string | null;
  missing: number;
  /** by failure code */
  broken: Record<string, Matches>;
  /** values (as keys) and their counts in first-seen order, when `unique` or `max_share` needs them */
  counts: [string, number][] | null;
  /** a shard's: each value's first place in the shard and its text there (a repeat across shards is found in the merge) */
  firsts?: [number, string][];
}

export interface DataTally {
  path: string;
  /** every expectation, the checklist's and the inferred ones */
  expectations: Record<string, Expectation>;
  /** columns with an expectation that the dataset does not have */
  absent: string[];
  unit: 'line' | 'row';
  /** rows read (this shard's part) */
  n: number;
  /** rows of the whole file */
  total: number;
  max: number;
  columns: ColumnTally[];
  labels: [string, number][] | null;
  /**
   * repeated rows; a shard's also the hash and first place of each distinct row in it (base64), in
   * ROW_PARTS parts by the hash's top bits, each in ascending order of hash (rowParts)
   */
  duplicates: { matches: Matches; firsts?: { hashes: string[]; refs: string[] } } | null;
  /** rows also in the other dataset */
  shared: Matches | null;
}

/**
 * A shard's distinct rows go into its state in this many parts, by the top bits of their hash (row
 * hashes are integers below 2^53), each in ascending order: the merge finds the rows first seen in
 * several shards one part at a time, so that what it holds beside the states is one part's rows.
 */
export const ROW_PARTS = 64;
const PART_SPAN = 2 ** 53 / ROW_PARTS;
const partOf = (h: number) => Math.floor(h / PART_SPAN);

/** A shard's distinct rows (their hashes, distinct, and first places) as ROW_PARTS parts, each in ascending order of hash, in base64. */
export function rowParts(hashes: Float64Array, refs: Int32Array): { hashes: string[]; refs: string[] } {
  const starts = new Int32Array(ROW_PARTS + 1);
  for (const h of hashes) starts[partOf(h) + 1]!++;
  for (let q = 0; q < ROW_PARTS; q++) starts[q + 1]! += starts[q]!;
  const at = starts.slice(0, ROW_PARTS);
  const sortedHashes = new Float64Array(hashes.length);
  const sortedRefs = new Int32Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) {
    const q = partOf(hashes[i]!);
    sortedHashes[at[q]!] = hashes[i]!;
    sortedRefs[at[q]!++] = refs[i]!;
  }
  const out: { hashes: string[]; refs: string[] } = { hashes: [], refs: [] };
  const bytes = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  for (let q = 0; q < ROW_PARTS; q++) {
    const h = sortedHashes.subarray(starts[q]!, starts[q + 1]!);
    const r = sortedRefs.subarray(starts[q]!, starts[q + 1]!);
    // the places follow their hashes through a table from hash to place (the hashes are distinct)
    const size = 2 ** Math.ceil(Math.log2(2 * h.length + 2));
    const keys = new Float64Array(size).fill(-1);
    const values = new Int32Array(size);
    const slot = (x: number) => {
      let i = (x >>> 0) & (size - 1);
      while (keys[i] !== -1 && keys[i] !== x) i = (i + 1) & (size - 1);
      return i;
    };
    h.forEach((x, i) => {
      const k = slot(x);
      keys[k] = x;
      values[k] = r[i]!;
    });
    h.sort();
    h.forEach((x, i) => (r[i] = values[slot(x)]!));
    out.hashes.push(bytes(h));
    out.refs.push(bytes(r));
  }
  return out;
}

const matches = once(() =>
  z.strictObject({ count: z.number().int().min(0), examples: z.array(z.tuple([z.number().int(), z.string().nullable()])) }),
);
const tallySchema = once(() =>
  z.strictObject({
    path: z.string(),
    expectations: z.record(z.string(), expectation()),
    absent: z.array(z.string()),
    unit: z.enum(['line', 'row']),
    n: z.number().int().min(0),
    total: z.number().int().min(0),
    max: z.number().int().min(1),
    columns: z.array(
      z.strictObject({
        column: z.string(),
        expectation: expectation(),
        because: z.string().nullable(),
        missing: z.number().int().min(0),
        broken: z.record(z.string(), matches()),
        counts: z.array(z.tuple([z.string(), z.number().int().min(1)])).nullable(),
        firsts: z.array(z.tuple([z.number().int(), z.string()])).optional(),
      }),
    ),
    labels: z.array(z.tuple([z.string(), z.number().int().min(1)])).nullable(),
    duplicates: z.strictObject({ matches: matches(), firsts: z.strictObject({ hashes: z.array(b64()).length(ROW_PARTS), refs: z.array(b64()).length(ROW_PARTS) }).optional() }).nullable(),
    shared: matches().nullable(),
  }),
);

/** The examples of several tallies: the first `max` by place. */
function firstExamples(lists: [number, string | null][][], max: number): [number, string | null][] {
  return lists
    .flat()
    .sort((a, b) => a[0] - b[0])
    .slice(0, max);
}

function addMatches(parts: Matches[], max: number, more: { count: number; examples: [number, string | null][] } = { count: 0, examples: [] }): Matches {
  return { count: parts.reduce((s, m) => s + m.count, 0) + more.count, examples: firstExamples([...parts.map((m) => m.examples), more.examples], max) };
}

/**
 * The shards' tallies (in shard order) as one: counts added; examples the first by place; a value
 * (or a row) first seen in several shards is a repeat in all but the one where it comes first.
 * Each tally is checked first; a fault throws a message naming it.
 */
export function mergeDataTallies(values: unknown[]): DataTally {
  const parts = values.map((v, s) => {
    const parsed = tallySchema().safeParse(v);
    if (!parsed.success) throw new Error(`shard ${s}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    return parsed.data as DataTally;
  });
  const [head] = parts;
  if (!head) throw new Error('no tallies');
  for (const [s, p] of parts.entries()) {
    if (p.path !== head.path || JSON.stringify([p.expectations, p.absent]) !== JSON.stringify([head.expectations, head.absent]) || p.total !== head.total || p.max !== head.max || p.columns.map((c) => c.column).join('\u0000') !== head.columns.map((c) => c.column).join('\u0000')) throw new Error(`shard ${s}: not a tally of the same check and data as shard 0's`);
  }
  const n = parts.reduce((s, p) => s + p.n, 0);
  if (n !== head.total) throw new Error(`the shards read ${n} rows, but ${head.path} has ${head.total}`);
  const max = head.max;
  return {
    path: head.path,
    expectations: head.expectations,
    absent: head.absent,
    unit: parts.find((p) => p.n > 0)?.unit ?? head.unit,
    n,
    total: head.total,
    max,
    columns: head.columns.map((c, k) => mergeColumn(parts.map((p) => p.columns[k]!), max)),
    labels: head.labels && sumCounts(parts.map((p) => p.labels ?? [])),
    duplicates: head.duplicates && mergeDuplicates(parts.map((p) => p.duplicates!), max),
    shared: head.shared && addMatches(parts.map((p) => p.shared!), max),
  };
}

function sumCounts(lists: [string, number][][]): [string, number][] {
  const out = new Map<string, number>();
  for (const list of lists) for (const [k, c] of list) out.set(k, (out.get(k) ?? 0) + c);
  return [...out];
}

function mergeColumn(parts: ColumnTally[], max: number): ColumnTally {
  const [head] = parts as [ColumnTally];
  const codes = [...new Set(parts.flatMap((p) => Object.keys(p.broken)))];
  const broken: Record<string, Matches> = {};
  let counts: [string, number][] | null = null;
  // a value's count, and its first place and text in every shard that has it
  const byValue = new Map<string, { count: number; firsts: [number, string][] }>();
  if (head.counts) {
    parts.forEach((p) => {
      const firsts = p.firsts ?? [];
      if (firsts.length !== p.counts!.length) throw new Error(`column ${JSON.stringify(p.column)}: ${p.counts!.length} values and ${firsts.length} first places`);
      p.counts!.forEach(([value, count], i) => {
        let v = byValue.get(value);
        if (!v) byValue.set(value, (v = { count: 0, firsts: [] }));
        v.count += count;
        v.firsts.push(firsts[i]!);
      });
    });
    // first-seen order of the whole file
    const ordered = [...byValue].map(([value, v]) => ({ value, count: v.count, firsts: v.firsts.sort((a, b) => a[0] - b[0]) })).sort((a, b) => a.firsts[0]![0] - b.firsts[0]![0]);
    counts = ordered.map((v) => [v.value, v.count]);
    if (head.expectation.unique) {
      // a value first seen in several shards repeats in every one but the first
      const repeats = ordered.flatMap((v) => v.firsts.slice(1));
      broken.unique = addMatches(parts.flatMap((p) => (p.broken.unique ? [p.broken.unique] : [])), max, { count: repeats.length, examples: repeats });
    }
  }
  for (const code of codes) if (code !== 'unique') broken[code] = addMatches(parts.flatMap((p) => (p.broken[code] ? [p.broken[code]!] : [])), max);
  return { column: head.column, expectation: head.expectation, because: head.because, missing: parts.reduce((s, p) => s + p.missing, 0), broken, counts };
}

/**
 * The shards' repeated rows: each shard's own, and the rows first seen in several shards (found
 * part by part: a k-way merge of the shards' sorted hashes), repeats in all but the first place.
 */
function mergeDuplicates(parts: NonNullable<DataTally['duplicates']>[], max: number): NonNullable<DataTally['duplicates']> {
  let count = 0;
  // the first `max` places of rows repeated across shards, ascending
  const first: number[] = [];
  const repeat = (place: number) => {
    count++;
    if (first.length === max && place > first[max - 1]!) return;
    const at = first.findIndex((p) => p > place);
    first.splice(at < 0 ? first.length : at, 0, place);
    if (first.length > max) first.pop();
  };
  for (let q = 0; q < ROW_PARTS; q++) {
    const lists = parts.map((p, s) => {
      if (!p.firsts) throw new Error(`shard ${s}: duplicates without the rows' hashes`);
      const hashBytes = Uint8Array.from(Buffer.from(p.firsts.hashes[q]!, 'base64'));
      const refBytes = Uint8Array.from(Buffer.from(p.firsts.refs[q]!, 'base64'));
      if (hashBytes.length % 8 || refBytes.length % 4) throw new Error(`shard ${s}: row hashes or places cut short`);
      const hashes = new Float64Array(hashBytes.buffer);
      const refs = new Int32Array(refBytes.buffer);
      if (hashes.length !== refs.length) throw new Error(`shard ${s}: ${hashes.length} row hashes and ${refs.length} places`);
      for (let i = 0; i < hashes.length; i++) {
        if (partOf(hashes[i]!) !== q || (i > 0 && hashes[i]! <= hashes[i - 1]!)) throw new Error(`shard ${s}: row hashes out of order or in the wrong part`);
      }
      return { hashes, refs };
    });
    const heads = new Int32Array(lists.length);
    for (;;) {
      let min = Infinity;
      lists.forEach((l, s) => heads[s]! < l.hashes.length && (min = Math.min(min, l.hashes[heads[s]!]!)));
      if (min === Infinity) break;
      let earliest = -1;
      lists.forEach((l, s) => {
        if (heads[s]! >= l.hashes.length || l.hashes[heads[s]!] !== min) return;
        const place = l.refs[heads[s]!++]!;
        if (earliest < 0) earliest = place;
        else {
          repeat(Math.max(earliest, place));
          earliest = Math.min(earliest, place);
        }
      });
    }
  }
  return { matches: addMatches(parts.map((p) => p.matches), max, { count, examples: first.map((place): [number, null] => [place, null]) }) };
}
