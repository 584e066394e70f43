import { z } from 'zod';
import { labelKey, MISSING_WORDS, parseNumber } from '../eval/cells.js';
import { cellAt, isNumberColumn, type Cell, type Column, type DatasetSource, type RawBatch } from '../eval/datasets/types.js';
import type { RunContext } from './context.js';
import { InputError } from '../input/errors.js';
import type { Finding, Measurement } from '../report/types.js';
import type { DatasetSpec } from '../spec/model.js';
import { defineCheck, type OptionProblem } from './define.js';
import { formatNumber } from '../report/format-value.js';
import { Growable, inputColumns } from '../eval/predict.js';
import { expectation, mergeDataTallies, rowParts, type ColumnTally, type DataTally, type Expectation, type Matches } from './data-tally.js';
import { linearRegExp } from '../input/linear-regexp.js';
import { HashSet } from '../eval/hash-set.js';
import { columnIndex } from '../eval/datasets/index.js';
import { once } from '../input/once.js';

const rowsKey = once(() =>
  z.union([z.literal(true), z.array(z.string().min(1)).min(1)]),
);

const dataOptions = () => ({
dataset: z.string().optional().describe('Dataset name (default: the only dataset, or "holdout")'),
columns: z.record(z.string().min(1), expectation()).default({}).describe('Expectations per column'),
rows: z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() }).optional(),
label: z.strictObject({ min_share: z.record(z.string().min(1), z.number().min(0).max(1)) }).optional().describe('Class balance of the label column'),
no_duplicates: rowsKey().optional().describe('true (whole rows) or the key columns'),
disjoint_from: z
  .union([z.string(), z.strictObject({ dataset: z.string(), columns: z.array(z.string().min(1)).min(1).optional() })])
  .optional()
  .describe('No row of this dataset also in that one (leakage between splits), keyed on all or the given columns'),
infer: z.string().optional().describe('Take expectations from this dataset: observed ranges widened by margin, allowed values, missing rates'),
margin: z.number().min(0).default(0.1).describe('infer: widen numeric ranges by this share of the range, and missing rates by this much'),
max_examples: z.number().int().min(1).max(100).default(3).describe('Offending rows shown per finding'),
model_inputs: z.boolean().default(false).describe("Every column the model reads holds values its input's element type accepts"),
});

export default defineCheck({
  type: 'data',
  title: 'Data expectations',
  runsModel: false,
  // each shard reads its part of the dataset (and any other dataset whole) into a tally the merge adds up
  shards: 'tallies',
  htmlPart: 'data',
  mlTestScore: ['D1'],
  description: "The dataset holds what the model assumes: per-column types, ranges, allowed values, missing rates, uniqueness; row counts, class balance, no duplicates, no rows shared with another split.",
  options: dataOptions,
  needs: (o) => [
    { dataset: o.dataset, models: [] },
    ...(o.infer ? [{ dataset: o.infer, option: ['infer'], models: [] }] : []),
    ...(o.disjoint_from ? [{ dataset: typeof o.disjoint_from === 'string' ? o.disjoint_from : o.disjoint_from.dataset, option: typeof o.disjoint_from === 'string' ? ['disjoint_from'] : ['disjoint_from', 'dataset'], models: [] }] : []),
  ],
  columns: (o) => [
    { dataset: o.dataset, option: ['columns'], columns: Object.keys(o.columns) },
    ...(Array.isArray(o.no_duplicates) ? [{ dataset: o.dataset, option: ['no_duplicates'], columns: o.no_duplicates }] : []),
    ...(typeof o.disjoint_from === 'object' && o.disjoint_from.columns
      ? [o.dataset, o.disjoint_from.dataset].map((dataset) => ({ dataset, option: ['disjoint_from', 'columns'], columns: (o.disjoint_from as { columns: string[] }).columns }))
      : []),
  ],
  validate: (o) => {
    const problems: OptionProblem[] = [];
    for (const [col, e] of Object.entries(o.columns)) {
      if (e.pattern !== undefined) {
        try {
          linearRegExp(e.pattern);
        } catch (err) {
          problems.push({ option: 'columns', message: `${col}.pattern ${(err as Error).message}` });
        }
      }
    }
    if (!Object.keys(o.columns).length && !o.rows && !o.label && !o.no_duplicates && !o.disjoint_from && !o.infer && !o.model_inputs) {
      problems.push({ option: 'columns', message: 'a data check needs at least one expectation' });
    }
    return problems;
  },
  async run(o, ctx) {
    const tally = ctx.merging ? (ctx.mergedTally(o.id) as DataTally) : (await readData(o, ctx)).tally;
    return reportData(o, tally, ctx);
  },
  tally: {
    async read(o, ctx) {
      const { tally, read } = await readData(o, ctx);
      return { evidence: read.map((path) => ctx.evidenceOf(path)!), value: tally };
    },
    merge: mergeDataTallies,
  },
});

