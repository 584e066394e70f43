import type { Task } from '../predict.js';
import * as cls from './classification.js';
import type { MaybeNumber } from './classification.js';
import * as reg from './regression.js';
import { probability } from '../scores.js';
import { byContent, expand } from '../bootstrap.js';

/** What a metric is computed from: the evaluation's arrays, or a bootstrap resample of them. */
export interface MetricData {
  n: number;
  task: Task;
  C: number;
  positive: number;
  truth: ArrayLike<number>;
  /** n × columns, row-major (read through `probability`) */
  scores: ArrayLike<number>;
  /** columns stored per row: C, or 1 for a binary model's single score column (regression: 1) */
  columns: number;
  predicted: ArrayLike<number>;
  /** rows of the whole evaluation with a NaN or infinite score: any makes every metric undefined */
  nonFinite: number;
}

export interface MetricParams {
  average?: cls.Average;
  beta?: number;
  k?: number;
  n_bins?: number;
}

/**
 * What a metric reads of the scores: probabilities (log loss, Brier, ECE); decisions (a binary
 * decision is a threshold on a probability; a multiclass one, the argmax, is the same for logits);
 * a ranking (the same for logits when there is one score per row, binary from one column); or
 * nothing a logit would change (top-k, regression).
 */
export type ScoreUse = 'probabilities' | 'decisions' | 'ranking' | 'any';

export interface MetricDef {
  tasks: readonly Task[];
  uses: ScoreUse;
  higherIsBetter: boolean;
  /** the values it can take, bounds included (a threshold outside them is refused) */
  range: Range;
  params: readonly (keyof MetricParams)[];
  compute(d: MetricData, p: MetricParams): MaybeNumber;
  /**
   * For a metric that is a proportion k/m of rows here (accuracy, binary precision …): m, the rows it
   * counts among; its interval is then Wilson's. Undefined when it is not a plain proportion.
   */
  denominator?(d: MetricData, p: MetricParams): number | undefined;
  /**
   * The metric of a bootstrap replicate straight from each row's weight (how many times the
   * replicate draws it), where one pass over the rows' own terms, made once, gives it: what
   * `compute` gives on the rows repeated by their weights (`expand`), without building them.
   * Undefined where there is no such pass (then the replicate's rows are built).
   */
  weighted?(d: MetricData, p: MetricParams): ((weights: Uint8Array) => MaybeNumber) | undefined;
}

/** A mean of per-row terms, made once: Σ w·term / Σ w for each replicate's weights. */
function weightedMean(terms: Float64Array): (weights: Uint8Array) => MaybeNumber {
  return (w) => {
    let total = 0;
    let m = 0;
    for (let i = 0; i < terms.length; i++) {
      total += w[i]! * terms[i]!;
      m += w[i]!;
    }
    return m === 0 ? null : total / m;
  };
}

export type Range = readonly [number, number];
const SHARE: Range = [0, 1];
const NON_NEGATIVE: Range = [0, Infinity];
const CORRELATION: Range = [-1, 1];
const AT_MOST_ONE: Range = [-Infinity, 1];

const CLASSIFICATION = ['binary', 'multiclass'] as const;
const BINARY = ['binary'] as const;
const MULTICLASS = ['multiclass'] as const;
const REGRESSION = ['regression'] as const;

const pos = (d: MetricData) => (i: number) => d.truth[i] === d.positive;
const terms = (d: MetricData, term: (i: number) => number) => Float64Array.from({ length: d.n }, (_, i) => term(i));

/**
 * The positive-class scores of a binary evaluation split by truth and sorted, once per scores array:
 * every ranking metric and curve of one evaluation shares them (a bootstrap resample has scores of
 * its own, and its own sort).
 */
