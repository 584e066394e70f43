// What the leakage check reads of a dataset, as counts a shard can write and a merge can add up.
import { z } from 'zod';
import { labelKey, parseNumber } from '../eval/cells.js';
import { cellAt, type DatasetSource } from '../eval/datasets/types.js';
import type { Part } from '../eval/datasets/part.js';
import { distributionOf, mergeDistributions, type Distribution } from '../eval/drift/distribution.js';
import { Growable, joined } from '../eval/predict.js';
import { b64, bytesOf, typed } from '../eval/wire.js';
import { InputError } from '../input/errors.js';
import { once } from '../input/once.js';

/** A category column with more distinct values than this is not measured (a share of positives per value would fit the noise). */
export const MAX_CATEGORIES = 50;


export interface LeakageColumn {
  /** a value that is not a number was seen: the column is a category column */
  text: boolean;
  /** per category, per class key: rows; undefined past MAX_CATEGORIES */
  categories: Map<string, Map<string, number>> | undefined;
  /** classification: per class key, the column's values, distinct and counted (a missing value as -Infinity: missingness can leak too) */
  values: Map<string, Distribution>;
  /** regression, a shard's part: each row's value (NaN where it is not a number), in the rows' order */
  x?: Float64Array;
  /** regression, the whole file: the co-moments of (value, label) */
  moments?: Moments;
}

/**
 * A dataset as the leakage check reads it: its rows, the label's classes in the order the file
 * first shows them (`first`: the first row's place), and per column the values per class; for
 * regression each column's co-moments with the label — in a shard's read, each row's place, label
 * and values instead (the moments are taken in the file's order, so the merge takes them there and
 * gives the very same numbers).
 */
export interface LeakageRead {
  path: string;
  /** the file's rows (a shard reads a part of them) */
  total: number;
  rows: number;
  classes: { key: string; first: number }[];
  refs?: Int32Array;
  y?: Float64Array;
  columns: Map<string, LeakageColumn>;
}

/** Welford's co-moments of (value, label) over the rows with a value. */
export interface Moments {
  n: number;
  mx: number;
  my: number;
  cxy: number;
  m2x: number;
  m2y: number;
}

/** One row into the co-moments (a NaN value, not a number, is left out). Rows must come in the file's order: the sums depend on it. */
function addMoment(m: Moments, v: number, y: number): void {
  if (Number.isNaN(v)) return;
  m.n++;
  const dx = v - m.mx;
  m.mx += dx / m.n;
  const dy = y - m.my;
  m.my += dy / m.n;
  m.cxy += dx * (y - m.my);
  m.m2x += dx * (v - m.mx);
  m.m2y += dy * (y - m.my);
}

const noMoments = (): Moments => ({ n: 0, mx: 0, my: 0, cxy: 0, m2x: 0, m2y: 0 });

/**
 * One pass over a dataset (a shard's part of it). Regression: over the whole file the co-moments
 * are taken as the rows stream by; a shard keeps its rows' places, labels and values instead, for
 * the merge to take them in the file's order.: the label and every column measured, kept per class. */