type DataOptions = z.output<z.ZodObject<ReturnType<typeof dataOptions>>> & { id: string };

/**
 * One pass over the dataset (a shard's part of it under --shard): every column's expectations,
 * the label's classes, repeated rows and rows shared with another dataset (read whole, as hashes),
 * as a tally. Returns the paths of the datasets it read.
 */
async function readData(o: DataOptions, ctx: RunContext): Promise<{ tally: DataTally; read: string[] }> {
  const { source, spec } = await ctx.dataset(o.dataset);
  const read = [source.path];
  const expectations = new Map<string, Expectation>(Object.entries(o.columns));
  if (o.infer) {
    const inferred = await inferExpectations(ctx, o.infer, o.margin);
    read.push(inferred.path);
    for (const [column, e] of inferred.expectations) if (!expectations.has(column) && source.columns.includes(column)) expectations.set(column, e);
  }
  const part = ctx.part;
  const checked = [...expectations].filter(([c]) => source.columns.includes(c)).map(([column, e]) => new ColumnCheck(column, e, o.max_examples, part !== undefined));
  if (o.model_inputs) checked.push(...(await modelInputChecks(ctx, source, spec, o.max_examples, part !== undefined)));

  // rows of another dataset, as hashes only (leakage between splits), read whole in every shard
  const other = o.disjoint_from === undefined ? undefined : typeof o.disjoint_from === 'string' ? { dataset: o.disjoint_from, columns: undefined } : o.disjoint_from;
  let theirs: HashSet | undefined;
  let leakKey: string[] = [];
  if (other) {
    const them = await ctx.dataset(other.dataset);
    leakKey = other.columns ?? source.columns.filter((c) => them.source.columns.includes(c));
    theirs = new HashSet();
    await addRowHashes(them.source, leakKey, theirs);
    read.push(them.source.path);
  }
  const dupKey = o.no_duplicates === undefined ? undefined : o.no_duplicates === true ? source.columns : o.no_duplicates;
  const seenRows = new HashSet();
  // a shard's distinct rows: their hashes and first places (a row first seen in two shards is found in the merge)
  const firstHashes = part && dupKey ? new Growable(Float64Array) : undefined;
  const firstRefs = part && dupKey ? new Growable(Int32Array) : undefined;
  const duplicates = new RowMatches(o.max_examples);
  const shared = new RowMatches(o.max_examples);
  const labels = new LabelCounts();
  let n = 0;
  let unit: 'line' | 'row' = 'line';

  const wanted = [...new Set([...checked.map((c) => c.column), ...(dupKey ?? []), ...leakKey, ...(o.label && spec.label ? [spec.label] : [])])];
  for (const c of wanted) columnIndex(source, c, 'data check');
  const index = new Map(wanted.map((c, k) => [c, k]));
  // columns only checked as numbers are read as numbers (parsed from the bytes, no strings made)
  // key columns are hashed from numbers where they are numbers, as the other dataset's are; the
  // label too, unless an expectation reads it as text: its classes are counted by labelKey, which
  // gives a number and its plain-decimal text the same key (a text that is not a plain decimal
  // stays text either way)
  const numericLabel = spec.label !== undefined && checked.every((c) => c.column !== spec.label || c.numeric);
  const asNumber = new Set([...checked.filter((c) => c.numeric && (c.column !== spec.label || numericLabel)).map((c) => c.column), ...(dupKey ?? []), ...leakKey, ...(numericLabel && o.label ? [spec.label!] : [])]);
  const want = wanted.map((c) => ({ index: source.columns.indexOf(c), as: asNumber.has(c) ? ('number' as const) : ('cell' as const) }));
  // light: column expectations alone (no row hashed) leave the parsing thread the busier one
  for await (const b of source.batches(want, 8192, { reuse: true, light: !dupKey && !theirs, ...(part ? { part } : {}) })) {
    unit = b.unit;
    // column by column: a batch of plain numbers is checked in one tight loop
    for (const check of checked) check.addBatch(b.cells[index.get(check.column)!]!, b.n, b.refs);
    for (let i = 0; i < b.n; i++) {
      if (dupKey) {
        const h = hashRow(b.cells, dupKey.map((c) => index.get(c)!), i);
        if (seenRows.has(h)) duplicates.add(b.refs[i]!);
        else {
          seenRows.add(h);
          firstHashes?.push(h);
          firstRefs?.push(b.refs[i]!);
        }
      }
      if (theirs && theirs.has(hashRow(b.cells, leakKey.map((c) => index.get(c)!), i))) shared.add(b.refs[i]!);
    }
    if (o.label && spec.label) labels.add(b.cells[index.get(spec.label)!]!, b.n);
    n += b.n;
  }
  if (o.label && !spec.label) throw new InputError(ctx.checklist.file, 'data: the dataset has no label column for label.min_share');
  const tally: DataTally = {
    path: source.path,
    expectations: Object.fromEntries(expectations),
    absent: [...expectations.keys()].filter((c) => !source.columns.includes(c)),
    unit,
    n,
    total: ctx.evidenceOf(source.path)!.rows!,
    max: o.max_examples,
    columns: checked.map((c) => c.tally()),
    labels: o.label ? labels.counts() : null,
    duplicates: dupKey ? { matches: duplicates.tally(), ...(firstHashes && firstRefs ? { firsts: rowParts(firstHashes.done(), firstRefs.done()) } : {}) } : null,
    shared: other ? shared.tally() : null,
  };
  return { tally, read };
}

