/**
 * Classification metrics as scikit-learn defines them, over typed arrays. `truth` and `pred` hold
 * class indices; `proba` is n × C row-major. A metric that is undefined on the data (a zero
 * denominator, a single class) returns null: never a silent 0 or 1. Sums of real-valued terms are
 * exact, rounded once (ExactSum): the same rows in any order give the same value.
 */
import { ExactSum, exactSum } from './exact-sum.js';
import { sortFloat32 } from './sort.js';
import { probability } from '../scores.js';

export type MaybeNumber = number | null;

export interface Counts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** With `weights`, a bootstrap replicate's: row i counted weights[i] times. */
export function binaryCounts(truth: ArrayLike<number>, pred: ArrayLike<number>, positive: number, weights?: Uint8Array): Counts {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < truth.length; i++) {
    const w = weights ? weights[i]! : 1;
    const t = truth[i] === positive;
    const p = pred[i] === positive;
    if (t && p) c.tp += w;
    else if (p) c.fp += w;
    else if (t) c.fn += w;
    else c.tn += w;
  }
  return c;
}

const div = (a: number, b: number): MaybeNumber => (b === 0 ? null : a / b);

export const precisionOf = (c: Counts) => div(c.tp, c.tp + c.fp);
export const recallOf = (c: Counts) => div(c.tp, c.tp + c.fn);
export const specificityOf = (c: Counts) => div(c.tn, c.tn + c.fp);
export const fbetaOf = (c: Counts, beta = 1) => div((1 + beta * beta) * c.tp, (1 + beta * beta) * c.tp + beta * beta * c.fn + c.fp);

export function mccOf(c: Counts): MaybeNumber {
  const d = (c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn);
  return d === 0 ? null : (c.tp * c.tn - c.fp * c.fn) / Math.sqrt(d);
}

/** accuracy from the confusion matrix: its diagonal over every row counted (the same whole numbers as counting the matches). */
export function accuracyOf(m: number[][]): MaybeNumber {
  let ok = 0;
  let n = 0;
  for (let t = 0; t < m.length; t++) {
    ok += m[t]![t]!;
    for (const c of m[t]!) n += c;
  }
  return n === 0 ? null : ok / n;
}

/** C × C counts: rows are true classes, columns predicted (scikit-learn's confusion_matrix). */
export function confusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, C: number, weights?: Uint8Array): number[][] {
  // counted in a flat typed array (an array of arrays is several times slower a row)
  const flat = new Float64Array(C * C);
  if (weights) for (let i = 0; i < truth.length; i++) flat[truth[i]! * C + pred[i]!]! += weights[i]!;
  else for (let i = 0; i < truth.length; i++) flat[truth[i]! * C + pred[i]!]!++;
  return Array.from({ length: C }, (_, t) => Array.from(flat.subarray(t * C, (t + 1) * C)));
}

/** Mean recall over the classes present in the truth, as balanced_accuracy_score (with `weights`, a bootstrap replicate's). */
export function balancedAccuracy(truth: ArrayLike<number>, pred: ArrayLike<number>, C: number, weights?: Uint8Array): MaybeNumber {
  const m = confusionMatrix(truth, pred, C, weights);
  let sum = 0;
  let k = 0;
  for (let c = 0; c < C; c++) {
    const support = m[c]!.reduce((a, b) => a + b, 0);
    if (support === 0) continue;
    sum += m[c]![c]! / support;
    k++;
  }
  return k === 0 ? null : sum / k;
}

export type Average = 'macro' | 'micro' | 'weighted';

export interface PerClass {
  precision: MaybeNumber;
  recall: MaybeNumber;
  f1: MaybeNumber;
  support: number;
}

export function perClass(truth: ArrayLike<number>, pred: ArrayLike<number>, C: number, beta = 1): PerClass[] {
  return perClassOf(confusionMatrix(truth, pred, C), beta);
}

