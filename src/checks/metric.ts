import { z } from 'zod';
import { binaryCurves, type BinaryCurves } from '../eval/curves.js';
import { joinReplicates, percentileInterval } from '../eval/bootstrap.js';
import { replicateValues } from '../eval/bootstrap-thread.js';
import { checkParams, checkThreshold, intervalOf, measure, metricOptions, paramsOf, metricBeforeRows, readsDecisions, undefinedBecause } from './metric-options.js';
import { perClass } from '../eval/metrics/classification.js';
import { canonicalOrder, confusionOf, resample, type MetricData } from '../eval/metrics/index.js';
import { CLASS_SOURCE, type Evaluation } from '../eval/predict.js';
import type { Finding, Measurement } from '../report/types.js';
import { formatNumber } from '../report/format-value.js';
import { defineCheck, type OptionProblem } from './define.js';
import type { EvaluationDetails, MetricDetails } from '../report/details.js';

export const confidenceOptions = () => ({
  confidence: z.number().gt(0).lt(1, { error: (iss) => `expected a fraction below 1 (for example 0.95 for a 95% interval), received ${String(iss.input)}` }).optional().describe('Gate on this bootstrap interval (for example 0.95) instead of the point estimate'),
  resamples: z.number().int().min(100).max(100_000).default(1000).describe('Bootstrap resamples'),
  seed: z.number().int().min(0).default(0).describe('Bootstrap seed'),
});