/** The findings and measurements of a data check from what it read (one pass, or its shards' merged). */
function reportData(o: DataOptions, t: DataTally, ctx: RunContext) {
  const findings: Finding[] = [];
  const n = t.n;
  for (const column of t.absent) findings.push({ code: 'column-missing', message: `column ${JSON.stringify(column)} is not in ${t.path}` });
  const measurements: Measurement[] = [{ name: 'rows', value: n, ...(o.rows ? { threshold: o.rows, passed: (o.rows.min === undefined || n >= o.rows.min) && (o.rows.max === undefined || n <= o.rows.max) } : {}) }];
  for (const c of t.columns) reportColumn(c, n, findings, measurements, (ref) => ctx.rowPlace(t.path, t.unit, ref), (ref) => ctx.rowLocation(t.path, t.unit, ref));
  if (o.label) {
    const labels = new Map(t.labels ?? []);
    for (const [cls, min] of Object.entries(o.label.min_share)) {
      const share = (labels.get(labelKey(cls, true)!) ?? 0) / n;
      measurements.push({ name: `share of class ${JSON.stringify(cls)}`, value: share, threshold: { min }, passed: share >= min });
    }
  }
  const places = (m: Matches) => `${m.examples.map(([ref]) => ctx.rowPlace(t.path, t.unit, ref)).join(', ')}${m.count > m.examples.length ? ', …' : ''}`;
  const dup = t.duplicates?.matches;
  if (dup?.count) {
    const key = o.no_duplicates === true ? '' : ` on ${(o.no_duplicates as string[]).join(', ')}`;
    findings.push({ code: 'duplicates', message: `${dup.count} of ${n} rows repeat an earlier row${key} (${places(dup)})`, location: ctx.rowLocation(t.path, t.unit, dup.examples[0]![0]) });
  }
  if (t.shared) {
    const other = typeof o.disjoint_from === 'string' ? o.disjoint_from : o.disjoint_from!.dataset;
    measurements.push({ name: `rows also in ${other}`, value: t.shared.count, threshold: { max: 0 }, passed: t.shared.count === 0 });
    if (t.shared.count) findings.push({ code: 'leakage', message: `${t.shared.count} of ${n} rows also appear in ${other} (${places(t.shared)})`, location: ctx.rowLocation(t.path, t.unit, t.shared.examples[0]![0]), hint: 'rows shared between splits invalidate every metric computed on them' });
  }
  const size = Object.keys(t.expectations).length;
  return { findings, measurements, summary: `${n} rows, ${size} column expectation${size === 1 ? '' : 's'}`, details: { dataset: ctx.datasetName(o.dataset), expectations: t.expectations } };
}