/** Each class's precision, recall, fbeta and support from a confusion matrix (rows true, columns predicted). */
function perClassOf(m: number[][], beta: number): PerClass[] {
  const C = m.length;
  return m.map((row, c) => {
    let predicted = 0;
    for (let t = 0; t < C; t++) predicted += m[t]![c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const tp = row[c]!;
    const counts = { tp, fp: predicted - tp, fn: support - tp, tn: 0 };
    return { precision: precisionOf(counts), recall: recallOf(counts), f1: fbetaOf(counts, beta), support };
  });
}

/**
 * precision / recall / fbeta averaged as precision_recall_fscore_support: over the classes that
 * occur in the truth or the predictions; macro is undefined if any of them is undefined. With
 * `weights`, a bootstrap replicate's (row i counted weights[i] times): from the weighted confusion
 * matrix, the same integers as the rows repeated, so the same value to the bit.
 */
export function averaged(
  kind: 'precision' | 'recall' | 'f1',
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  C: number,
  average: Average,
  beta = 1,
  weights?: Uint8Array,
): MaybeNumber {
  const m = confusionMatrix(truth, pred, C, weights);
  const stats = perClassOf(m, beta);
  if (average === 'micro') {
    // every row that is not a true positive of its class is a false positive of one and a false negative of another
    let tp = 0;
    let n = 0;
    for (let c = 0; c < C; c++) {
      tp += m[c]![c]!;
      n += stats[c]!.support;
    }
    const k = { tp, fp: n - tp, fn: n - tp, tn: 0 };
    return kind === 'precision' ? precisionOf(k) : kind === 'recall' ? recallOf(k) : fbetaOf(k, beta);
  }
  let sum = 0;
  let total = 0;
  let present = 0;
  for (let c = 0; c < C; c++) {
    const s = stats[c]!;
    // a class in neither the truth nor the predictions is left out (no support, never predicted)
    if (s.support === 0 && s.precision === null) continue;
    present++;
    const v = s[kind];
    const w = average === 'weighted' ? s.support : 1;
    if (v === null) {
      if (w !== 0) return null;
      continue;
    }
    sum += w * v;
    total += w;
  }
  if (present === 0) return null;
  return total === 0 ? null : sum / total;
}

/**
 * Walks the distinct scores of two sorted lists from the highest down (the thresholds of ROC and
 * precision-recall): at the k-th (from 0), the positives `tp` and negatives `fp` scored at or above
 * it. Calls `at(tp, fp, k)` at every threshold, or with `kept` (ascending) only at those; returns
 * how many thresholds there are.
 */
export function walkThresholds(pos: Scores, neg: Scores, at: (tp: number, fp: number, k: number) => void, kept?: Int32Array): number {
  let a = pos.length - 1;
  let b = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  let next = kept ? (kept.length ? kept[0]! : -1) : 0;
  let nextKept = 1;
  while (a >= 0 || b >= 0) {
    // the next threshold down: every row with the highest remaining score
    const t = Math.max(a >= 0 ? pos[a]! : -Infinity, b >= 0 ? neg[b]! : -Infinity);
    while (a >= 0 && pos[a] === t) {
      tp++;
      a--;
    }
    while (b >= 0 && neg[b] === t) {
      fp++;
      b--;
    }
    if (k === next) {
      at(tp, fp, k);
      next = !kept ? k + 1 : nextKept < kept.length ? kept[nextKept++]! : -1;
    }
    k++;
  }
  return k;
}

/** Sorted scores: single precision when every score is a float32 value (model outputs usually are), exactly as they were. */
type Scores = Float64Array | Float32Array;
export type Sorted = { pos: Scores; neg: Scores };

/**
 * The scores of the positive and of the negative rows, each sorted ascending (float32 scores by
 * radix, sort.ts; others by the native sort); null when a score is NaN. Kept in a Float32Array when
 * every score is exactly a float32 value (the usual model output): half the memory, the same
 * values, the same order and ties. Once an evaluation, over every row, on one core while the other
 * may idle: the positives' scores are written from the front of one array and the negatives' from
 * its back, in one pass over the rows (counting the positives first took a pass of its own), and
 * the two parts sorted.
 */
export function split(truth: ArrayLike<number>, positive: number, scores: ArrayLike<number>, columns: number, n: number): Sorted | null {
  // float32 scores read as stored (not a single column's first class, 1 − s) are float32 values; anything else is checked
  const single = ((columns > 1 || positive === 1) && scores instanceof Float32Array) || allFloat32(scores, columns, positive, n);
  const both = single ? new Float32Array(n) : new Float64Array(n);
  const p = byTruth(truth, positive, scores, columns, n, both);
  if (p < 0) return null;
  const pos = both.subarray(0, p);
  const neg = both.subarray(p);
  return single ? { pos: sortFloat32(pos as Float32Array), neg: sortFloat32(neg as Float32Array) } : { pos: pos.sort(), neg: neg.sort() };
}

// split's loops over every row are functions of their own (as sort.ts's): V8 optimises a long loop
// while it runs (on-stack replacement), as code for the whole function it is in, and that code
// stopped at the first line after the loop that had never run; the next loop then ran unoptimised
// until it was compiled again.

/** Whether every positive-class score is exactly a float32 value (a NaN is not: split then refuses it in byTruth). */
function allFloat32(scores: ArrayLike<number>, columns: number, positive: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = probability(scores, columns, i, positive);
    if (Math.fround(v) !== v) return false;
  }
  return true;
}

