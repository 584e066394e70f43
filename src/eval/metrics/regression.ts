import type { MaybeNumber } from './classification.js';
import { exactSum } from './exact-sum.js';
import { expand } from '../bootstrap.js';

/**
 * Regression metrics as scikit-learn defines them; undefined (null) where the definition divides by
 * zero. Every sum is exact, rounded once (ExactSum): the same rows in any order, the same value.
 */
export function mae(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  return mean(y.length, (i) => Math.abs(y[i]! - p[i]!));
}

export function mse(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  return mean(y.length, (i) => (y[i]! - p[i]!) ** 2);
}

export function rmse(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  const m = mse(y, p);
  return m === null ? null : Math.sqrt(m);
}

export function r2(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  const my = mean(y.length, (i) => y[i]!);
  if (my === null || constant(y)) return null;
  const res = exactSum(y.length, (i) => (y[i]! - p[i]!) ** 2);
  const tot = exactSum(y.length, (i) => (y[i]! - my) ** 2);
  return tot === 0 ? null : 1 - res / tot;
}

/**
 * r2 of a bootstrap replicate that draws row i `weights[i]` times, from the weights (as the other
 * weighted means of a replicate: sums of weight × term, to ~1e-15 of r2 of the rows repeated):
 * building a 1,000,000-row replicate and its exact sums cost ~0.15 s, a thousand of them a check.
 */
export function weightedR2(y: ArrayLike<number>, p: ArrayLike<number>): (weights: Uint8Array) => MaybeNumber {
  const n = y.length;
  const residual = Float64Array.from({ length: n }, (_, i) => (y[i]! - p[i]!) ** 2);
  return (w) => {
    const { rows, sy, st: res, low, high } = drawn(y, residual, w);
    // the truths drawn all equal: no variance (r2 undefined), whatever the sums' last bits say
    if (rows === 0 || Number.isNaN(sy) || low === high) return null;
    const exactly = () => onRowsRepeated(r2, y, p, w);
    if (barelyDiffer(low, high)) return exactly();
    const my = sy / rows;
    let tot = 0;
    for (let i = 0; i < n; i++) tot += w[i]! * (y[i]! - my) ** 2;
    // squared deviations that underflow: the rows repeated too
    return tot > 1e-280 ? 1 - res / tot : exactly();
  };
}

/**
 * explained_variance of a bootstrap replicate from its weights, as weightedR2: sums of weight × term
 * (to rounding), the rows repeated with exact sums where the truths drawn barely differ or their
 * squared deviations underflow.
 */
export function weightedExplainedVariance(y: ArrayLike<number>, p: ArrayLike<number>): (weights: Uint8Array) => MaybeNumber {
  const n = y.length;
  const d = Float64Array.from({ length: n }, (_, i) => y[i]! - p[i]!);
  return (w) => {
    const { rows, sy, st: sd, low, high } = drawn(y, d, w);
    if (rows === 0) return null;
    const exactly = () => onRowsRepeated(explainedVariance, y, p, w);
    if (Number.isNaN(sy + sd) || barelyDiffer(low, high)) return exactly();
    const my = sy / rows;
    const md = sd / rows;
    let vy = 0;
    let vd = 0;
    for (let i = 0; i < n; i++) {
      if (w[i] === 0) continue;
      vy += w[i]! * (y[i]! - my) ** 2;
      vd += w[i]! * (d[i]! - md) ** 2;
    }
    // squared deviations that underflow: the rows repeated too
    return vy > 1e-280 ? 1 - vd / vy : exactly();
  };
}

/** The rows a replicate draws, summed from its weights: their count, Σ w·y, Σ w·t, and the lowest and highest truth drawn. */
function drawn(y: ArrayLike<number>, t: Float64Array, w: Uint8Array): { rows: number; sy: number; st: number; low: number; high: number } {
  let rows = 0;
  let sy = 0;
  let st = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < t.length; i++) {
    if (w[i] === 0) continue;
    rows += w[i]!;
    sy += w[i]! * y[i]!;
    st += w[i]! * t[i]!;
    if (y[i]! < low) low = y[i]!;
    if (y[i]! > high) high = y[i]!;
  }
  return { rows, sy, st, low, high };
}

/**
 * Truths drawn that barely differ (a spread of 1e-4 of their size or less: the rounded mean's error
 * is then a share of every deviation from it): their metric is taken on the rows repeated, with
 * exact sums; a replicate of real data draws truths far apart.
 */
