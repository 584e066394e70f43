// What a `data` check reads, as counts and a few examples, and how shards' tallies join into the one
// an unsharded run reads (run --shard, then merge: the same report, byte for byte).
import { z } from 'zod';
import { HashSet } from '../eval/hash-set.js';
import { b64 } from '../eval/wire.js';
import { scalar } from '../spec/fields.js';

export const expectation = z.strictObject({
  type: z.enum(['number', 'integer', 'string', 'boolean', 'date']).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  one_of: z.array(scalar()).min(1).optional(),
  max_missing: z.number().min(0).max(1).optional().describe('Largest acceptable share of missing values'),
  unique: z.boolean().optional(),
  pattern: z.string().min(1).optional().describe('A regular expression every string value must match'),
  max_share: z.number().gt(0).max(1).optional().describe('Largest acceptable share of the most common value'),
});
export type Expectation = z.output<typeof expectation>;

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
  /** repeated rows; a shard's also the hash and first place of each distinct row in it (base64) */
  duplicates: { matches: Matches; firsts?: { hashes: string; refs: string } } | null;
  /** rows also in the other dataset */
  shared: Matches | null;
}

const matches = z.strictObject({ count: z.number().int().min(0), examples: z.array(z.tuple([z.number().int(), z.string().nullable()])) });
const tallySchema = z.strictObject({
  path: z.string(),
  expectations: z.record(z.string(), expectation),
  absent: z.array(z.string()),
  unit: z.enum(['line', 'row']),
  n: z.number().int().min(0),
  total: z.number().int().min(0),
  max: z.number().int().min(1),
  columns: z.array(
    z.strictObject({
      column: z.string(),
      expectation,
      because: z.string().nullable(),
      missing: z.number().int().min(0),
      broken: z.record(z.string(), matches),
      counts: z.array(z.tuple([z.string(), z.number().int().min(1)])).nullable(),
      firsts: z.array(z.tuple([z.number().int(), z.string()])).optional(),
    }),
  ),
  labels: z.array(z.tuple([z.string(), z.number().int().min(1)])).nullable(),
  duplicates: z.strictObject({ matches, firsts: z.strictObject({ hashes: b64(), refs: b64() }).optional() }).nullable(),
  shared: matches.nullable(),
});

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
    const parsed = tallySchema.safeParse(v);
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

function mergeDuplicates(parts: NonNullable<DataTally['duplicates']>[], max: number): NonNullable<DataTally['duplicates']> {
  const firsts = parts.map((p, s) => {
    if (!p.firsts) throw new Error(`shard ${s}: duplicates without the rows' hashes`);
    const hashes = new Float64Array(Uint8Array.from(Buffer.from(p.firsts.hashes, 'base64')).buffer);
    const refs = new Int32Array(Uint8Array.from(Buffer.from(p.firsts.refs, 'base64')).buffer);
    if (hashes.length !== refs.length) throw new Error(`shard ${s}: ${hashes.length} row hashes and ${refs.length} places`);
    return { hashes, refs };
  });
  // rows first seen in several shards: their hashes appear more than once over all shards' firsts
  const all = new Float64Array(firsts.reduce((s, f) => s + f.hashes.length, 0));
  let at = 0;
  for (const f of firsts) all.set(f.hashes, (at += f.hashes.length) - f.hashes.length);
  all.sort();
  const across = new HashSet();
  for (let i = 1; i < all.length; i++) if (all[i] === all[i - 1]) across.add(all[i]!);
  const places = new Map<number, number[]>();
  for (const f of firsts) {
    for (let i = 0; i < f.hashes.length; i++) {
      const h = f.hashes[i]!;
      if (!across.has(h)) continue;
      let list = places.get(h);
      if (!list) places.set(h, (list = []));
      list.push(f.refs[i]!);
    }
  }
  const repeats: [number, null][] = [...places.values()].flatMap((refs) => refs.sort((a, b) => a - b).slice(1).map((r): [number, null] => [r, null]));
  return { matches: addMatches(parts.map((p) => p.matches), max, { count: repeats.length, examples: repeats }) };
}