/** The model's input contract: each column it reads must parse as its input's element type. */
async function modelInputChecks(ctx: RunContext, source: DatasetSource, spec: DatasetSpec, maxExamples: number, shard: boolean): Promise<ColumnCheck[]> {
  return inputColumns(await ctx.facts('model'), source, spec.label).map(({ column, input, type }) => {
    const e: Expectation =
      type === 'float32' || type === 'float64'
        ? { type: 'number', max_missing: spec.missing === 'nan' ? 1 : 0 }
        : type === 'string'
          ? { max_missing: 0 }
          : { type: type === 'bool' ? 'boolean' : 'integer', max_missing: 0 };
    return new ColumnCheck(column, e, maxExamples, shard, `model input "${input}" is ${type}`);
  });
}

/**
 * The label's classes and their rows, in the order first seen, by labelKey (a number and its
 * plain-decimal text are one class). A value is keyed once, not once a row: each distinct number
 * or text gets a slot, and slots of one key are added up at the end.
 */
class LabelCounts {
  private numbers = new Map<number, number>();
  private texts = new Map<Cell, number>();
  private keys: (string | undefined)[] = [];
  private rows: number[] = [];

  add(col: Column, n: number): void {
    const numeric = isNumberColumn(col);
    for (let i = 0; i < n; i++) {
      const other = numeric ? (col.other.size === 0 ? undefined : col.other.get(i)) : col[i];
      const byNumber = numeric && other === undefined;
      // a date is keyed by its text (one object a row would be one slot a row)
      const value = byNumber ? col.numbers[i]! : other instanceof Date ? other.toISOString() : other;
      const slots = (byNumber ? this.numbers : this.texts) as Map<unknown, number>;
      let slot = slots.get(value);
      if (slot === undefined) {
        slots.set(value, (slot = this.keys.length));
        this.keys.push(labelKey(value as Cell, true));
        this.rows.push(0);
      }
      this.rows[slot]!++;
    }
  }

  counts(): [string, number][] {
    const counts = new Map<string, number>();
    this.keys.forEach((k, slot) => k !== undefined && counts.set(k, (counts.get(k) ?? 0) + this.rows[slot]!));
    return [...counts];
  }
}

/** Rows that matched (a broken expectation, a duplicate, a row of another split): how many, and the first few. */
class RowMatches {
  private count = 0;
  private readonly examples: [number, string | null][] = [];
  constructor(private readonly max: number) {}
  add(ref: number, shown: string | null = null): void {
    if (this.examples.length < this.max) this.examples.push([ref, shown]);
    this.count++;
  }
  tally(): Matches {
    return { count: this.count, examples: this.examples };
  }
}

/** One column's expectations, checked row by row: counts and a few examples, never the rows. */
class ColumnCheck {
  private readonly allowed: Set<string> | undefined;
  private readonly pattern: RegExp | undefined;
  private readonly counts = new Map<string, number>();
  /** in a shard: each value's first place and text in it, in first-seen order */
  private readonly firsts: [number, string][] | undefined;
  private missing = 0;
  private readonly broken = new Map<string, RowMatches>();

  constructor(
    readonly column: string,
    private readonly e: Expectation,
    private readonly maxExamples: number,
    shard: boolean,
    /** why this expectation exists, when it is not the checklist's (the model's input contract) */
    private readonly because?: string,
  ) {
    this.allowed = e.one_of ? new Set(e.one_of.map((v) => labelKey(v as Cell, true)!)) : undefined;
    this.pattern = e.pattern ? linearRegExp(e.pattern) : undefined;
    this.firsts = shard && (e.unique || e.max_share !== undefined) ? [] : undefined;
  }

  /** Reads numbers when its expectations are about numbers. */
  get numeric(): boolean {
    const e = this.e;
    return (e.type === 'number' || e.type === 'integer' || e.min !== undefined || e.max !== undefined) && !e.one_of && !e.pattern && !e.unique && e.max_share === undefined;
  }

  addBatch(col: Column, n: number, refs: ArrayLike<number>): void {
    const e = this.e;
    if (this.numeric && isNumberColumn(col) && col.other.size === 0) {
      const nums = col.numbers;
      const integer = e.type === 'integer';
      const lo = e.min ?? -Infinity;
      const hi = e.max ?? Infinity;
      for (let i = 0; i < n; i++) {
        const v = nums[i]!;
        if (v < lo || v > hi || (integer && !Number.isInteger(v))) this.add(v, refs[i]!);
      }
      return;
    }
    for (let i = 0; i < n; i++) this.add(cellAt(col, i), refs[i]!);
  }