/**
 * The positive-class scores of the positive rows into `both` from its front, of the others from its
 * back (in reverse row order: they are sorted next); returns how many rows are positive, or -1 when
 * a score is NaN.
 */
function byTruth(truth: ArrayLike<number>, positive: number, scores: ArrayLike<number>, columns: number, n: number, both: Scores): number {
  let a = 0;
  let b = n;
  for (let i = 0; i < n; i++) {
    const v = probability(scores, columns, i, positive);
    if (v !== v) return -1;
    if (truth[i] === positive) both[a++] = v;
    else both[--b] = v;
  }
  return a;
}

/**
 * Area under the ROC curve: the share of (positive, negative) pairs ordered correctly, ties counting
 * one half, which is the trapezoidal area scikit-learn computes. Counted exactly (thresholds).
 */
export function rocAuc(s: Sorted | null): MaybeNumber {
  if (!s || s.pos.length === 0 || s.neg.length === 0) return null;
  return thresholds(s).pairs / (s.pos.length * s.neg.length);
}

const summaries = new WeakMap<Sorted, { distinct: number; pairs: number }>();

/**
 * The distinct scores of two sorted lists (the curves' thresholds) and the (positive, negative)
 * pairs ordered correctly, ties counting one half, in one walk from the highest score down
 * (walkThresholds, which the curves walk too): at each threshold, its negatives are below every
 * positive above it and tie with its own, so the pairs grow by Δfp × (tp above + tp at it) / 2.
 * Exact: whole numbers and halves, far below 2^53. Once a Sorted: ROC AUC and the curves
 * (curves.ts, for their count of thresholds) share it.
 */
export function thresholds(s: Sorted): { distinct: number; pairs: number } {
  let summary = summaries.get(s);
  if (summary) return summary;
  let pairs = 0;
  let tpAbove = 0;
  let fpAbove = 0;
  const distinct = walkThresholds(s.pos, s.neg, (tp, fp) => {
    pairs += ((fp - fpAbove) * (tpAbove + tp)) / 2;
    tpAbove = tp;
    fpAbove = fp;
  });
  summaries.set(s, (summary = { distinct, pairs }));
  return summary;
}

/**
 * The rows sorted once by score, in runs of equal scores, for the ranking metrics of bootstrap
 * replicates: the tally gives, for run r in ascending score order, the weight of its negatives (at
 * 2r) and of its positives (at 2r + 1) in a replicate that draws row i `weights[i]` times.
 * Undefined when a score is NaN.
 */
function scoreRuns(isPositive: (i: number) => boolean, score: (i: number) => number, n: number): ((weights: Uint8Array) => Float64Array) | undefined {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = score(i);
    if (Number.isNaN(s[i]!)) return undefined;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a]! - s[b]!);
  // slot[k]: where the k-th row in score order is counted, 2 × its run (+ 1 for a positive)
  const slot = new Int32Array(n);
  let runs = 0;
  for (let k = 0; k < n; k++) {
    const run = k > 0 && s[order[k]!] === s[order[k - 1]!] ? runs - 1 : runs++;
    slot[k] = 2 * run + (isPositive(order[k]!) ? 1 : 0);
  }
  // the replicate's negatives (even) and positives (odd) per run, counted without a branch on the
  // row's class (which mispredicts: 2.6× the time a million rows)
  const counts = new Float64Array(2 * runs);
  return (w) => {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[slot[k]!]! += w[order[k]!]!;
    return counts;
  };
}