export default defineCheck({
  type: 'metric',
  title: 'Metric',
  runsModel: true,
  shards: 'passes',
  htmlPart: 'evaluation',
  mlTestScore: ['I4'],
  description: 'A metric of the model on a dataset, computed here as scikit-learn defines it, against thresholds, with a bootstrap interval, and against the baseline.',
  options: () => ({
    ...metricOptions(),
    min: z.number().optional().describe('Lowest acceptable value'),
    max: z.number().optional().describe('Highest acceptable value'),
    ...confidenceOptions(),
    compare: z
      .strictObject({
        to: z.literal('baseline'),
        max_regression: z.number().min(0).describe('Largest acceptable loss against the baseline (in the metric’s units, or a fraction when relative)'),
        relative: z.boolean().default(false).describe('max_regression is a fraction of the baseline’s value'),
      })
      .optional()
      .describe('Run the baseline on the same rows and gate on the difference'),
  }),
  needs: (o) => {
    // decisions alone, or the rows in any order: a shard may count them (eval/counted.ts)
    const reads = readsDecisions(o) ? ('decisions' as const) : ('multiset' as const);
    return [
      { dataset: o.dataset, models: o.compare ? ['model', 'baseline'] : ['model'], reads },
      // the interval's replicates, drawn with those of the other checks on the model's evaluation
      ...(o.confidence === undefined ? [] : [{ dataset: o.dataset, models: ['model' as const], bootstrap: { metric: o.metric, params: paramsOf(o), seed: o.seed, resamples: o.resamples }, reads }]),
    ];
  },
  beforeRows: metricBeforeRows,
  validate: (o) => {
    const problems: OptionProblem[] = [];
    const bad = checkParams(o);
    if (bad) problems.push({ option: 'metric', message: bad });
    problems.push(...checkThreshold(o, 'min', o.min, 'min'), ...checkThreshold(o, 'max', o.max, 'max'));
    if (o.min === undefined && o.max === undefined && !o.compare) problems.push({ option: 'metric', message: 'a metric check needs min, max or compare: without one it could never fail' });
    if (o.min !== undefined && o.max !== undefined && o.min > o.max) problems.push({ option: 'min', message: `min ${o.min} is above max ${o.max}` });
    return problems;
  },
  async run(o, ctx) {
    const { ev, def, params, data, label, value } = await measure(o, ctx);
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    const boot = o.confidence === undefined ? undefined : { resamples: o.resamples, confidence: o.confidence, seed: o.seed };
    const pct = o.confidence === undefined ? '' : `${Math.round(o.confidence * 1000) / 10}%`;

    const main: Measurement = { name: label, value };
    const interval = boot ? await intervalOf(ev, data, def, params, value, boot, { ctx, role: 'model', dataset: o.dataset, metric: o.metric }) : undefined;
    const { method, few, tooFew, undefinedResamples } = interval ?? {};
    if (o.min !== undefined || o.max !== undefined) main.threshold = { ...(o.min !== undefined ? { min: o.min } : {}), ...(o.max !== undefined ? { max: o.max } : {}) };
    if (interval?.ci) main.ci = interval.ci;
    if (main.threshold) {
      main.passed = gate(value, main.ci, boot !== undefined, o.min, o.max);
      const because = undefinedBecause(ev);
      if (because) findings.push({ code: 'non-finite-scores', message: `${label} is undefined: ${because}`, hint: 'the model emits NaN or infinity for these rows: see the outputs check' });
      else if (value === null) {
        const absent = absentClasses(ev);
        findings.push({
          code: 'undefined',
          message: `${label} is undefined on ${ev.n} rows of this dataset${absent.length ? ` (no row of class ${absent.join(', ')})` : ''}`,
          hint: absent.length ? 'the model knows classes this dataset has no example of' : 'for example a single class in the labels, or no predicted positives: it is not counted as a pass',
        });
      } else if (!main.passed && gate(value, undefined, false, o.min, o.max)) {
        const side = tooFew
          ? `there are ${tooFew}`
          : o.min !== undefined && (!main.ci || main.ci[0] < o.min)
            ? `the lower bound of its ${pct} interval is ${fmt(main.ci?.[0])}, below ${o.min}`
            : `the upper bound of its ${pct} interval is ${fmt(main.ci?.[1])}, above ${o.max}`;
        findings.push({ code: 'not-enough-evidence', message: `not enough evidence (n = ${ev.n}): ${label} is ${fmt(value)}, but ${side}`, hint: 'more evaluation rows narrow the interval' });
      }
    }
    measurements.push(main);

    // curves for the HTML report's charts, on the metrics they illustrate (computed when read: lazyCurves)
    const drawn = ev.task === 'binary' && CURVED.has(o.metric);
    const curved: Record<string, MetricData> = { model: data };
    if (o.compare) {
      const { data: baseData, value: baseValue } = await measure(o, ctx, 'baseline');
      curved.baseline = baseData;
      const loss = (c: number | null, b: number | null) => regressionLoss(c, b, def.higherIsBetter, o.compare!.relative);
      const regression: Measurement = { name: `${label} regression vs baseline${o.compare.relative ? ' (relative)' : ''}`, value: loss(value, baseValue), threshold: { max: o.compare.max_regression } };
      if (boot && !few && regression.value !== null) {
        // paired: both models' rows keyed by their joint content, resampled together
        // (each replicate's two values drawn on two threads when there is work enough: replicateValues)
        const { order, keys } = canonicalOrder([data, baseData]);
        const [cand, base] = await replicateValues(keys, { kind: 'metrics', datas: [resample(data, order), resample(baseData, order)], stats: [0, 1].map((d) => ({ data: d, metric: o.metric, params })) }, boot);
        const orNull = (v: number) => (Number.isNaN(v) ? null : v);
        const losses = cand!.map((c, b) => loss(orNull(c), orNull(base![b]!)) ?? NaN);
        const r = percentileInterval(joinReplicates([[losses]], boot.resamples)[0]!, boot.confidence);
        if (r.interval) regression.ci = r.interval;
      }
      const bound = boot ? regression.ci?.[1] ?? null : regression.value;
      regression.passed = bound !== null && bound !== undefined && bound <= o.compare.max_regression;
      measurements.push({ name: `${label} (baseline)`, value: baseValue }, regression);
      if (regression.value === null) findings.push({ code: 'undefined', message: `the regression against the baseline is undefined (${label}: ${fmt(value)} vs ${fmt(baseValue)})` });
      else if (!regression.passed && regression.value <= o.compare.max_regression) {
        findings.push({ code: 'not-enough-evidence', message: `not enough evidence (n = ${ev.n}) that ${label} has not regressed: ${few ? `there are ${few}` : `the upper bound of the ${pct} interval of the regression is ${fmt(regression.ci?.[1])}, above ${o.compare.max_regression}`}` });
      }
    }

    const details: MetricDetails = {
      dataset: ctx.datasetName(o.dataset),
      ...describe(ev, data),
      ...(boot && method === 'wilson' ? { interval: { method: 'wilson', confidence: boot.confidence } } : {}),
      ...(boot && method === 'bootstrap' ? { interval: { method: 'bootstrap', ...boot, undefined_resamples: undefinedResamples, ...(tooFew ? { not_computed: tooFew } : {}) } } : {}),
      ...(boot && o.compare ? { comparison_interval: { method: 'paired bootstrap', ...boot } } : {}),
    };
    if (drawn) lazyCurves(details, curved);
    return {
      findings,
      measurements,
      // the order of the score columns is said when the model itself does not carry it
      summary: `n = ${ev.n}${ev.task !== 'regression' && ev.classSource !== 'model' ? `, class order from ${CLASS_SOURCE[ev.classSource]}` : ''}${ev.scoredElsewhere ? `, scores from ${ev.scoredElsewhere.path} (${ev.scoredElsewhere.checked} rows re-scored here agree within ${ev.scoredElsewhere.tolerance})` : ''}`,
      details,
    };
  },
});