function barelyDiffer(low: number, high: number): boolean {
  return high - low <= 1e-4 * Math.max(Math.abs(low), Math.abs(high));
}

/** A metric of the rows a replicate draws, repeated as many times as it draws them. */
function onRowsRepeated(metric: (y: Float64Array, p: Float64Array) => MaybeNumber, y: ArrayLike<number>, p: ArrayLike<number>, w: Uint8Array): MaybeNumber {
  const idx = expand(w);
  return metric(Float64Array.from(idx, (i) => y[i]!), Float64Array.from(idx, (i) => p[i]!));
}

/**
 * Whether every value is the same: a truth with no variance, where r2 divides by zero (the rounded
 * mean of equal values can miss them by a bit, and the sum of squares about it not be 0).
 */
function constant(y: ArrayLike<number>): boolean {
  for (let i = 1; i < y.length; i++) if (y[i] !== y[0]) return false;
  return true;
}

/** mean_absolute_percentage_error: |y − ŷ| / max(|y|, eps), as a fraction (not ×100). */
export function mape(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  return mean(y.length, (i) => mapeTerm(y[i]!, p[i]!));
}

export function medianAe(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  const n = y.length;
  if (n === 0) return null;
  const e = Float64Array.from({ length: n }, (_, i) => Math.abs(y[i]! - p[i]!)).sort();
  return n % 2 ? e[(n - 1) / 2]! : (e[n / 2 - 1]! + e[n / 2]!) / 2;
}

/**
 * median_ae of a bootstrap replicate that draws row i `weights[i]` times, from the weights: the
 * absolute errors sorted once, each replicate's median read off their running weight (the same
 * doubles as the rows repeated, sorted: to the bit), instead of a replicate's rows built and sorted.
 * Undefined when an error is NaN (then the rows are built).
 */
export function weightedMedianAe(y: ArrayLike<number>, p: ArrayLike<number>): ((weights: Uint8Array) => MaybeNumber) | undefined {
  const n = y.length;
  const e = Float64Array.from({ length: n }, (_, i) => Math.abs(y[i]! - p[i]!));
  if (e.some(Number.isNaN)) return undefined;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => e[a]! - e[b]!);
  const sorted = Float64Array.from(order, (i) => e[i]!);
  return (w) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += w[i]!;
    if (total === 0) return null;
    // the middle places of the rows repeated and sorted: one (an odd count) or two
    const lo = Math.floor((total - 1) / 2);
    const hi = Math.floor(total / 2);
    let seen = 0;
    let a = NaN;
    for (let k = 0; k < n; k++) {
      seen += w[order[k]!]!;
      if (Number.isNaN(a) && seen > lo) a = sorted[k]!;
      if (seen > hi) return total % 2 ? a : (a + sorted[k]!) / 2;
    }
    return null;
  };
}

/** max_error of a bootstrap replicate from its weights: the largest error of the rows it draws (to the bit). */
export function weightedMaxError(y: ArrayLike<number>, p: ArrayLike<number>): (weights: Uint8Array) => MaybeNumber {
  const e = Float64Array.from({ length: y.length }, (_, i) => Math.abs(y[i]! - p[i]!));
  return (w) => {
    let m = 0;
    let drawn = false;
    for (let i = 0; i < e.length; i++) {
      if (w[i] === 0) continue;
      drawn = true;
      m = Math.max(m, e[i]!);
    }
    return drawn ? m : null;
  };
}

/** mape's term of a row: its absolute error relative to the truth (scikit-learn's epsilon below). */
export function mapeTerm(y: number, p: number): number {
  return Math.abs(y - p) / Math.max(Math.abs(y), MAPE_EPS);
}
const MAPE_EPS = 2.220446049250313e-16;

export function maxError(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  if (y.length === 0) return null;
  let m = 0;
  for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i]! - p[i]!));
  return m;
}

export function explainedVariance(y: ArrayLike<number>, p: ArrayLike<number>): MaybeNumber {
  const n = y.length;
  if (n === 0) return null;
  const my = mean(n, (i) => y[i]!)!;
  const md = mean(n, (i) => y[i]! - p[i]!)!;
  const vy = exactSum(n, (i) => (y[i]! - my) ** 2);
  const vd = exactSum(n, (i) => (y[i]! - p[i]! - md) ** 2);
  return vy === 0 ? null : 1 - vd / vy;
}

function mean(n: number, f: (i: number) => number): MaybeNumber {
  if (n === 0) return null;
  const s = exactSum(n, f);
  return Number.isNaN(s) ? null : s / n;
}