const sortedCache = new WeakMap<object, cls.Sorted | null>();
export function sortedBinary(d: MetricData): cls.Sorted | null {
  const key = d.scores as object;
  let s = sortedCache.get(key);
  if (s === undefined) sortedCache.set(key, (s = cls.split(d.truth, d.positive, d.scores, d.columns, d.n)));
  return s;
}
/**
 * The confusion matrix of an evaluation's decisions, counted once for every metric and check that
 * reads it (accuracy, the report's matrix: a million rows ~10 ms a count), by the arrays counted.
 */
const confusions = new WeakMap<object, { truth: object; C: number; m: number[][] }>();
export function confusionOf(d: Pick<MetricData, 'truth' | 'predicted' | 'C'>): number[][] {
  const hit = confusions.get(d.predicted as object);
  if (hit && hit.truth === d.truth && hit.C === d.C) return hit.m;
  const m = cls.confusionMatrix(d.truth, d.predicted, d.C);
  confusions.set(d.predicted as object, { truth: d.truth as object, C: d.C, m });
  return m;
}
const posScore = (d: MetricData) => (i: number) => probability(d.scores, d.columns, i, d.positive);
const counts = (d: MetricData, weights?: Uint8Array) => cls.binaryCounts(d.truth, d.predicted, d.positive, weights);

/** precision / recall / f1 / fbeta: of the positive class (binary), averaged (multiclass). */
function prf(kind: 'precision' | 'recall' | 'f1', fromCounts: (c: cls.Counts, beta: number) => MaybeNumber, denominator?: (c: cls.Counts) => number): MetricDef {
  return {
    uses: 'decisions',
    ...(denominator ? { denominator: (d: MetricData, p: MetricParams) => (d.task === 'binary' && p.average === undefined ? denominator(counts(d)) : undefined) } : {}),
    tasks: CLASSIFICATION,
    higherIsBetter: true,
    range: SHARE,
    params: kind === 'f1' ? ['average', 'beta'] : ['average'],
    compute: (d, p) =>
      d.task === 'binary' && p.average === undefined
        ? fromCounts(counts(d), p.beta ?? 1)
        : cls.averaged(kind, d.truth, d.predicted, d.C, p.average ?? 'macro', p.beta ?? 1),
    // a replicate's counts, weighted: the positive class's (binary), or the confusion matrix's (averaged)
    weighted: (d, p) =>
      d.task === 'binary' && p.average === undefined
        ? (w) => fromCounts(counts(d, w), p.beta ?? 1)
        : (w) => cls.averaged(kind, d.truth, d.predicted, d.C, p.average ?? 'macro', p.beta ?? 1, w),
  };
}

/** One-vs-rest, macro: the mean of each class's value against the rest (the same sum in the same order whichever way each is computed); undefined if any is. */
function oneVsRest(C: number, value: (c: number) => MaybeNumber): MaybeNumber {
  let sum = 0;
  for (let c = 0; c < C; c++) {
    const v = value(c);
    if (v === null) return null;
    sum += v;
  }
  return sum / C;
}

