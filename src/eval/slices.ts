import { percentile, wilsonInterval } from './bootstrap.js';
import { chi2Sf, benjaminiHochberg } from './drift/stats.js';
import { resample, type MetricData, type MetricDef, type MetricParams } from './metrics/index.js';
import type { KeptColumn } from './predict.js';

/** A way of cutting the rows: a level per row (-1: in no slice) and the levels' names. */
export interface Levels {
  column: string;
  codes: Int32Array;
  names: string[];
}

/** One slice: the rows of a level (or of a pair of levels). */
export interface Slice {
  column: string;
  value: string;
  rows: Int32Array;
}

/** The rows of each group, as typed arrays: counted, then placed (no array or number per row). */
export function groupRows(group: Int32Array, groups: number): Int32Array[] {
  const counts = new Int32Array(groups);
  for (let i = 0; i < group.length; i++) if (group[i]! >= 0) counts[group[i]!]!++;
  const rows = Array.from(counts, (c) => new Int32Array(c));
  const filled = new Int32Array(groups);
  for (let i = 0; i < group.length; i++) if (group[i]! >= 0) rows[group[i]!]![filled[group[i]!]!++] = i;
  return rows;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A category column's values as levels, in code-unit order, missing values last as "(missing)". */
export function categoryLevels(column: string, kept: KeptColumn): Levels {
  const names = [...kept.values!].sort(byName);
  const to = new Int32Array(kept.values!.length);
  kept.values!.forEach((v, k) => (to[k] = names.indexOf(v)));
  const missing = names.length;
  // a loop, not Int32Array.from with a function: that goes through the iterator protocol a row at a time
  const codes = new Int32Array(kept.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = kept.codes[i]!;
    codes[i] = c < 0 ? missing : to[c]!;
  }
  return { column, codes, names: [...names, '(missing)'] };
}

/** A numeric column cut at edges: < e0, e0–e1, …, ≥ e_last, and "(missing or not a number)" last. */
export function binLevels(column: string, kept: KeptColumn, edges: number[]): Levels {
  const names = [`< ${edges[0]}`, ...edges.slice(1).map((e, i) => `${edges[i]}–${e}`), `≥ ${edges[edges.length - 1]}`, '(missing or not a number)'];
  const codes = new Int32Array(kept.numbers.length);
  for (let i = 0; i < codes.length; i++) {
    const v = kept.numbers[i]!;
    let b = 0;
    if (Number.isNaN(v)) b = names.length - 1;
    else while (b < edges.length && v >= edges[b]!) b++;
    codes[i] = b;
  }
  return { column, codes, names };
}

/**
 * The levels the search cuts a column into: a numeric column (every value present a number) at its
 * quartiles (numpy.quantile's edges, repeated edges dropped), a text column by value; undefined for
 * a text column with more than `maxCategories` values.
 */
export function searchLevels(column: string, kept: KeptColumn, maxCategories: number): Levels | undefined {
  let numeric = true;
  for (let i = 0; i < kept.codes.length && numeric; i++) if (kept.codes[i]! >= 0 && Number.isNaN(kept.numbers[i]!)) numeric = false;
  if (numeric) {
    const sorted = kept.numbers.filter((v) => !Number.isNaN(v)).sort();
    if (!sorted.length) return undefined;
    const edges = [...new Set([0.25, 0.5, 0.75].map((q) => percentile(sorted as unknown as number[], q)))];
    return binLevels(column, kept, edges);
  }
  if (!kept.values || kept.values.length > maxCategories) return undefined;
  return categoryLevels(column, kept);
}

/** Every combination of two cuts' levels: "a × b", valued "x × y". */
export function crossLevels(a: Levels, b: Levels): Levels {
  const B = b.names.length;
  return {
    column: `${a.column} × ${b.column}`,
    codes: Int32Array.from(a.codes, (c, i) => c * B + b.codes[i]!),
    names: a.names.flatMap((x) => b.names.map((y) => `${x} × ${y}`)),
  };
}

/** The non-empty slices of a cut, in the order of its levels. */
export function slicesOf(levels: Levels): Slice[] {
  const rows = groupRows(levels.codes, levels.names.length);
  return levels.names.flatMap((value, g) => (rows[g]!.length ? [{ column: levels.column, value, rows: rows[g]! }] : []));
}

export interface Tested {
  slice: Slice;
  value: number;
  ci: [number, number] | null;
  /** one-sided: the chance of a gap this bad to the rest of the rows if the slice were no worse */
  p: number;
  pAdjusted: number;
}

/**
 * Weak slices among many: each slice of at least `minRows` rows, a proportion k/m (the metric's
 * denominator), against the rest of the rows by a one-sided two-proportion z-test (pooled), with
 * Wilson's interval of the slice's value; the p-values adjusted together by Benjamini-Hochberg, so
 * that testing hundreds of slices does not turn noise into findings.
 */
export function testSlices(data: MetricData, def: MetricDef, params: MetricParams, slices: Slice[], minRows: number, confidence: number): Tested[] {
  const all = proportion(data, def, params);
  const tested = slices
    .filter((s) => s.rows.length >= minRows)
    .flatMap((slice) => {
      const part = proportion(resample(data, slice.rows), def, params);
      if (!part || !all || part.m === 0 || all.m - part.m === 0) return [];
      const [k, m] = [part.k, part.m];
      const [kr, mr] = [all.k - k, all.m - m];
      const pooled = (k + kr) / (m + mr);
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / m + 1 / mr));
      const z = se > 0 ? (k / m - kr / mr) / se : 0;
      // the bad side: below the rest when higher is better
      const zBad = def.higherIsBetter ? z : -z;
      const tail = chi2Sf(z * z, 1) / 2;
      const p = se === 0 ? 1 : zBad < 0 ? tail : 1 - tail;
      return [{ slice, value: k / m, ci: wilsonInterval(k, m, confidence), p, pAdjusted: 1 }];
    });
  const adjusted = benjaminiHochberg(tested.map((t) => t.p));
  tested.forEach((t, i) => (t.pAdjusted = adjusted[i]!));
  return tested;
}

function proportion(d: MetricData, def: MetricDef, params: MetricParams): { k: number; m: number } | undefined {
  const m = def.denominator?.(d, params);
  if (m === undefined) return undefined;
  const v = def.compute(d, params);
  return { k: v === null ? 0 : Math.round(v * m), m };
}
