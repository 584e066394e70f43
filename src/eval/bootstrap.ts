import { fmix32, murmurStep } from '../input/hash.js';

/**
 * Seeded bootstrap intervals and the normal and Wilson intervals. mulberry32 is the seeded generator
 * of the checks that perturb or sample rows: small, fast, and the same sequence on every machine.
 */
export function mulberry32(seed: number): () => number {
  const state = Uint32Array.of(seed >>> 0);
  return () => mulberry32Next(state);
}

/** The next number of a mulberry32 generator whose state is state[0] (set it to the seed): for a loop that reseeds it often without making a generator each time. */
export function mulberry32Next(state: Uint32Array): number {
  const a = (state[0] = (state[0]! + 0x6d2b79f5) >>> 0);
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export interface BootstrapResult {
  interval: [number, number] | null;
  /** resamples on which the statistic was undefined (for example one class only), left out */
  undefinedResamples: number;
  resamples: number;
}

export interface BootstrapOptions {
  resamples: number;
  confidence: number;
  seed: number;
}

/**
 * Rows in an order of their content, and each row's key for its bootstrap weights. `valueAt(i, j)`
 * is the j-th of the `width` values that make row i's content (label, scores, group …). The order
 * sorts the rows by those values; the key (two 32-bit halves a row, in that order) hashes them with
 * how many rows before it hold the same values, so that equal rows get distinct keys and the keys, as
 * a set, depend on the rows alone: not on the file's order, nor on how the rows were split into shards.
 */
export function byContent(n: number, width: number, valueAt: (i: number, j: number) => number): { order: Int32Array; keys: Uint32Array } {
  const compare = (a: number, b: number) => {
    for (let j = 0; j < width; j++) {
      const x = canonical(valueAt(a, j));
      const y = canonical(valueAt(b, j));
      if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
      return Number.isNaN(x) ? 1 : Number.isNaN(y) || x < y ? -1 : 1;
    }
    return 0;
  };
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(compare);
  const keys = new Uint32Array(2 * n);
  const word = new Float64Array(1);
  const words = new Uint32Array(word.buffer);
  let occurrence = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    occurrence = r > 0 && compare(order[r - 1]!, i) === 0 ? occurrence + 1 : 0;
    let h1 = 0x2545f491;
    let h2 = 0x9e3779b9;
    for (let j = 0; j < width; j++) {
      word[0] = canonical(valueAt(i, j));
      h1 = murmurStep(murmurStep(h1, words[0]!), words[1]!);
      h2 = murmurStep(murmurStep(h2, words[1]!), words[0]!);
    }
    keys[2 * r] = fmix32(murmurStep(h1, occurrence));
    keys[2 * r + 1] = fmix32(murmurStep(h2, ~occurrence));
  }
  return { order, keys };
}

/** -0 as 0 and every NaN as one NaN: values that compare equal hash equal. */
const canonical = (v: number) => (Number.isNaN(v) ? NaN : v + 0);

/**
 * Poisson(1)'s distribution function as bounds on a uniform 32-bit integer, shifted by 2^31 into
 * int32: u below POISSON_1[k] (and not below the bound before) draws k. The last bound is the
 * largest int32: every u draws some k ≤ 15.
 */
const POISSON_1 = (() => {
  const bounds = new Int32Array(16);
  let p = Math.exp(-1);
  let c = 0;
  for (let k = 0; k < 16; k++) {
    c += p;
    p /= k + 1;
    bounds[k] = Math.min(2 ** 32 - 1, Math.floor(c * 2 ** 32)) - 2 ** 31;
  }
  bounds[15] = 2 ** 31 - 1;
  return bounds;
})();
const [B0, B1, B2, B3, B4] = POISSON_1 as unknown as [number, number, number, number, number];

/** A replicate's word, from the seed and the replicate's number. */
export function replicateWord(seed: number, b: number): number {
  return fmix32(murmurStep(murmurStep(0x68e31da4, seed >>> 0), b));
}

/**
 * Every row's Poisson(1) weight in one replicate, from its key and the replicate's word, into
 * `weights` (one byte a row). Counted without branches on the draw (a draw's branch mispredicts
 * about once a row): the sum of the comparisons with the first five bounds, the rest looked up.
 */
export function poissonWeights(keys: Uint32Array, word: number, weights: Uint8Array): void {
  const n = weights.length;
  for (let r = 0; r < n; r++) {
    const u = (fmix32(Math.imul(fmix32(keys[2 * r]! ^ word), 0x9e3779b1) ^ keys[2 * r + 1]!) ^ 0x80000000) | 0;
    let k = +(u >= B0) + +(u >= B1) + +(u >= B2) + +(u >= B3) + +(u >= B4);
    if (k === 5) while (u >= POISSON_1[k]!) k++;
    weights[r] = k;
  }
}

