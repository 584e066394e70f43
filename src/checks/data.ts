import { z } from 'zod';
import { labelKey, MISSING_WORDS, parseNumber } from '../eval/cells.js';
import { cellAt, isNumberColumn, type Cell, type Column, type DatasetSource, type RawBatch } from '../eval/datasets/types.js';
import type { RunContext } from './context.js';
import { InputError } from '../input/errors.js';
import type { Finding, Measurement } from '../report/types.js';
import { scalar } from '../spec/fields.js';
import type { DatasetSpec } from '../spec/model.js';
import { defineCheck, type OptionProblem } from './define.js';
import { formatNumber } from '../report/format-value.js';
import { inputColumns } from '../eval/predict.js';
import { linearRegExp } from '../input/linear-regexp.js';
import { HashSet } from '../eval/hash-set.js';
import { columnIndex } from '../eval/datasets/index.js';

const expectation = z.strictObject({
  type: z.enum(['number', 'integer', 'string', 'boolean', 'date']).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  one_of: z.array(scalar()).min(1).optional(),
  max_missing: z.number().min(0).max(1).optional().describe('Largest acceptable share of missing values'),
  unique: z.boolean().optional(),
  pattern: z.string().min(1).optional().describe('A regular expression every string value must match'),
  max_share: z.number().gt(0).max(1).optional().describe('Largest acceptable share of the most common value'),
});
type Expectation = z.output<typeof expectation>;

const rowsKey = z.union([z.literal(true), z.array(z.string().min(1)).min(1)]);