/**
 * rocAuc of a bootstrap replicate from its runs: each run's positives count the negatives below it
 * and half of those tied. The sums are of integers and halves, exact, so this is rocAuc of the rows
 * repeated, to the bit.
 */
export function weightedRocAuc(isPositive: (i: number) => boolean, score: (i: number) => number, n: number): ((weights: Uint8Array) => MaybeNumber) | undefined {
  return onRuns(isPositive, score, n, (counts) => {
    let below = 0;
    let pairs = 0;
    let wp = 0;
    for (let r = 0; r < counts.length; r += 2) {
      const q = counts[r]!;
      const p = counts[r + 1]!;
      pairs += p * below + (p * q) / 2;
      below += q;
      wp += p;
    }
    return wp === 0 || below === 0 ? null : pairs / (wp * below);
  });
}

/** A ranking metric of each bootstrap replicate, from the replicate's weights of negatives and positives per run of equal scores (ascending; scoreRuns' counts). */
function onRuns(isPositive: (i: number) => boolean, score: (i: number) => number, n: number, metric: (counts: Float64Array) => MaybeNumber): ((weights: Uint8Array) => MaybeNumber) | undefined {
  const tally = scoreRuns(isPositive, score, n);
  if (!tally) return undefined;
  return (w) => metric(tally(w));
}

/** averagePrecision of a bootstrap replicate from its runs, highest score first (a run the replicate does not draw is no threshold). */
export function weightedAveragePrecision(isPositive: (i: number) => boolean, score: (i: number) => number, n: number): ((weights: Uint8Array) => MaybeNumber) | undefined {
  return onRuns(isPositive, score, n, (counts) => {
    let positives = 0;
    for (let r = 1; r < counts.length; r += 2) positives += counts[r]!;
    if (positives === 0) return null;
    let tp = 0;
    let fp = 0;
    let prevRecall = 0;
    let ap = 0;
    for (let r = counts.length - 2; r >= 0; r -= 2) {
      const q = counts[r]!;
      const p = counts[r + 1]!;
      if (p + q === 0) continue;
      tp += p;
      fp += q;
      const recall = tp / positives;
      ap += (recall - prevRecall) * (tp / (tp + fp));
      prevRecall = recall;
    }
    return ap;
  });
}

/** average_precision_score: Σ (R_k − R_{k−1}) P_k over the distinct score thresholds, highest first. */
export function averagePrecision(s: Sorted | null): MaybeNumber {
  if (!s || s.pos.length === 0) return null;
  const { pos, neg } = s;
  let prevRecall = 0;
  let ap = 0;
  walkThresholds(pos, neg, (tp, fp) => {
    const recall = tp / pos.length;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  });
  return ap;
}

/** scikit-learn 1.2 clips probabilities to [eps, 1 − eps] (float64 eps), renormalises rows, then averages −log p(true). */
export const LOG_LOSS_EPS = 2.220446049250313e-16;

export function logLoss(truth: ArrayLike<number>, scores: ArrayLike<number>, columns: number, C: number): MaybeNumber {
  const n = truth.length;
  if (n === 0) return null;
  const total = new ExactSum();
  if (columns === 1 && C === 2) {
    // a binary model's one score column: rowLogLoss's arithmetic, inline (the same terms to the bit)
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      const p0 = clip(1 - s);
      const p1 = clip(s);
      const loss = -Math.log((truth[i] === 1 ? p1 : p0) / (p0 + p1));
      if (loss !== loss) return null;
      total.add(loss);
    }
    return total.value() / n;
  }
  for (let i = 0; i < n; i++) {
    const loss = rowLogLoss(truth[i]!, scores, columns, i, C);
    if (Number.isNaN(loss)) return null;
    total.add(loss);
  }
  return total.value() / n;
}

/**
 * One row's term of the log loss: −log of its class's probability, clipped, the row's probabilities
 * normalised to sum 1. (The scores are read here, not through a function given: a call through a
 * closure a probability made log loss on a million rows half as slow again.)
 */
export function rowLogLoss(truth: number, scores: ArrayLike<number>, columns: number, i: number, C: number): number {
  let sum = 0;
  for (let c = 0; c < C; c++) sum += clip(probability(scores, columns, i, c));
  return -Math.log(clip(probability(scores, columns, i, truth)) / sum);
}

