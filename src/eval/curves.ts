import { thresholds, walkThresholds, type Sorted } from './metrics/classification.js';
import { ExactSum } from './metrics/exact-sum.js';
import { sortedBinary, type MetricData } from './metrics/index.js';

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
 * points (the first and last kept), values to four decimals. From two sorted typed arrays (the
 * positives' and the negatives' scores) walked once from the highest score down: memory is two
 * numbers a row, whatever the number of distinct scores, and no array is made per point but the
 * 101 kept.
 */
const curvesCache = new WeakMap<object, BinaryCurves>();

export function binaryCurves(d: MetricData): BinaryCurves {
  let curves = curvesCache.get(d.scores as object);
  if (!curves) curvesCache.set(d.scores as object, (curves = computeCurves(d)));
  return curves;
}

/** Once per evaluation (its scores array): every check that draws them shares them. */
function computeCurves(d: MetricData): BinaryCurves {
  // no curve through NaN or infinite scores (every metric of such an evaluation is undefined too)
  const sorted = d.nonFinite ? null : sortedBinary(d);
  if (!sorted) return { roc: [], pr: [], calibration: [] };
  const { pos, neg } = sorted;
  const P = pos.length;
  const N = neg.length;
  // the distinct thresholds, counted first (with ROC AUC's pairs), so that the kept points are known before the walk
  const { distinct } = thresholds(sorted);
  // ROC has a point per distinct score after (0, 0); PR a point per distinct score: ROC's point k
  // is threshold k − 1's, PR's point k threshold k's
  const rocKept = thinned(distinct + 1).subarray(1).map((k) => k - 1);
  const prKept = thinned(distinct);
  const kept = Int32Array.from(new Set([...rocKept, ...prKept])).sort();
  const roc: [number, number][] = [[0, 0]];
  const pr: [number, number][] = [];
  let rocAt = 0;
  let prAt = 0;
  walkThresholds(
    pos,
    neg,
    (tp, fp, k) => {
      if (k === rocKept[rocAt]) {
        rocAt++;
        roc.push([r4(N ? fp / N : 0), r4(P ? tp / P : 0)]);
      }
      if (k === prKept[prAt]) {
        prAt++;
        pr.push([r4(P ? tp / P : 0), r4(tp / (tp + fp))]);
      }
    },
    kept,
  );
  return { roc, pr, calibration: calibrationTable(pos, neg) };
}

/**
 * The calibration table from the sorted scores (the order of the rows does not matter: the sums are
 * exact); none when a score is not a probability (below 0 or above 1), which a table of bins of
 * [0, 1] cannot show.
 */
function calibrationTable(pos: Sorted['pos'], neg: Sorted['neg']): BinaryCurves['calibration'] {
  const low = Math.min(pos[0] ?? 0, neg[0] ?? 0);
  const high = Math.max(pos[pos.length - 1] ?? 0, neg[neg.length - 1] ?? 0);
  if (!(low >= 0 && high <= 1)) return [];
  const sums = Array.from({ length: 10 }, () => new ExactSum());
  const hits = new Float64Array(10);
  const counts = new Float64Array(10);
  const binOf = (p: number) => Math.min(9, Math.floor(p * 10));
  for (const [scores, positive] of [[pos, 1], [neg, 0]] as const) {
    // ascending: a bin's scores are one run, its end found by bisection
    for (let from = 0; from < scores.length; ) {
      const bin = binOf(scores[from]!);
      let lo = from + 1;
      let hi = scores.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (binOf(scores[mid]!) > bin) hi = mid;
        else lo = mid + 1;
      }
      addRun(sums[bin]!, scores, from, lo);
      hits[bin]! += positive * (lo - from);
      counts[bin]! += lo - from;
      from = lo;
    }
  }
  const calibration: BinaryCurves['calibration'] = [];
  for (let b = 0; b < 10; b++) if (counts[b]) calibration.push({ predicted: r4(sums[b]!.value() / counts[b]!), observed: r4(hits[b]! / counts[b]!), n: counts[b]! });
  return calibration;
}

const F32 = new Float32Array(1);
const F32_BITS = new Uint32Array(F32.buffer);

/**
 * Adds values[from, to) (ascending, at least 0) to `sum`. Float32 values are each a whole multiple
 * of the smallest one's last bit, q: while their total stays below 2^52·q, every partial sum in a
 * double is exact, and the run is added as that one double (a loop of additions); else value by value.
 */
function addRun(sum: ExactSum, values: Sorted['pos'], from: number, to: number): void {
  if (values instanceof Float32Array) {
    F32[0] = values[from]!;
    const e = (F32_BITS[0]! >>> 23) & 0xff;
    const q = 2 ** (Math.max(e, 1) - 150);
    if ((to - from) * values[to - 1]! < 2 ** 52 * q) {
      sum.add(runTotal(values, from, to));
      return;
    }
  }
  for (let i = from; i < to; i++) sum.add(values[i]!);
}

/**
 * values[from] + … + values[to − 1], added in order. A function of its own: V8 optimised addRun's
 * loop while it ran, and that code stopped at the `sum.add` after it, never run yet, at every bin.
 */
function runTotal(values: Float32Array, from: number, to: number): number {
  let run = 0;
  for (let i = from; i < to; i++) run += values[i]!;
  return run;
}

/**
 * The indices kept when `total` points are thinned to POINTS, evenly, the first and last among
 * them, ascending (every index when there are no more than POINTS).
 */
function thinned(total: number): Int32Array {
  if (total <= POINTS) return Int32Array.from({ length: total }, (_, k) => k);
  return Int32Array.from({ length: POINTS }, (_, k) => Math.round((k * (total - 1)) / (POINTS - 1)));
}