export default defineCheck({
  type: 'data',
  title: 'Data expectations',
  runsModel: false,
  // one pass over the whole files in the merge job (cheap next to a model's; not merged from shards yet)
  shards: 'merge',
  htmlPart: 'data',
  mlTestScore: ['D1'],
  description: "The dataset holds what the model assumes: per-column types, ranges, allowed values, missing rates, uniqueness; row counts, class balance, no duplicates, no rows shared with another split.",
  options: {
    dataset: z.string().optional().describe('Dataset name (default: the only dataset, or "holdout")'),
    columns: z.record(z.string().min(1), expectation).default({}).describe('Expectations per column'),
    rows: z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() }).optional(),
    label: z.strictObject({ min_share: z.record(z.string().min(1), z.number().min(0).max(1)) }).optional().describe('Class balance of the label column'),
    no_duplicates: rowsKey.optional().describe('true (whole rows) or the key columns'),
    disjoint_from: z
      .union([z.string(), z.strictObject({ dataset: z.string(), columns: z.array(z.string().min(1)).min(1).optional() })])
      .optional()
      .describe('No row of this dataset also in that one (leakage between splits), keyed on all or the given columns'),
    infer: z.string().optional().describe('Take expectations from this dataset: observed ranges widened by margin, allowed values, missing rates'),
    margin: z.number().min(0).default(0.1).describe('infer: widen numeric ranges by this share of the range, and missing rates by this much'),
    max_examples: z.number().int().min(1).max(100).default(3).describe('Offending rows shown per finding'),
    model_inputs: z.boolean().default(false).describe("Every column the model reads holds values its input's element type accepts"),
  },
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
    const findings: Finding[] = [];
    const show = (v: Cell) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v));

    const { source, spec } = await ctx.dataset(o.dataset);
    const expectations = new Map<string, Expectation>(Object.entries(o.columns));
    if (o.infer) {
      for (const [column, e] of await inferExpectations(ctx, o.infer, o.margin)) if (!expectations.has(column) && source.columns.includes(column)) expectations.set(column, e);
    }
    for (const column of expectations.keys()) {
      if (!source.columns.includes(column)) findings.push({ code: 'column-missing', message: `column ${JSON.stringify(column)} is not in ${source.path}` });
    }
    const checked = [...expectations].filter(([c]) => source.columns.includes(c)).map(([column, e]) => new ColumnCheck(column, e, o.max_examples));
    if (o.model_inputs) checked.push(...(await modelInputChecks(ctx, source, spec, o.max_examples)));

    // rows of another dataset, as hashes only (leakage between splits)
    const other = o.disjoint_from === undefined ? undefined : typeof o.disjoint_from === 'string' ? { dataset: o.disjoint_from, columns: undefined } : o.disjoint_from;
    let theirs: HashSet | undefined;
    let leakKey: string[] = [];
    if (other) {
      const them = await ctx.dataset(other.dataset);
      leakKey = other.columns ?? source.columns.filter((c) => them.source.columns.includes(c));
      theirs = new HashSet();
      await addRowHashes(them.source, leakKey, theirs);
    }
    const dupKey = o.no_duplicates === undefined ? undefined : o.no_duplicates === true ? source.columns : o.no_duplicates;
    const seenRows = new HashSet();
    const duplicates = new RowMatches(o.max_examples);
    const shared = new RowMatches(o.max_examples);
    const labelCounts = new Map<string, number>();
    let n = 0;

    const wanted = [...new Set([...checked.map((c) => c.column), ...(dupKey ?? []), ...leakKey, ...(o.label && spec.label ? [spec.label] : [])])];
    for (const c of wanted) columnIndex(source, c, 'data check');
    const index = new Map(wanted.map((c, k) => [c, k]));
    // columns only checked as numbers are read as numbers (parsed from the bytes, no strings made)
    // key columns are hashed from numbers where they are numbers, as the other dataset's are
    const asNumber = new Set([...checked.filter((c) => c.numeric && c.column !== spec.label).map((c) => c.column), ...(dupKey ?? []), ...leakKey]);
    for await (const b of source.batches(wanted.map((c) => ({ index: source.columns.indexOf(c), as: asNumber.has(c) ? ('number' as const) : ('cell' as const) })), 8192, { reuse: true })) {
      // column by column: a batch of plain numbers is checked in one tight loop
      for (const check of checked) check.addBatch(b.cells[index.get(check.column)!]!, b.n, b.unit, b.refs);
      for (let i = 0; i < b.n; i++) {
        if (dupKey) {
          const h = hashRow(b.cells, dupKey.map((c) => index.get(c)!), i);
          if (seenRows.has(h)) duplicates.add(b, i);
          else seenRows.add(h);
        }
        if (theirs && theirs.has(hashRow(b.cells, leakKey.map((c) => index.get(c)!), i))) shared.add(b, i);
        if (o.label && spec.label) {
          const k = labelKey(cellAt(b.cells[index.get(spec.label)!]!, i), true);
          if (k !== undefined) labelCounts.set(k, (labelCounts.get(k) ?? 0) + 1);
        }
      }
      n += b.n;
    }

    const measurements: Measurement[] = [{ name: 'rows', value: n, ...(o.rows ? { threshold: o.rows, passed: (o.rows.min === undefined || n >= o.rows.min) && (o.rows.max === undefined || n <= o.rows.max) } : {}) }];
    for (const check of checked) check.report(n, source.path, findings, measurements, show);
    if (o.label) {
      if (!spec.label) throw new InputError(ctx.checklist.file, 'data: the dataset has no label column for label.min_share');
      for (const [cls, min] of Object.entries(o.label.min_share)) {
        const share = (labelCounts.get(labelKey(cls, true)!) ?? 0) / n;
        measurements.push({ name: `share of class ${JSON.stringify(cls)}`, value: share, threshold: { min }, passed: share >= min });
      }
    }
    if (duplicates.count) {
      findings.push({ code: 'duplicates', message: `${duplicates.count} of ${n} rows repeat an earlier row${o.no_duplicates === true ? '' : ` on ${dupKey!.join(', ')}`} (${duplicates.list()})`, location: `${source.path}:${duplicates.first}` });
    }
    if (other) {
      measurements.push({ name: `rows also in ${other.dataset}`, value: shared.count, threshold: { max: 0 }, passed: shared.count === 0 });
      if (shared.count) findings.push({ code: 'leakage', message: `${shared.count} of ${n} rows also appear in ${other.dataset} (${shared.list()})`, location: `${source.path}:${shared.first}`, hint: 'rows shared between splits invalidate every metric computed on them' });
    }
    return { findings, measurements, summary: `${n} rows, ${expectations.size} column expectation${expectations.size === 1 ? '' : 's'}`, details: { dataset: ctx.datasetName(o.dataset), expectations: Object.fromEntries(expectations) } };
  },
});

/** The model's input contract: each column it reads must parse as its input's element type. */
async function modelInputChecks(ctx: RunContext, source: DatasetSource, spec: DatasetSpec, maxExamples: number): Promise<ColumnCheck[]> {
  return inputColumns(await ctx.underTest('model'), source, spec.label).map(({ column, input, type }) => {
    const e: Expectation =
      type === 'float32' || type === 'float64'
        ? { type: 'number', max_missing: spec.missing === 'nan' ? 1 : 0 }
        : type === 'string'
          ? { max_missing: 0 }
          : { type: type === 'bool' ? 'boolean' : 'integer', max_missing: 0 };
    return new ColumnCheck(column, e, maxExamples, `model input "${input}" is ${type}`);
  });
}

