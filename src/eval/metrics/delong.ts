import { normalQuantile } from '../bootstrap.js';

/**
 * ROC AUC and DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988) from the positives' and the
 * negatives' counts at each distinct score, in ascending order of the score: every row at one
 * score has the same structural component (V10 for a positive: the share of negatives below it,
 * ties counting one half; V01 for a negative: the share of positives above it), so the variance
 * S10/m + S01/n is summed per distinct score, exactly, whatever the number of rows. Null when
 * either class has fewer than two rows (no variance).
 */
export function delong(positives: ArrayLike<number>, negatives: ArrayLike<number>): { auc: number; variance: number } | null {
  let m = 0;
  let n = 0;
  for (let k = 0; k < positives.length; k++) {
    m += positives[k]!;
    n += negatives[k]!;
  }
  if (m < 2 || n < 2) return null;
  let auc = 0;
  let negBelow = 0;
  for (let k = 0; k < positives.length; k++) {
    auc += positives[k]! * (negBelow + negatives[k]! / 2);
    negBelow += negatives[k]!;
  }
  auc /= m * n;
  let s10 = 0;
  let s01 = 0;
  let below = { neg: 0, pos: 0 };
  for (let k = 0; k < positives.length; k++) {
    const p = positives[k]!;
    const q = negatives[k]!;
    const v10 = (below.neg + q / 2) / n;
    const v01 = (m - below.pos - p + p / 2) / m;
    s10 += p * (v10 - auc) ** 2;
    s01 += q * (v01 - auc) ** 2;
    below = { neg: below.neg + q, pos: below.pos + p };
  }
  return { auc, variance: s10 / (m - 1) / m + s01 / (n - 1) / n };
}

/** The normal interval of an AUC with DeLong's variance, at a confidence level, within [0, 1]. */
export function delongInterval(auc: number, variance: number, confidence: number): [number, number] {
  const half = normalQuantile(0.5 + confidence / 2) * Math.sqrt(variance);
  return [Math.max(0, auc - half), Math.min(1, auc + half)];
}