export async function readLeakage(source: DatasetSource, label: string, columns: string[], regression: boolean, part: Part | undefined, total: () => number): Promise<LeakageRead> {
  const labelAt = source.columns.indexOf(label);
  const want = [labelAt, ...columns.map((c) => source.columns.indexOf(c))].map((index) => ({ index, as: 'cell' as const }));
  const classes = new Map<string, { code: number; first: number }>();
  const values = columns.map(() => [] as Growable<Float64Array>[]);
  const categories: (Map<string, number[]> | undefined)[] = columns.map(() => new Map());
  const text = columns.map(() => false);
  const refs = new Growable(Int32Array);
  const y = new Growable(Float64Array);
  const x = columns.map(() => new Growable(Float64Array));
  const moments = columns.map(noMoments);
  const rowsKept = regression && part !== undefined;
  let rows = 0;
  for await (const b of source.batches(want, 8192, { reuse: true, ...(part ? { part } : {}) })) {
    for (let i = 0; i < b.n; i++) {
      const cell = cellAt(b.cells[0]!, i);
      let cls = 0;
      let yValue = 0;
      if (regression) {
        const v = parseNumber(cell);
        if (!v.ok) throw new InputError(source.path, `${b.unit} ${b.refs[i]}: label column "${label}": ${v.missing ? 'missing value' : v.reason}`);
        yValue = v.value;
        if (rowsKept) {
          refs.push(b.refs[i]!);
          y.push(yValue);
        }
      } else {
        const key = labelKey(cell, true);
        if (key === undefined) throw new InputError(source.path, `${b.unit} ${b.refs[i]}: label column "${label}" is empty`);
        let c = classes.get(key);
        if (c === undefined) classes.set(key, (c = { code: classes.size, first: b.refs[i]! }));
        cls = c.code;
      }
      for (let k = 0; k < columns.length; k++) {
        const cellK = cellAt(b.cells[k + 1]!, i);
        const v = parseNumber(cellK);
        if (!v.ok && !v.missing) text[k] = true;
        if (regression) {
          if (rowsKept) x[k]!.push(v.ok ? v.value : NaN);
          else addMoment(moments[k]!, v.ok ? v.value : NaN, yValue);
          continue;
        }
        const perClass = values[k]!;
        while (perClass.length <= cls) perClass.push(new Growable(Float64Array));
        perClass[cls]!.push(v.ok ? v.value : -Infinity);
        const cats = categories[k];
        if (!cats) continue;
        const key = labelKey(cellK, true) ?? '(missing)';
        let counts = cats.get(key);
        if (!counts) {
          if (cats.size >= MAX_CATEGORIES) {
            categories[k] = undefined;
            continue;
          }
          cats.set(key, (counts = []));
        }
        counts[cls] = (counts[cls] ?? 0) + 1;
      }
      rows++;
    }
  }
  const keys = [...classes.keys()];
  return {
    path: source.path,
    total: total(),
    rows,
    classes: [...classes].map(([key, c]) => ({ key, first: c.first })),
    ...(rowsKept ? { refs: refs.done(), y: y.done() } : {}),
    columns: new Map(
      columns.map((name, k): [string, LeakageColumn] => [
        name,
        {
          text: text[k]!,
          categories: categories[k] && new Map([...categories[k]!].map(([cat, counts]) => [cat, new Map(counts.flatMap((n, c) => (n ? [[keys[c]!, n] as [string, number]] : [])))])),
          values: new Map(values[k]!.map((g, c) => [keys[c]!, distributionOf(g.done())])),
          ...(rowsKept ? { x: x[k]!.done() } : regression ? { moments: moments[k]! } : {}),
        },
      ]),
    ),
  };
}

/** The shards' reads of one dataset as the one read of the whole file. */
export function mergeLeakage(parts: LeakageRead[]): LeakageRead {
  const head = parts[0]!;
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  if (rows !== head.total) throw new Error(`the shards read ${rows} rows, but ${head.path} has ${head.total}`);
  const first = new Map<string, number>();
  for (const p of parts) for (const c of p.classes) first.set(c.key, Math.min(first.get(c.key) ?? Infinity, c.first));
  const classes = [...first].map(([key, f]) => ({ key, first: f })).sort((a, b) => a.first - b.first);
  const regression = head.refs !== undefined;
  // regression: every shard's rows back in the file's order
  const refs = regression ? joined(parts.map((p) => p.refs!), Int32Array) : new Int32Array(0);
  const order = Int32Array.from({ length: refs.length }, (_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
  const gather = (arrays: Float64Array[]) => {
    const all = joined(arrays, Float64Array);
    return Float64Array.from(order, (i) => all[i]!);
  };
  const y = regression ? gather(parts.map((p) => p.y!)) : undefined;
  const momentsOf = (x: Float64Array) => {
    const m = noMoments();
    for (let i = 0; i < x.length; i++) addMoment(m, x[i]!, y![i]!);
    return m;
  };
  return {
    path: head.path,
    total: head.total,
    rows,
    classes,

    columns: new Map(
      [...head.columns.keys()].map((name): [string, LeakageColumn] => {
        const cols = parts.map((p) => p.columns.get(name)!);
        return [
          name,
          {
            text: cols.some((c) => c.text),
            categories: mergeCategories(cols.map((c) => c.categories)),
            values: new Map(classes.map(({ key }) => [key, mergeDistributions(cols.flatMap((c) => (c.values.has(key) ? [c.values.get(key)!] : [])))])),
            ...(regression ? { moments: momentsOf(gather(cols.map((c) => c.x!))) } : {}),
          },
        ];
      }),
    ),
  };
}

function mergeCategories(parts: (Map<string, Map<string, number>> | undefined)[]): Map<string, Map<string, number>> | undefined {
  const out = new Map<string, Map<string, number>>();
  for (const p of parts) {
    if (!p) return undefined;
    for (const [cat, counts] of p) {
      let to = out.get(cat);
      if (!to) out.set(cat, (to = new Map()));
      for (const [cls, n] of counts) to.set(cls, (to.get(cls) ?? 0) + n);
    }
  }
  return out.size > MAX_CATEGORIES ? undefined : out;
}

const wireRead = once(() =>
  z.strictObject({
    path: z.string(),
    total: z.number().int().min(0),
    rows: z.number().int().min(0),
    classes: z.array(z.tuple([z.string(), z.number().int()])),
    refs: b64().optional(),
    y: b64().optional(),
    columns: z.array(
      z.tuple([
        z.string(),
        z.strictObject({
          text: z.boolean(),
          categories: z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), z.number().int().min(1)]))])).nullable(),
          values: z.array(z.tuple([z.string(), b64(), b64()])),
          x: b64().optional(),
        }),
      ]),
    ),
  }),
);