/** Rows that matched (a duplicate, a row of another split): how many, the first, a few examples. */
class RowMatches {
  count = 0;
  first: number | undefined;
  private readonly examples: string[] = [];
  constructor(private readonly max: number) {}
  add(b: RawBatch, i: number): void {
    if (this.examples.length < this.max) this.examples.push(`${b.unit} ${b.refs[i]}`);
    this.first ??= b.refs[i]!;
    this.count++;
  }
  list(): string {
    return `${this.examples.join(', ')}${this.count > this.examples.length ? ', …' : ''}`;
  }
}

/** One column's expectations, checked row by row: counts and a few examples, never the rows. */
class ColumnCheck {
  private readonly allowed: Set<string> | undefined;
  private readonly pattern: RegExp | undefined;
  private readonly counts = new Map<string, number>();
  private missing = 0;
  private readonly broken = new Map<string, { count: number; examples: string[]; first: number }>();

  constructor(
    readonly column: string,
    private readonly e: Expectation,
    private readonly maxExamples: number,
    /** why this expectation exists, when it is not the checklist's (the model's input contract) */
    private readonly because?: string,
  ) {
    this.allowed = e.one_of ? new Set(e.one_of.map((v) => labelKey(v as Cell, true)!)) : undefined;
    this.pattern = e.pattern ? linearRegExp(e.pattern) : undefined;
  }

  /** Reads numbers when its expectations are about numbers. */
  get numeric(): boolean {
    const e = this.e;
    return (e.type === 'number' || e.type === 'integer' || e.min !== undefined || e.max !== undefined) && !e.one_of && !e.pattern && !e.unique && e.max_share === undefined;
  }

  addBatch(col: Column, n: number, unit: string, refs: ArrayLike<number>): void {
    const e = this.e;
    if (this.numeric && isNumberColumn(col) && col.other.size === 0) {
      const nums = col.numbers;
      const integer = e.type === 'integer';
      const lo = e.min ?? -Infinity;
      const hi = e.max ?? Infinity;
      for (let i = 0; i < n; i++) {
        const v = nums[i]!;
        if (v < lo || v > hi || (integer && !Number.isInteger(v))) this.add(v, unit, refs[i]!);
      }
      return;
    }
    for (let i = 0; i < n; i++) this.add(cellAt(col, i), unit, refs[i]!);
  }

  add(v: Cell, unit: string, ref: number): void {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && MISSING_WORDS.has(v.trim()))) {
      this.missing++;
      return;
    }
    const e = this.e;
    const fail = (code: string) => {
      let b = this.broken.get(code);
      if (!b) this.broken.set(code, (b = { count: 0, examples: [], first: ref }));
      b.count++;
      if (b.examples.length < this.maxExamples) b.examples.push(`${unit} ${ref}: ${typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v)}`);
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
      this.counts.set(key, seen + 1);
    }
  }

  report(n: number, path: string, findings: Finding[], measurements: Measurement[], show: (v: Cell) => string): void {
    const e = this.e;
    const what: Record<string, string> = {
      type: `are not ${e.type === 'integer' ? 'an integer' : `a ${e.type}`}`,
      range: `are outside [${e.min === undefined ? '-∞' : formatNumber(e.min)}, ${e.max === undefined ? '∞' : formatNumber(e.max)}]`,
      'one-of': `hold a value not allowed (${(e.one_of ?? []).slice(0, 8).map((x) => JSON.stringify(x)).join(', ')}${(e.one_of?.length ?? 0) > 8 ? ', …' : ''})`,
      pattern: `do not match /${e.pattern}/`,
      unique: 'repeat a value seen above',
    };
    for (const code of ['unique', 'type', 'range', 'one-of', 'pattern']) {
      const b = this.broken.get(code);
      if (!b) continue;
      findings.push({ code: this.because ? 'model-input' : code, message: `column ${JSON.stringify(this.column)}: ${b.count} of ${n} rows ${what[code]} (${b.examples.join(', ')}${b.count > b.examples.length ? ', …' : ''})${this.because ? `, but ${this.because}` : ''}`, location: `${path}:${b.first}` });
    }
    if (e.max_missing !== undefined) {
      const share = this.missing / n;
      measurements.push({ name: `${this.column} missing${this.because ? ` (${this.because})` : ''}`, value: share, threshold: { max: e.max_missing }, passed: share <= e.max_missing });
    }
    if (e.max_share !== undefined && this.counts.size) {
      const [top, count] = [...this.counts].reduce((a, b) => (b[1] > a[1] ? b : a));
      const share = count / n;
      measurements.push({ name: `${this.column} most common value (${show(top)}) share`, value: share, threshold: { max: e.max_share }, passed: share <= e.max_share });
    }
  }
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
async function inferExpectations(ctx: RunContext, name: string, margin: number): Promise<Map<string, Expectation>> {
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
  return new Map<string, Expectation>(
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