/**
 * How much worse the candidate is than the baseline (positive: worse), in the metric's units or as
 * a fraction of the baseline's value; undefined (null) when either value is, or the fraction would
 * divide by zero — and an undefined regression never passes.
 */
export function regressionLoss(candidate: number | null, baseline: number | null, higherIsBetter: boolean, relative: boolean): number | null {
  if (candidate === null || baseline === null) return null;
  const diff = higherIsBetter ? baseline - candidate : candidate - baseline;
  if (!relative) return diff;
  return baseline === 0 ? null : diff / Math.abs(baseline);
}

/**
 * `details.curves`, computed when first read (and kept): an enumerable getter, so the JSON report
 * carries them and the HTML report draws them, while a run whose reports read no curve (the
 * terminal, JUnit, SARIF...) never walks the scores for them — on a million rows, ~60 ms of the
 * work after the last row, on one core. The evaluations they are drawn from live for the whole run
 * already (the run's cache of evaluations), so holding them here keeps no more memory.
 */
function lazyCurves(details: MetricDetails, from: Record<string, MetricData>): void {
  let curves: Record<string, BinaryCurves> | undefined;
  Object.defineProperty(details, 'curves', {
    enumerable: true,
    configurable: true,
    get: () => (curves ??= Object.fromEntries(Object.entries(from).map(([role, data]) => [role, binaryCurves(data)]))),
  });
}

/** Binary metrics whose checks carry ROC, precision-recall and calibration curves (for the HTML report). */
const CURVED: ReadonlySet<string> = new Set(['roc_auc', 'average_precision', 'log_loss', 'brier', 'ece']);

/** Pass when the point (or the interval's failing-side bound) is within the thresholds; never when undefined. */
export function gate(value: number | null, ci: [number, number] | undefined, useCi: boolean, min?: number, max?: number): boolean {
  if (value === null) return false;
  if (useCi && !ci) return false;
  const lo = useCi ? ci![0] : value;
  const hi = useCi ? ci![1] : value;
  return (min === undefined || lo >= min) && (max === undefined || hi <= max);
}

function fmt(v: number | null | undefined): string {
  return v === undefined ? 'undefined' : formatNumber(v);
}

/** Classes of the model with no row in the evaluated data (they make some metrics undefined). */
function absentClasses(ev: Evaluation): string[] {
  if (ev.task === 'regression') return [];
  const support = new Array<number>(ev.classes.length).fill(0);
  for (let i = 0; i < ev.n; i++) support[ev.truth[i]!]!++;
  return ev.classes.filter((_, c) => support[c] === 0);
}

/** What the numbers rest on, for the report. */
export function describe(ev: Evaluation, data: MetricData): Omit<EvaluationDetails, 'dataset'> {
  if (ev.task === 'regression') return { n: ev.n, task: ev.task };
  const C = ev.classes.length;
  return {
    n: ev.n,
    task: ev.task,
    classes: ev.classes,
    class_source: ev.classSource,
    ...(ev.task === 'binary' ? { positive: ev.classes[ev.positive], threshold: ev.threshold } : {}),
    confusion_matrix: confusionOf({ truth: data.truth, predicted: data.predicted, C }),
    ...(ev.task === 'multiclass'
      ? { per_class: perClass(data.truth, data.predicted, C).map((s, c) => ({ class: ev.classes[c], ...s })) }
      : {}),
  };
}