export type WireLeakage = z.output<ReturnType<typeof wireRead>>;

export function wireOfLeakage(r: LeakageRead): WireLeakage {
  return {
    path: r.path,
    total: r.total,
    rows: r.rows,
    classes: r.classes.map((c) => [c.key, c.first]),
    ...(r.refs ? { refs: bytesOf(r.refs), y: bytesOf(r.y!) } : {}),
    columns: [...r.columns].map(([name, c]) => [
      name,
      {
        text: c.text,
        categories: c.categories ? [...c.categories].map(([cat, counts]) => [cat, [...counts]]) : null,
        values: [...c.values].map(([cls, d]) => [cls, bytesOf(d.values), bytesOf(d.counts)]),
        ...(c.x ? { x: bytesOf(c.x) } : {}),
      },
    ]),
  };
}

/** A shard's read from its state, checked: counts that add up to its rows, values in order, arrays of its rows' length. */
export function leakageOfWire(value: unknown, bad: (what: string) => never): LeakageRead {
  const parsed = wireRead().safeParse(value);
  if (!parsed.success) bad(`${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const w = parsed.data!;
  const refs = w.refs === undefined ? undefined : typed(w.refs, Int32Array, 'refs', bad);
  const y = w.y === undefined ? undefined : typed(w.y, Float64Array, 'y', bad);
  if (refs && y?.length !== w.rows) bad(`refs and y: not one per row of the ${w.rows} read`);
  const columns = new Map<string, LeakageColumn>();
  for (const [name, c] of w.columns) {
    const values = new Map<string, Distribution>();
    let counted = 0;
    for (const [cls, v, n] of c.values) {
      const counts = typed(n, Float64Array, `${name}.counts`, bad);
      const d = { values: typed(v, Float64Array, `${name}.values`, bad), counts, n: counts.reduce((s, k) => s + k, 0) };
      if (d.values.length !== d.counts.length || d.values.some((x, i) => i > 0 && !(x > d.values[i - 1]!)) || d.counts.some((k) => !(Number.isInteger(k) && k > 0))) bad(`${name}: the values of class ${JSON.stringify(cls)} are not distinct ascending values with their counts`);
      counted += d.n;
      values.set(cls, d);
    }
    const x = c.x === undefined ? undefined : typed(c.x, Float64Array, `${name}.x`, bad);
    if (refs ? x?.length !== w.rows : counted !== w.rows) bad(`${name}: the values do not add up to the ${w.rows} rows read`);
    columns.set(name, { text: c.text, categories: c.categories ? new Map(c.categories.map(([cat, counts]) => [cat, new Map(counts)])) : undefined, values, ...(x ? { x } : {}) });
  }
  return { path: w.path, total: w.total, rows: w.rows, classes: w.classes.map(([key, first]) => ({ key, first })), ...(refs ? { refs, y: y! } : {}), columns };
}
