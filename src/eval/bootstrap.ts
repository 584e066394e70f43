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
  const random = mulberry32(options.seed);
  const values: number[] = [];
  let undefinedResamples = 0;
  const idx = new Int32Array(n);
  for (let b = 0; b < options.resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(random() * n);
    const v = stat(idx);
    if (v === null || Number.isNaN(v)) undefinedResamples++;
    else values.push(v);
  }
  if (values.length === 0) return { interval: null, undefinedResamples, resamples: options.resamples };
  values.sort((a, b) => a - b);
  const alpha = (1 - options.confidence) / 2;
  return { interval: [percentile(values, alpha), percentile(values, 1 - alpha)], undefinedResamples, resamples: options.resamples };
}

/** numpy.percentile's default ("linear") interpolation on sorted values. */
export function percentile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