  add(v: Cell, ref: number): void {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && MISSING_WORDS.has(v.trim()))) {
      this.missing++;
      return;
    }
    const e = this.e;
    const shown = (): string => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v));
    const fail = (code: string) => {
      let b = this.broken.get(code);
      if (!b) this.broken.set(code, (b = new RowMatches(this.maxExamples)));
      b.add(ref, shown());
    };
    if (typeof v === 'number') {
      // the common case, read as a number: no parsing, no allocation
      if (e.type && e.type !== 'number' && !(e.type === 'integer' && Number.isInteger(v))) fail('type');
      if ((e.min !== undefined && v < e.min) || (e.max !== undefined && v > e.max)) fail('range');
    } else {
      if (e.type && !hasType(v, e.type)) fail('type');
      if (e.min !== undefined || e.max !== undefined) {
        const p = parseNumber(v);
        if (!p.ok || (e.min !== undefined && p.value < e.min) || (e.max !== undefined && p.value > e.max)) fail('range');
      }
    }
    const key = this.allowed || e.unique || e.max_share !== undefined ? labelKey(v, true)! : '';
    if (this.allowed && !this.allowed.has(key)) fail('one-of');
    if (this.pattern && !this.pattern.test(String(v))) fail('pattern');
    if (e.unique || e.max_share !== undefined) {
      const seen = this.counts.get(key) ?? 0;
      if (e.unique && seen > 0) fail('unique');
      else if (seen === 0) this.firsts?.push([ref, shown()]);
      this.counts.set(key, seen + 1);
    }
  }

  tally(): ColumnTally {
    return {
      column: this.column,
      expectation: this.e,
      because: this.because ?? null,
      missing: this.missing,
      broken: Object.fromEntries([...this.broken].map(([code, m]) => [code, m.tally()])),
      counts: this.e.unique || this.e.max_share !== undefined ? [...this.counts] : null,
      ...(this.firsts ? { firsts: this.firsts } : {}),
    };
  }
}

/** A column's findings and measurements from its tally. */
function reportColumn(c: ColumnTally, n: number, findings: Finding[], measurements: Measurement[], place: (ref: number) => string, locate: (ref: number) => string): void {
  const e = c.expectation;
  const what: Record<string, string> = {
    type: `are not ${e.type === 'integer' ? 'an integer' : `a ${e.type}`}`,
    range: `are outside [${e.min === undefined ? '-∞' : formatNumber(e.min)}, ${e.max === undefined ? '∞' : formatNumber(e.max)}]`,
    'one-of': `hold a value not allowed (${(e.one_of ?? []).slice(0, 8).map((x) => JSON.stringify(x)).join(', ')}${(e.one_of?.length ?? 0) > 8 ? ', …' : ''})`,
    pattern: `do not match /${e.pattern}/`,
    unique: 'repeat a value seen above',
  };
  for (const code of ['unique', 'type', 'range', 'one-of', 'pattern']) {
    const b = c.broken[code];
    if (!b?.count) continue;
    const examples = b.examples.map(([ref, shown]) => `${place(ref)}: ${shown}`);
    findings.push({ code: c.because ? 'model-input' : code, message: `column ${JSON.stringify(c.column)}: ${b.count} of ${n} rows ${what[code]} (${examples.join(', ')}${b.count > examples.length ? ', …' : ''})${c.because ? `, but ${c.because}` : ''}`, location: locate(b.examples[0]![0]) });
  }
  if (e.max_missing !== undefined) {
    const share = c.missing / n;
    measurements.push({ name: `${c.column} missing${c.because ? ` (${c.because})` : ''}`, value: share, threshold: { max: e.max_missing }, passed: share <= e.max_missing });
  }
  if (e.max_share !== undefined && c.counts?.length) {
    const [top, count] = c.counts.reduce((a, b) => (b[1] > a[1] ? b : a));
    const share = count / n;
    measurements.push({ name: `${c.column} most common value (${showKey(top)}) share`, value: share, threshold: { max: e.max_share }, passed: share <= e.max_share });
  }
}

/** A value's key as the most-common-value measurement shows it. */
function showKey(v: string): string {
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
}