/** Every metric, by the name scikit-learn users know. */
const TABLE = {
  accuracy: { uses: 'decisions', tasks: CLASSIFICATION, higherIsBetter: true, range: SHARE, params: [], compute: (d) => cls.accuracyOf(confusionOf(d)), denominator: (d) => d.n },
  balanced_accuracy: { uses: 'decisions', tasks: CLASSIFICATION, higherIsBetter: true, range: SHARE, params: [], compute: (d) => cls.balancedAccuracy(d.truth, d.predicted, d.C), weighted: (d) => (w) => cls.balancedAccuracy(d.truth, d.predicted, d.C, w) },
  precision: prf('precision', (c) => cls.precisionOf(c), (c) => c.tp + c.fp),
  recall: prf('recall', (c) => cls.recallOf(c), (c) => c.tp + c.fn),
  f1: prf('f1', (c) => cls.fbetaOf(c, 1)),
  fbeta: { ...prf('f1', (c, beta) => cls.fbetaOf(c, beta)), params: ['average', 'beta'] },
  specificity: { uses: 'decisions', tasks: BINARY, higherIsBetter: true, range: SHARE, params: [], compute: (d) => cls.specificityOf(counts(d)), denominator: (d) => { const c = counts(d); return c.tn + c.fp; } },
  mcc: { uses: 'decisions', tasks: BINARY, higherIsBetter: true, range: CORRELATION, params: [], compute: (d) => cls.mccOf(counts(d)), weighted: (d) => (w) => cls.mccOf(counts(d, w)) },
  roc_auc: {
    uses: 'ranking',
    tasks: CLASSIFICATION,
    higherIsBetter: true,
    range: SHARE,
    params: [],
    compute: (d) => (d.task === 'binary' ? cls.rocAuc(sortedBinary(d)) : oneVsRest(d.C, (c) => cls.rocAuc(cls.split(d.truth, c, d.scores, d.columns, d.n)))),
    weighted: (d) => {
      if (d.task === 'binary') return cls.weightedRocAuc(pos(d), posScore(d), d.n);
      // each class's runs sorted once; each replicate's AUC of each class from its weights
      const classes = Array.from({ length: d.C }, (_, c) => cls.weightedRocAuc((i) => d.truth[i] === c, (i) => probability(d.scores, d.columns, i, c), d.n));
      if (classes.some((auc) => auc === undefined)) return undefined;
      return (w) => oneVsRest(d.C, (c) => classes[c]!(w));
    },
  },
  average_precision: { uses: 'ranking', tasks: BINARY, higherIsBetter: true, range: SHARE, params: [], compute: (d) => cls.averagePrecision(sortedBinary(d)), weighted: (d) => cls.weightedAveragePrecision(pos(d), posScore(d), d.n) },
  log_loss: {
    uses: 'probabilities',
    tasks: CLASSIFICATION,
    higherIsBetter: false,
    range: NON_NEGATIVE,
    params: [],
    compute: (d) => cls.logLoss(d.truth, d.scores, d.columns, d.C),
    weighted: (d) => weightedMean(terms(d, (i) => cls.rowLogLoss(d.truth[i]!, d.scores, d.columns, i, d.C))),
  },
  brier: { uses: 'probabilities', tasks: BINARY, higherIsBetter: false, range: SHARE, params: [], compute: (d) => cls.brier(pos(d), posScore(d), d.n), weighted: (d) => weightedMean(terms(d, (i) => (posScore(d)(i) - (d.truth[i] === d.positive ? 1 : 0)) ** 2)) },
  ece: { uses: 'probabilities', tasks: BINARY, higherIsBetter: false, range: SHARE, params: ['n_bins'], compute: (d, p) => cls.ece(pos(d), posScore(d), d.n, p.n_bins ?? 10), weighted: (d, p) => cls.weightedEce(pos(d), posScore(d), d.n, p.n_bins ?? 10) },
  top_k_accuracy: { uses: 'any', tasks: MULTICLASS, higherIsBetter: true, range: SHARE, params: ['k'], compute: (d, p) => cls.topKAccuracy(d.truth, d.scores, d.C, p.k ?? 2), denominator: (d) => d.n },
  mae: { uses: 'any', tasks: REGRESSION, higherIsBetter: false, range: NON_NEGATIVE, params: [], compute: (d) => reg.mae(d.truth, d.scores), weighted: (d) => weightedMean(terms(d, (i) => Math.abs(d.truth[i]! - d.scores[i]!))) },
  mse: { uses: 'any', tasks: REGRESSION, higherIsBetter: false, range: NON_NEGATIVE, params: [], compute: (d) => reg.mse(d.truth, d.scores), weighted: (d) => weightedMean(terms(d, (i) => (d.truth[i]! - d.scores[i]!) ** 2)) },
  rmse: {
    uses: 'any',
    tasks: REGRESSION,
    higherIsBetter: false,
    range: NON_NEGATIVE,
    params: [],
    compute: (d) => reg.rmse(d.truth, d.scores),
    weighted: (d) => {
      const mse = weightedMean(terms(d, (i) => (d.truth[i]! - d.scores[i]!) ** 2));
      return (w) => {
        const m = mse(w);
        return m === null ? null : Math.sqrt(m);
      };
    },
  },
  r2: { uses: 'any', tasks: REGRESSION, higherIsBetter: true, range: AT_MOST_ONE, params: [], compute: (d) => reg.r2(d.truth, d.scores), weighted: (d) => reg.weightedR2(d.truth, d.scores) },
  mape: { uses: 'any', tasks: REGRESSION, higherIsBetter: false, range: NON_NEGATIVE, params: [], compute: (d) => reg.mape(d.truth, d.scores), weighted: (d) => weightedMean(terms(d, (i) => reg.mapeTerm(d.truth[i]!, d.scores[i]!))) },
  median_ae: { uses: 'any', tasks: REGRESSION, higherIsBetter: false, range: NON_NEGATIVE, params: [], compute: (d) => reg.medianAe(d.truth, d.scores), weighted: (d) => reg.weightedMedianAe(d.truth, d.scores) },
  max_error: { uses: 'any', tasks: REGRESSION, higherIsBetter: false, range: NON_NEGATIVE, params: [], compute: (d) => reg.maxError(d.truth, d.scores), weighted: (d) => reg.weightedMaxError(d.truth, d.scores) },
  explained_variance: { uses: 'any', tasks: REGRESSION, higherIsBetter: true, range: AT_MOST_ONE, params: [], compute: (d) => reg.explainedVariance(d.truth, d.scores), weighted: (d) => reg.weightedExplainedVariance(d.truth, d.scores) },
} satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof TABLE;
/**
 * A NaN or infinite score makes every metric of its evaluation undefined: comparisons with NaN are
 * false, so counting them would quietly score those rows as some class (a wrong pass).
 */
