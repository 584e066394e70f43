import { z } from 'zod';
import { labelKey, MISSING_WORDS, parseNumber } from '../eval/cells.js';
import { cellAt, type Cell } from '../eval/datasets/types.js';
import type { RunContext } from '../context.js';
import { InputError } from '../errors.js';
import type { Finding, Measurement } from '../report/types.js';
import { scalar } from '../checklist/fields.js';
import { defineCheck, type OptionProblem } from './define.js';
import { formatNumber } from '../report/format-value.js';

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
  },
  needs: (o) => [
    { dataset: o.dataset, models: [] },
    ...(o.infer ? [{ dataset: o.infer, models: [] }] : []),
    ...(o.disjoint_from ? [{ dataset: typeof o.disjoint_from === 'string' ? o.disjoint_from : o.disjoint_from.dataset, models: [] }] : []),
  ],
  validate: (o) => {
    const problems: OptionProblem[] = [];
    for (const [col, e] of Object.entries(o.columns)) {
      if (e.pattern !== undefined) {
        try {
          new RegExp(e.pattern, 'u');
        } catch (err) {
          problems.push({ option: 'columns', message: `${col}.pattern is not a valid regular expression: ${(err as Error).message}` });
        }
      }
    }
    if (!Object.keys(o.columns).length && !o.rows && !o.label && !o.no_duplicates && !o.disjoint_from && !o.infer) {
      problems.push({ option: 'columns', message: 'a data check needs at least one expectation' });
    }
    return problems;
  },
  async run(o, ctx) {
    const data = await readAll(ctx, o.dataset);
    const findings: Finding[] = [];
    const measurements: Measurement[] = [{ name: 'rows', value: data.rows, ...(o.rows ? { threshold: o.rows, passed: (o.rows.min === undefined || data.rows >= o.rows.min) && (o.rows.max === undefined || data.rows <= o.rows.max) } : {}) }];
    const show = (v: Cell) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v));
    const report = (code: string, column: string, what: string, bad: number[], values: Cell[], hint?: string) => {
      if (!bad.length) return;
      const examples = bad.slice(0, o.max_examples).map((i) => `${data.unit} ${data.refs[i]}: ${show(values[i])}`).join(', ');
      findings.push({ code, message: `column ${JSON.stringify(column)}: ${bad.length} of ${data.rows} rows ${what} (${examples}${bad.length > o.max_examples ? ', …' : ''})`, location: `${data.path}:${data.refs[bad[0]!]}`, ...(hint ? { hint } : {}) });
    };

    const expectations = new Map<string, Expectation>(Object.entries(o.columns));
    if (o.infer) {
      const ref = await readAll(ctx, o.infer);
      for (const [column, cells] of ref.columns) if (!expectations.has(column) && data.columns.has(column)) expectations.set(column, inferExpectation(cells, o.margin));
    }

    for (const [column, e] of expectations) {
      const values = data.columns.get(column);
      if (!values) {
        findings.push({ code: 'column-missing', message: `column ${JSON.stringify(column)} is not in ${data.path}` });
        continue;
      }
      const missing: number[] = [];
      const wrongType: number[] = [];
      const outOfRange: number[] = [];
      const notAllowed: number[] = [];
      const noMatch: number[] = [];
      const allowed = e.one_of ? new Set(e.one_of.map((v) => labelKey(v as Cell, true))) : undefined;
      const pattern = e.pattern ? new RegExp(e.pattern, 'u') : undefined;
      const counts = new Map<string, number>();
      const duplicates: number[] = [];
      values.forEach((v, i) => {
        const key = labelKey(v, true);
        if (key === undefined || (typeof v === 'string' && MISSING_WORDS.has(v.trim()))) {
          missing.push(i);
          return;
        }
        if (e.type && !hasType(v, e.type)) wrongType.push(i);
        if (e.min !== undefined || e.max !== undefined) {
          const p = parseNumber(v);
          if (!p.ok || (e.min !== undefined && p.value < e.min) || (e.max !== undefined && p.value > e.max)) outOfRange.push(i);
        }
        if (allowed && !allowed.has(key)) notAllowed.push(i);
        if (pattern && !pattern.test(String(v))) noMatch.push(i);
        const seen = counts.get(key) ?? 0;
        if (e.unique && seen > 0) duplicates.push(i);
        counts.set(key, seen + 1);
      });
      report('type', column, `are not ${e.type === 'integer' ? 'an integer' : `a ${e.type}`}`, wrongType, values);
      report('range', column, `are outside [${e.min === undefined ? '-∞' : formatNumber(e.min)}, ${e.max === undefined ? '∞' : formatNumber(e.max)}]`, outOfRange, values);
      report('one-of', column, `hold a value not allowed (${(e.one_of ?? []).slice(0, 8).map((x) => JSON.stringify(x)).join(', ')}${(e.one_of?.length ?? 0) > 8 ? ', …' : ''})`, notAllowed, values);
      report('pattern', column, `do not match /${e.pattern}/`, noMatch, values);
      report('unique', column, 'repeat a value seen above', duplicates, values);
      if (e.max_missing !== undefined) {
        const share = missing.length / data.rows;
        measurements.push({ name: `${column} missing`, value: share, threshold: { max: e.max_missing }, passed: share <= e.max_missing });
      }
      if (e.max_share !== undefined && counts.size) {
        const [top, n] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
        const share = n / data.rows;
        measurements.push({ name: `${column} most common value (${show(top)}) share`, value: share, threshold: { max: e.max_share }, passed: share <= e.max_share });
      }
    }

    if (o.label) {
      if (!data.label) throw new InputError(ctx.checklist.file, `data: the dataset has no label column for label.min_share`);
      const labels = data.columns.get(data.label)!;
      const counts = new Map<string, number>();
      for (const v of labels) {
        const k = labelKey(v, true);
        if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (const [cls, min] of Object.entries(o.label.min_share)) {
        const share = (counts.get(labelKey(cls, true)!) ?? 0) / data.rows;
        measurements.push({ name: `share of class ${JSON.stringify(cls)}`, value: share, threshold: { min }, passed: share >= min });
      }
    }

    if (o.no_duplicates) {
      const keyCols = o.no_duplicates === true ? data.names : o.no_duplicates;
      const seen = new Set<number>();
      const dup: number[] = [];
      const hashes = rowHashes(data, keyCols);
      hashes.forEach((h, i) => (seen.has(h) ? dup.push(i) : seen.add(h)));
      if (dup.length) findings.push({ code: 'duplicates', message: `${dup.length} of ${data.rows} rows repeat an earlier row${o.no_duplicates === true ? '' : ` on ${keyCols.join(', ')}`} (${dup.slice(0, o.max_examples).map((i) => `${data.unit} ${data.refs[i]}`).join(', ')})`, location: `${data.path}:${data.refs[dup[0]!]}` });
    }

    if (o.disjoint_from) {
      const other = typeof o.disjoint_from === 'string' ? { dataset: o.disjoint_from, columns: undefined } : o.disjoint_from;
      const them = await readAll(ctx, other.dataset);
      const keyCols = other.columns ?? data.names.filter((c) => them.names.includes(c));
      const theirs = new Set(rowHashes(them, keyCols));
      const shared: number[] = [];
      rowHashes(data, keyCols).forEach((h, i) => theirs.has(h) && shared.push(i));
      measurements.push({ name: `rows also in ${other.dataset}`, value: shared.length, threshold: { max: 0 }, passed: shared.length === 0 });
      if (shared.length) findings.push({ code: 'leakage', message: `${shared.length} of ${data.rows} rows also appear in ${other.dataset} (${shared.slice(0, o.max_examples).map((i) => `${data.unit} ${data.refs[i]}`).join(', ')})`, location: `${data.path}:${data.refs[shared[0]!]}`, hint: 'rows shared between splits invalidate every metric computed on them' });
    }
    return { findings, measurements, summary: `${data.rows} rows, ${expectations.size} column expectation${expectations.size === 1 ? '' : 's'}`, details: { dataset: ctx.datasetName(o.dataset), expectations: Object.fromEntries(expectations) } };
  },
});

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