function hasType(v: Cell, type: NonNullable<Expectation['type']>): boolean {
  switch (type) {
    case 'number':
      return parseNumber(v).ok;
    case 'integer': {
      const p = parseNumber(v);
      return p.ok && Number.isInteger(p.value);
    }
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean' || (typeof v === 'string' && /^(true|false|0|1)$/i.test(v.trim()));
    case 'date':
      return v instanceof Date || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v)));
  }
}

/** Expectations learnt from a reference dataset (infer), in one streaming pass. */
async function inferExpectations(ctx: RunContext, name: string, margin: number): Promise<{ path: string; expectations: Map<string, Expectation> }> {
  const { source } = await ctx.dataset(name);
  const acc = source.columns.map(() => ({ min: Infinity, max: -Infinity, nums: 0, missing: 0, numeric: true, values: new Set<string>() }));
  let n = 0;
  for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'cell' as const })), 8192)) {
    b.cells.forEach((col, k) => {
      const a = acc[k]!;
      for (let i = 0; i < b.n; i++) {
        const v = cellAt(col, i);
        const p = parseNumber(v);
        if (p.ok) {
          a.nums++;
          if (p.value < a.min) a.min = p.value;
          if (p.value > a.max) a.max = p.value;
        } else if (p.missing) a.missing++;
        else a.numeric = false;
        const key = labelKey(v, true);
        if (key !== undefined && a.values.size <= 50) a.values.add(key);
      }
    });
    n += b.n;
  }
  const expectations = new Map<string, Expectation>(
    source.columns.map((c, k): [string, Expectation] => {
      const a = acc[k]!;
      // the margin applies to every column, one without a missing value in the reference too
      const maxMissing = Math.min(1, a.missing / Math.max(n, 1) + margin);
      if (a.numeric && a.nums) {
        const pad = (a.max - a.min) * margin;
        return [c, { type: 'number', min: a.min - pad, max: a.max + pad, max_missing: maxMissing }];
      }
      return [c, a.values.size <= 50 ? { one_of: [...a.values].sort(), max_missing: maxMissing } : { max_missing: maxMissing }];
    }),
  );
  return { path: source.path, expectations };
}

/** The hash of each row's key columns of a dataset, added to a set as the rows stream by. */
async function addRowHashes(source: DatasetSource, key: string[], into: HashSet): Promise<void> {
  for (const c of key) columnIndex(source, c, 'data check key');
  const all = key.map((_, k) => k);
  for await (const b of source.batches(key.map((c) => ({ index: source.columns.indexOf(c), as: 'number' as const })), 8192, { reuse: true })) {
    for (let i = 0; i < b.n; i++) into.add(hashRow(b.cells, all, i));
  }
}

/**
 * A 53-bit hash of row i's key columns (two 32-bit FNV-1a variants): rows are compared by hash, so
 * two datasets of a million rows are compared in bounded memory, without keeping their rows. Two
 * different rows sharing a hash is a chance of about n·m / 2^53 (≈ 10^-4 for a million against a million).
 */
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

function hashRow(cells: Column[], columns: number[], i: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x5bd1e995;
  const mix = (code: number) => {
    h1 = Math.imul(h1 ^ code, 0x01000193);
    h2 = Math.imul(h2 ^ code, 0x5bd1e995);
  };
  for (const k of columns) {
    const col = cells[k]!;
    // a canonical value, whatever the source wrote: a number ("0", 0, "0.0", a quoted "0" or a
    // Parquet int) hashes as its 64 bits, a missing value as one tag, anything else as its text
    let number: number | undefined;
    let text: string | undefined;
    if (isNumberColumn(col) && !col.other.has(i)) number = col.numbers[i]!;
    else {
      const cell = cellAt(col, i);
      const parsed = parseNumber(cell);
      if (parsed.ok) number = parsed.value;
      else if (!parsed.missing) text = cell instanceof Date ? cell.toISOString() : String(cell);
    }
    if (number !== undefined) {
      bits[0] = number === 0 ? 0 : number;
      mix(0x4e);
      mix(words[0]!);
      mix(words[1]!);
    } else if (text !== undefined) {
      mix(0x54);
      for (let c = 0; c < text.length; c++) mix(text.charCodeAt(c));
    } else mix(0x4d);
    mix(0x1f);
  }
  return (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1fffff);
}