export const METRICS = Object.fromEntries(
  Object.entries(TABLE).map(([name, def]: [string, MetricDef]) => [
    name,
    { ...def, compute: (d: MetricData, p: MetricParams) => (d.nonFinite > 0 ? null : def.compute(d, p)), ...(def.weighted ? { weighted: (d: MetricData, p: MetricParams) => (d.nonFinite > 0 ? undefined : def.weighted!(d, p)) } : {}) },
  ]),
) as Record<MetricName, MetricDef>;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function metricDef(name: MetricName): MetricDef {
  return METRICS[name];
}

/** Whether a metric needs the scores to be probabilities, given the task and how many score columns the model gave. */
export function needsProbabilities(def: MetricDef, task: Task, scoreColumns: number): boolean {
  switch (def.uses) {
    case 'probabilities':
      return true;
    case 'decisions':
      return task === 'binary';
    case 'ranking':
      return !(task === 'binary' && scoreColumns === 1);
    case 'any':
      return false;
  }
}

/**
 * Whether a metric's interval is Wilson's whatever the data: a proportion of rows (`denominator`)
 * on every task it applies to, with these parameters (accuracy; not precision, which averages over
 * classes on a multiclass task). Asked of empty data: the answer depends on the task alone.
 */
export function alwaysWilson(def: MetricDef, params: MetricParams): boolean {
  const empty = (task: Task): MetricData => ({ n: 0, task, C: 2, positive: 1, truth: [], scores: [], columns: 1, predicted: [], nonFinite: 0 });
  return def.tasks.every((task) => def.denominator?.(empty(task), params) !== undefined);
}

/** A bootstrap interval rests on at least this many rows of each class present (classification) or rows (regression). */
export const MIN_BOOTSTRAP_ROWS = { perClass: 10, regression: 30 } as const;

/**
 * Why the data are too few for a percentile bootstrap to mean anything (it would claim [1, 1] from
 * three positives), or undefined when they are enough.
 */