/** The rows drawn, each as many times as its weight, in order. */
export function expand(weights: Uint8Array): Int32Array {
  let m = 0;
  for (let r = 0; r < weights.length; r++) m += weights[r]!;
  const idx = new Int32Array(m);
  for (let r = 0, at = 0; r < weights.length; r++) for (let t = weights[r]!; t > 0; t--) idx[at++] = r;
  return idx;
}

/**
 * A seeded percentile bootstrap of `k` statistics computed together, by Poisson(1) weights: in each
 * replicate every row is drawn a Poisson(1) number of times, from a hash of its key (`byContent`),
 * the replicate and the seed. `stats` gets each row's weight, in key order (a statistic that needs
 * the rows themselves takes `expand(weights)`). A row's weights depend on its content and the seed
 * only, so the resamples (and the interval) are the same whatever the order of the rows and however
 * they were split into shards; for many rows this is the ordinary bootstrap's n draws with
 * replacement (the number of draws of a row tends to Poisson(1)). The same seed gives the same
 * interval on every machine.
 */
export function bootstrapMany(keys: Uint32Array, k: number, stats: (weights: Uint8Array) => (number | null)[], options: BootstrapOptions): BootstrapResult[] {
  return joinReplicates([replicateRange(keys, k, stats, options.seed, 0, options.resamples)], options.resamples).map((r) => percentileInterval(r, options.confidence));
}

/** The statistics' values over the replicates (sorted; undefined ones counted aside), before an interval is read off them. */
export interface Replicates {
  values: number[];
  undefinedResamples: number;
  resamples: number;
}

/** The values of replicates [from, to) of `k` statistics, each statistic's in replicate order (NaN: undefined). */
export function replicateRange(keys: Uint32Array, k: number, stats: (weights: Uint8Array) => (number | null)[], seed: number, from: number, to: number): Float64Array[] {
  const values = Array.from({ length: k }, () => new Float64Array(to - from));
  const weights = new Uint8Array(keys.length / 2);
  for (let b = from; b < to; b++) {
    poissonWeights(keys, replicateWord(seed, b), weights);
    stats(weights).forEach((v, j) => {
      values[j]![b - from] = v === null ? NaN : v;
    });
  }
  return values;
}

/** Replicates from the values of consecutive ranges of them (replicateRange's, in any order: the values are sorted). */
export function joinReplicates(ranges: Float64Array[][], resamples: number): Replicates[] {
  return (ranges[0] ?? []).map((_, j) => {
    const values: number[] = [];
    let undefinedResamples = 0;
    for (const range of ranges) for (const v of range[j]!) if (Number.isNaN(v)) undefinedResamples++; else values.push(v);
    return { values: values.sort((a, b) => a - b), undefinedResamples, resamples };
  });
}

/** The percentile interval of replicates at a confidence level (null when every replicate was undefined). */
export function percentileInterval(r: Replicates, confidence: number): BootstrapResult {
  const alpha = (1 - confidence) / 2;
  const interval: [number, number] | null = r.values.length ? [percentile(r.values, alpha), percentile(r.values, 1 - alpha)] : null;
  return { interval, undefinedResamples: r.undefinedResamples, resamples: r.resamples };
}

/** numpy.percentile's default ("linear") interpolation on sorted values. */
export function percentile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The standard normal quantile (scipy.special.ndtri), by Wichura's algorithm AS 241 (PPND16):
 * accurate to about 1e-16 over (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r +
          3.387132872796366608)) /
      (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    x =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r +
        6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -x : x;
}

/**
 * The Wilson score interval of a proportion k/m at a confidence level, as scipy's
 * binomtest(k, m).proportion_ci(confidence_level, method='wilson'): honest coverage on few rows,
 * where a percentile bootstrap of 3 successes out of 3 would claim [1, 1]. Null when m is 0.
 */
export function wilsonInterval(k: number, m: number, confidence: number): [number, number] | null {
  if (m === 0) return null;
  const z = normalQuantile(0.5 + 0.5 * confidence);
  const p = k / m;
  const denom = 2 * (m + z * z);
  const center = (2 * m * p + z * z) / denom;
  const d = (z * Math.sqrt(z * z + 4 * m * p * (1 - p))) / denom;
  return [Math.max(0, center - d), Math.min(1, center + d)];
}
