/**
 * Drift statistics between a reference sample and a current one, as scipy defines them (tested
 * against scipy.stats and scipy.spatial on committed expected values).
 */

import { distributionOf, type Distribution, type Sample } from './distribution.js';

/**
 * The two statistics of the distance between two empirical distribution functions, from one walk
 * over both distributions' distinct values in ascending order: the largest difference (KS's D) and
 * the area between them (Wasserstein's). One loop with no callback: the walk's branches are most of
 * its cost (a callback a step, its sums kept in a closure, took ~30 ns a step).
 */
function distance(A: Distribution, B: Distribution): { sup: number; area: number } {
  const { values: av, counts: ac } = A;
  const { values: bv, counts: bc } = B;
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  let sup = 0;
  let area = 0;
  // |F_ref − F_cur| at the previous value: each function is constant from one value to the next
  let gap = 0;
  let prev = Math.min(av[0] ?? Infinity, bv[0] ?? Infinity);
  while (i < av.length || j < bv.length) {
    const u = i < av.length ? av[i]! : Infinity;
    const v = j < bv.length ? bv[j]! : Infinity;
    const x = u <= v ? u : v;
    area += gap * (x - prev);
    if (u === x) ca += ac[i++]!;
    if (v === x) cb += bc[j++]!;
    gap = Math.abs(ca / A.n - cb / B.n);
    sup = Math.max(sup, gap);
    prev = x;
  }
  return { sup, area };
}

/** Two-sample Kolmogorov-Smirnov statistic D = sup |F_ref − F_cur| (scipy.stats.ks_2samp's statistic). */
export function ksStatistic(ref: Sample, cur: Sample): number {
  return distance(distributionOf(ref), distributionOf(cur)).sup;
}

export { ksPValue } from './ks.js';
export { ColumnCollector, distributionOf, type Distribution, type Sample } from './distribution.js';

/**
 * scipy.stats.wasserstein_distance: the area between the two empirical distribution functions,
 * summed over the merged distinct values in ascending order.
 */
export function wasserstein(ref: Sample, cur: Sample): number {
  const A = distributionOf(ref);
  const B = distributionOf(cur);
  if (A.n === 0 || B.n === 0) return NaN;
  return distance(A, B).area;
}

/** Population standard deviation (numpy.std with ddof=0). */
export function std(x: Sample): number {
  const D = distributionOf(x);
  let mean = 0;
  for (let i = 0; i < D.values.length; i++) mean += D.counts[i]! * D.values[i]!;
  mean /= D.n;
  let s = 0;
  for (let i = 0; i < D.values.length; i++) {
    const d = D.values[i]! - mean;
    s += D.counts[i]! * (d * d);
  }
  return Math.sqrt(s / D.n);
}

/** scipy.spatial.distance.jensenshannon(p, q) with the natural logarithm: √(½KL(p‖m) + ½KL(q‖m)). */
export function jensenShannon(p: number[], q: number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp;
    const b = q[i]! / sq;
    const m = (a + b) / 2;
    if (a > 0) js += (a * Math.log(a / m)) / 2;
    if (b > 0) js += (b * Math.log(b / m)) / 2;
  }
  return Math.sqrt(Math.max(0, js));
}

/** Population stability index Σ (c − r)·ln(c / r) over shares, each share floored at `eps`. */
export function psi(refCounts: number[], curCounts: number[], eps = 1e-4): number {
  const sr = refCounts.reduce((a, b) => a + b, 0);
  const sc = curCounts.reduce((a, b) => a + b, 0);
  let total = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const r = Math.max(refCounts[i]! / sr, eps);
    const c = Math.max(curCounts[i]! / sc, eps);
    total += (c - r) * Math.log(c / r);
  }
  return total;
}

/**
 * Bin edges from the reference's quantiles (numpy.quantile, linear) at i/bins, duplicates dropped;
 * the outer bins reach to −∞ and +∞ so no current value falls outside.
 */
export function quantileEdges(ref: Sample, bins: number): number[] {
  const D = distributionOf(ref);
  // the value at sorted position p, for increasing p
  let k = 0;
  let before = 0; // values before distinct value k
  const at = (p: number) => {
    if (p < before) [k, before] = [0, 0];
    while (before + D.counts[k]! <= p) before += D.counts[k++]!;
    return D.values[k]!;
  };
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const h = (D.n - 1) * (i / bins);
    const lo = Math.floor(h);
    const a = at(lo);
    const v = a + (h - lo) * (at(Math.min(lo + 1, D.n - 1)) - a);
    if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
  }
  return edges;
}

/** Counts per bin: bin k holds values v with edges[k−1] < v ≤ edges[k] (numpy.searchsorted, side 'left'). */
export function binCounts(x: Sample, edges: number[]): number[] {
  const D = distributionOf(x);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < D.values.length; i++) {
    const v = D.values[i]!;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]! += D.counts[i]!;
  }
  return counts;
}

/**
 * Pearson's chi-square test of homogeneity on a 2 × k table (scipy.stats.chi2_contingency without
 * continuity correction for k > 2; with Yates' correction when k = 2, as scipy applies it).
 */
export function chiSquare(ref: number[], cur: number[]): { statistic: number; pValue: number; dof: number; cramersV: number } {
  const cols = ref.map((r, i) => r + cur[i]!);
  const keep = cols.map((c) => c > 0);
  const r = ref.filter((_, i) => keep[i]);
  const c = cur.filter((_, i) => keep[i]);
  const k = r.length;
  const nr = r.reduce((a, b) => a + b, 0);
  const nc = c.reduce((a, b) => a + b, 0);
  const n = nr + nc;
  const dof = k - 1;
  if (dof < 1 || nr === 0 || nc === 0) return { statistic: 0, pValue: 1, dof: Math.max(dof, 0), cramersV: 0 };
  let stat = 0;
  for (let i = 0; i < k; i++) {
    const col = r[i]! + c[i]!;
    for (const [obs, rowTotal] of [[r[i]!, nr], [c[i]!, nc]] as const) {
      const expected = (rowTotal * col) / n;
      let diff = Math.abs(obs - expected);
      if (dof === 1) diff = Math.max(0, diff - 0.5);
      stat += (diff * diff) / expected;
    }
  }
  return { statistic: stat, pValue: chi2Sf(stat, dof), dof, cramersV: Math.sqrt(stat / n) };
}

/** Survival function of the chi-square distribution: the regularized upper incomplete gamma Q(dof/2, x/2). */
export function chi2Sf(x: number, dof: number): number {
  if (x <= 0) return 1;
  return gammaQ(dof / 2, x / 2);
}

function gammaQ(a: number, x: number): number {
  if (x < a + 1) return 1 - gammaPSeries(a, x);
  // continued fraction (modified Lentz)
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

function gammaPSeries(a: number, x: number): number {
  let sum = 1 / a;
  let term = sum;
  for (let n = 1; n < 10000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), relative error below 1e-15. */
function logGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Benjamini-Hochberg adjusted p-values (statsmodels' fdr_bh), in the input order. */
export function benjaminiHochberg(p: number[]): number[] {
  const m = p.length;
  const order = p.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let min = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [v, i] = order[k]!;
    min = Math.min(min, (v * m) / (k + 1));
    adjusted[i] = min;
  }
  return adjusted;
}