export function tooFewForBootstrap(d: MetricData, classes: readonly string[]): string | undefined {
  if (d.task === 'regression') return d.n < MIN_BOOTSTRAP_ROWS.regression ? `${d.n} rows, fewer than the ${MIN_BOOTSTRAP_ROWS.regression} a bootstrap interval needs` : undefined;
  const support = new Array<number>(d.C).fill(0);
  for (let i = 0; i < d.n; i++) support[d.truth[i]!]!++;
  const few = support.flatMap((s, c) => (s > 0 && s < MIN_BOOTSTRAP_ROWS.perClass ? [`${classes[c] ?? c}: ${s}`] : []));
  return few.length ? `fewer than ${MIN_BOOTSTRAP_ROWS.perClass} rows of a class (${few.join(', ')}) for a bootstrap interval` : undefined;
}

/** A metric on a bootstrap replicate given by its rows' weights: from the weights where the metric can, else on the rows repeated. */
export function replicateOf(def: MetricDef, data: MetricData, params: MetricParams): (weights: Uint8Array) => number | null {
  const fast = def.weighted?.(data, params);
  return fast ?? ((w) => def.compute(resample(data, expand(w)), params));
}

/** The rows at `idx` (with repeats), as a bootstrap resample. */
export function resample(d: MetricData, idx: Int32Array): MetricData {
  const width = d.columns;
  const truth = new Float64Array(idx.length);
  const predicted = new Int32Array(d.task === 'regression' ? 0 : idx.length);
  const scores = new Float64Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    truth[i] = d.truth[j]!;
    if (d.task !== 'regression') predicted[i] = d.predicted[j]!;
    for (let c = 0; c < width; c++) scores[i * width + c] = d.scores[j * width + c]!;
  }
  return { ...d, n: idx.length, truth, scores, predicted };
}

export type { MaybeNumber };

/**
 * The rows of one or more aligned evaluations in an order of their content (truth, then every class's
 * probability of every evaluation), with their bootstrap keys (`byContent`): the resamples, the
 * interval and the verdict that rests on it depend on the rows, not on the file's order or shards.
 */
export function canonicalOrder(datas: MetricData[]): { order: Int32Array; keys: Uint32Array } {
  const seen = canonicalCache.get(datas[0]!.scores as object) ?? [];
  const hit = seen.find((h) => h.datas.length === datas.length && h.datas.every((d, k) => sameRows(d, datas[k]!)));
  if (hit) return hit.result;
  const result = contentOrder(datas);
  canonicalCache.set(datas[0]!.scores as object, [...seen, { datas, result }]);
  return result;
}

/**
 * The canonical orders made, by the first evaluation's scores: every check of an evaluation with a
 * bootstrap interval shares one sort of its rows (a comparator over each row's content: at a
 * million rows, seconds a check).
 */
const canonicalCache = new WeakMap<object, { datas: MetricData[]; result: { order: Int32Array; keys: Uint32Array } }[]>();
const sameRows = (a: MetricData, b: MetricData) => a.scores === b.scores && a.truth === b.truth && a.n === b.n && a.columns === b.columns && a.C === b.C && a.task === b.task;

function contentOrder(datas: MetricData[]): { order: Int32Array; keys: Uint32Array } {
  const d0 = datas[0]!;
  // every class's probability in class order (a single score column read as its two), as the values a row holds
  const widths = datas.map((d) => (d.task === 'regression' ? 1 : d.C));
  const at: [MetricData, number][] = datas.flatMap((d, k) => Array.from({ length: widths[k]! }, (_, c) => [d, c] as [MetricData, number]));
  return byContent(d0.n, 1 + at.length, (i, j) => {
    if (j === 0) return d0.truth[i]!;
    const [d, c] = at[j - 1]!;
    return d.task === 'regression' ? d.scores[i]! : probability(d.scores, d.columns, i, c);
  });
}
