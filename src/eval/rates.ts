/**
 * The rates of a fairness check (checks/fairness.ts), by group, and the disparities between them:
 * pure functions of the rows' groups, labels and decisions, drawn on the bootstrap thread too
 * (replicate-job.ts), hence here in the evaluation's layer.
 */

/**
 * Fairlearn's disparities between groups (fairlearn/metrics/_fairness_metrics.py, "between_groups"):
 * of which per-group rate, a difference (largest − smallest) or a ratio (smallest / largest), and
 * which side of a threshold passes. Equalized odds is the larger of the two rate differences
 * (Fairlearn's agg="worst_case").
 */
export const DISPARITIES = {
  demographic_parity_difference: { rates: ['selection_rate'], kind: 'difference' },
  demographic_parity_ratio: { rates: ['selection_rate'], kind: 'ratio' },
  equal_opportunity_difference: { rates: ['true_positive_rate'], kind: 'difference' },
  false_positive_rate_difference: { rates: ['false_positive_rate'], kind: 'difference' },
  equalized_odds_difference: { rates: ['true_positive_rate', 'false_positive_rate'], kind: 'difference' },
} as const satisfies Record<string, { rates: readonly Rate[]; kind: 'difference' | 'ratio' }>;
export type Disparity = keyof typeof DISPARITIES;
export type Rate = 'selection_rate' | 'true_positive_rate' | 'false_positive_rate';

/** Per group: rows, positives (by the label), selected (decided positive), true and false positives. */
export interface Counts {
  n: Int32Array;
  positives: Int32Array;
  selected: Int32Array;
  tp: Int32Array;
  fp: Int32Array;
}

export function count(groups: number, group: Int32Array, truth: ArrayLike<number>, predicted: ArrayLike<number>, positive: number, weights?: Uint8Array): Counts {
  const c: Counts = { n: new Int32Array(groups), positives: new Int32Array(groups), selected: new Int32Array(groups), tp: new Int32Array(groups), fp: new Int32Array(groups) };
  for (let i = 0; i < group.length; i++) {
    // a bootstrap replicate counts each row as many times as it draws it
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    const g = group[i]!;
    const pos = truth[i] === positive;
    const sel = predicted[i] === positive;
    c.n[g]! += w;
    if (pos) c.positives[g]! += w;
    if (sel) {
      c.selected[g]! += w;
      if (pos) c.tp[g]! += w;
      else c.fp[g]! += w;
    }
  }
  return c;
}

/** A group's rate and the rows it is a share of (its denominator). */
export function rate(c: Counts, g: number, r: Rate): { value: number; of: number } {
  const negatives = c.n[g]! - c.positives[g]!;
  if (r === 'selection_rate') return { value: c.selected[g]! / c.n[g]!, of: c.n[g]! };
  if (r === 'true_positive_rate') return { value: c.tp[g]! / c.positives[g]!, of: c.positives[g]! };
  return { value: c.fp[g]! / negatives, of: negatives };
}

/**
 * A disparity over the groups judged for each rate (at least `minRows` rows in the rate's
 * denominator); undefined (null) when fewer than two groups are judged, or a ratio divides by zero.
 */
export function disparity(c: Counts, d: Disparity, minRows: number): number | null {
  const { rates, kind } = DISPARITIES[d];
  let worst = -Infinity;
  for (const r of rates) {
    let lo = Infinity;
    let hi = -Infinity;
    let judged = 0;
    for (let g = 0; g < c.n.length; g++) {
      const { value, of } = rate(c, g, r);
      if (of < minRows) continue;
      judged++;
      lo = Math.min(lo, value);
      hi = Math.max(hi, value);
    }
    if (judged < 2) return null;
    if (kind === 'ratio') return hi === 0 ? null : lo / hi;
    worst = Math.max(worst, hi - lo);
  }
  return worst;
}