function clip(p: number): number {
  return p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p;
}

/** brier_score_loss: mean squared difference between the positive-class probability and the 0/1 truth. */
export function brier(isPositive: (i: number) => boolean, score: (i: number) => number, n: number): MaybeNumber {
  if (n === 0) return null;
  const s = exactSum(n, (i) => (score(i) - (isPositive(i) ? 1 : 0)) ** 2);
  return Number.isNaN(s) ? null : s / n;
}

/**
 * Expected calibration error of the positive-class probability over `bins` equal-width bins, with
 * the bin edges of sklearn.calibration.calibration_curve (a value on an inner edge goes to the
 * lower bin): Σ_b (n_b / n) · |mean(truth in b) − mean(probability in b)|.
 */
export function ece(isPositive: (i: number) => boolean, score: (i: number) => number, n: number, bins = 10): MaybeNumber {
  if (n === 0) return null;
  const count = new Float64Array(bins);
  const sumTrue = new Float64Array(bins);
  // exact sums: the same rows in any order give the same bins
  const sumProb = Array.from({ length: bins }, () => new ExactSum());
  for (let i = 0; i < n; i++) {
    const p = score(i);
    if (!(p >= 0 && p <= 1)) return null;
    const b = eceBin(p, bins);
    count[b]!++;
    sumTrue[b]! += isPositive(i) ? 1 : 0;
    sumProb[b]!.add(p);
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) e += (count[b]! / n) * Math.abs(sumTrue[b]! / count[b]! - sumProb[b]!.value() / count[b]!);
  return e;
}

/** The bin of a probability among `bins` equal-width bins of [0, 1] (a boundary value goes to the lower bin). */
function eceBin(p: number, bins: number): number {
  const step = 1 / bins;
  let b = 0;
  while (b < bins - 1 && (b + 1) * step < p) b++;
  return b;
}

/**
 * ece of a bootstrap replicate that draws row i `weights[i]` times, from the weights: each row's bin
 * found once, each replicate's bins summed from the weights (its counts exactly; its sums of
 * probabilities as sums of weight × probability, to rounding, as the other means of a replicate).
 * Undefined when a score is not a probability (then the rows are built, and ece is undefined).
 */
export function weightedEce(isPositive: (i: number) => boolean, score: (i: number) => number, n: number, bins = 10): ((weights: Uint8Array) => MaybeNumber) | undefined {
  const bin = new Int32Array(n);
  const prob = new Float64Array(n);
  const positive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = score(i);
    if (!(p >= 0 && p <= 1)) return undefined;
    prob[i] = p;
    bin[i] = eceBin(p, bins);
    positive[i] = isPositive(i) ? 1 : 0;
  }
  const count = new Float64Array(bins);
  const sumTrue = new Float64Array(bins);
  const sumProb = new Float64Array(bins);
  return (w) => {
    count.fill(0);
    sumTrue.fill(0);
    sumProb.fill(0);
    let rows = 0;
    for (let i = 0; i < n; i++) {
      const k = w[i]!;
      if (k === 0) continue;
      const b = bin[i]!;
      rows += k;
      count[b]! += k;
      sumTrue[b]! += k * positive[i]!;
      sumProb[b]! += k * prob[i]!;
    }
    if (rows === 0) return null;
    let e = 0;
    for (let b = 0; b < bins; b++) if (count[b]! > 0) e += (count[b]! / rows) * Math.abs(sumTrue[b]! / count[b]! - sumProb[b]! / count[b]!);
    return e;
  };
}

/**
 * top_k_accuracy_score: the true class is among the k highest scores; among equal scores the
 * higher class index ranks first, as scikit-learn's reversed stable argsort orders them.
 */
export function topKAccuracy(truth: ArrayLike<number>, proba: ArrayLike<number>, C: number, k: number): MaybeNumber {
  const n = truth.length;
  if (n === 0) return null;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    const st = proba[i * C + t]!;
    let above = 0;
    for (let c = 0; c < C; c++) {
      const s = proba[i * C + c]!;
      if (s > st || (s === st && c > t)) above++;
    }
    if (above < k) hits++;
  }
  return hits / n;
}
