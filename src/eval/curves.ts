import type { MetricData } from './metrics/index.js';

export interface BinaryCurves {
  /** [false positive rate, true positive rate], from the strictest threshold to the loosest */
  roc: [number, number][];
  /** [recall, precision] at the same thresholds */
  pr: [number, number][];
  /** ten equal-width bins of the positive score: mean score, share of positives, rows (empty bins left out) */
  calibration: { predicted: number; observed: number; n: number }[];
}

const POINTS = 101;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * ROC and precision-recall curves and a calibration table of a binary evaluation, for the charts of
 * the HTML report: one point per distinct score (ties move together), thinned to at most 101
 * points (the first and last kept), values to four decimals.
 */
export function binaryCurves(d: MetricData): BinaryCurves {
  const n = d.n;
  const p = Float64Array.from({ length: n }, (_, i) => d.scores[i * d.C + d.positive]!);
  const pos = Uint8Array.from({ length: n }, (_, i) => (d.truth[i] === d.positive ? 1 : 0));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
  const P = pos.reduce((a, b) => a + b, 0);
  const N = n - P;
  const roc: [number, number][] = [[0, 0]];
  const pr: [number, number][] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (pos[i]) tp++;
    else fp++;
    if (k + 1 < n && p[order[k + 1]!] === p[i]) continue;
    roc.push([N ? fp / N : 0, P ? tp / P : 0]);
    pr.push([P ? tp / P : 0, tp / (tp + fp)]);
  }
  const calibration: BinaryCurves['calibration'] = [];
  for (let b = 0; b < 10; b++) {
    let s = 0;
    let o = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const bin = Math.min(9, Math.floor(p[i]! * 10));
      if (bin !== b) continue;
      s += p[i]!;
      o += pos[i]!;
      c++;
    }
    if (c) calibration.push({ predicted: r4(s / c), observed: r4(o / c), n: c });
  }
  return { roc: thin(roc).map(([a, b]) => [r4(a), r4(b)]), pr: thin(pr).map(([a, b]) => [r4(a), r4(b)]), calibration };
}

function thin<T>(points: T[]): T[] {
  if (points.length <= POINTS) return points;
  return Array.from({ length: POINTS }, (_, k) => points[Math.round((k * (points.length - 1)) / (POINTS - 1))]!);
}
