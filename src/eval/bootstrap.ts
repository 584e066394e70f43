/**
 * Seeded percentile bootstrap. The generator is mulberry32: small, fast, and the same sequence on
 * every machine, so intervals (and verdicts that depend on them) are reproducible.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapResult {
  interval: [number, number] | null;
  /** resamples on which the statistic was undefined (for example one class only), left out */
  undefinedResamples: number;
  resamples: number;
}

/** Resamples n row indices `resamples` times and returns the central `confidence` interval of `stat`. */
export function bootstrap(n: number, stat: (idx: Int32Array) => number | null, options: { resamples: number; confidence: number; seed: number }): BootstrapResult {
  return bootstrapMany(n, 1, (idx) => [stat(idx)], options)[0]!;
}

/**
 * The same resamples for `k` statistics computed together (one pass over each resample for all):
 * the interval of each, as `bootstrap` would give it alone with the same seed.
 */
export function bootstrapMany(n: number, k: number, stats: (idx: Int32Array) => (number | null)[], options: { resamples: number; confidence: number; seed: number }): BootstrapResult[] {
  const random = mulberry32(options.seed);
  const values: number[][] = Array.from({ length: k }, () => []);
  const undefinedResamples = new Array<number>(k).fill(0);
  const idx = new Int32Array(n);
  for (let b = 0; b < options.resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(random() * n);
    stats(idx).forEach((v, j) => {
      if (v === null || Number.isNaN(v)) undefinedResamples[j]!++;
      else values[j]!.push(v);
    });
  }
  const alpha = (1 - options.confidence) / 2;
  return values.map((v, j) => {
    if (v.length === 0) return { interval: null, undefinedResamples: undefinedResamples[j]!, resamples: options.resamples };
    v.sort((a, b) => a - b);
    return { interval: [percentile(v, alpha), percentile(v, 1 - alpha)], undefinedResamples: undefinedResamples[j]!, resamples: options.resamples };
  });
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