/** Expectations learnt from a reference dataset (infer). */
function inferExpectation(cells: Cell[], margin: number): Expectation {
  const nums: number[] = [];
  let missing = 0;
  let numeric = true;
  const values = new Set<string>();
  for (const v of cells) {
    const p = parseNumber(v);
    if (p.ok) nums.push(p.value);
    else if (p.missing) missing++;
    else numeric = false;
    const k = labelKey(v, true);
    if (k !== undefined && values.size <= 50) values.add(k);
  }
  const maxMissing = Math.min(1, missing / Math.max(cells.length, 1) + (missing ? margin : 0));
  if (numeric && nums.length) {
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const pad = (max - min) * margin;
    return { type: 'number', min: min - pad, max: max + pad, max_missing: maxMissing };
  }
  return values.size <= 50 ? { one_of: [...values].sort(), max_missing: maxMissing } : { max_missing: maxMissing };
}

interface Table {
  path: string;
  names: string[];
  label: string | undefined;
  columns: Map<string, Cell[]>;
  rows: number;
  unit: 'line' | 'row';
  refs: number[];
}

async function readAll(ctx: RunContext, name: string | undefined): Promise<Table> {
  const { source, spec } = await ctx.dataset(name);
  const arrays = source.columns.map(() => [] as Cell[]);
  const refs: number[] = [];
  let unit: 'line' | 'row' = 'line';
  for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'cell' as const })), 8192)) {
    unit = b.unit;
    b.cells.forEach((col, k) => {
      for (let i = 0; i < b.n; i++) arrays[k]!.push(cellAt(col, i));
    });
    for (let i = 0; i < b.n; i++) refs.push(b.refs[i]!);
  }
  return { path: source.path, names: source.columns, label: spec.label, columns: new Map(source.columns.map((c, k) => [c, arrays[k]!])), rows: refs.length, unit, refs };
}

/**
 * A 53-bit hash of each row's key columns (two 32-bit FNV-1a halves): rows are compared by hash,
 * so two datasets of a million rows are compared without keeping their rows twice. Two different
 * rows sharing a hash is a chance of about n² / 2^54 (≈ 6·10^-5 for a million rows against a million).
 */
function rowHashes(t: Table, columns: string[]): number[] {
  const cols = columns.map((c) => {
    const col = t.columns.get(c);
    if (!col) throw new InputError(t.path, `has no column "${c}" (data check key)`);
    return col;
  });
  const out = new Array<number>(t.rows);
  for (let i = 0; i < t.rows; i++) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ 0x5bd1e995;
    for (const col of cols) {
      const s = `${labelKey(col[i], true) ?? '\u0000'}\u0001`;
      for (let k = 0; k < s.length; k++) {
        const c = s.charCodeAt(k);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      }
    }
    out[i] = (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1fffff);
  }
  return out;
}
