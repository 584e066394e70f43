import { z } from 'zod';
import { InputError } from '../input/errors.js';
import { alwaysWilson, canonicalOrder, METRIC_NAMES, METRICS, needsProbabilities, replicateOf, resample, tooFewForBootstrap, type MetricData, type MetricDef, type MetricName, type MetricParams } from '../eval/metrics/index.js';
import { percentileInterval, wilsonInterval, type BootstrapResult } from '../eval/bootstrap.js';
import { replicatesOnThreads } from '../eval/bootstrap-thread.js';
import type { Evaluation, ModelBeforeRows, Task } from '../eval/predict.js';
import type { ModelRole, RunContext } from './context.js';
import type { BootstrapNeed } from './needs.js';
import type { OptionProblem } from './define.js';

/** The options that choose a metric, shared by the metric and slices checks. */
export const metricOptions = () => ({
  dataset: z.string().optional().describe('Dataset name (default: the only dataset, or "holdout")'),
  metric: z.enum(METRIC_NAMES as [MetricName, ...MetricName[]]).describe('scikit-learn name of the metric'),
  average: z.enum(['macro', 'micro', 'weighted']).optional().describe('precision, recall, f1, fbeta: how classes are averaged (multiclass default macro)'),
  beta: z.number().positive().optional().describe('fbeta: weight of recall'),
  k: z.number().int().min(1).optional().describe('top_k_accuracy: k (default 2)'),
  n_bins: z.number().int().min(2).max(1000).optional().describe('ece: number of equal-width bins (default 10)'),
});

export interface MetricChoice {
  metric: MetricName;
  average?: 'macro' | 'micro' | 'weighted';
  beta?: number;
  k?: number;
  n_bins?: number;
}

export function paramsOf(o: MetricChoice): MetricParams {
  return { average: o.average, beta: o.beta, k: o.k, n_bins: o.n_bins };
}

/** A label for reports: "f1 (macro)", "top_k_accuracy (k=3)". */
export function metricLabel(o: MetricChoice): string {
  const extra = [o.average, o.beta !== undefined ? `beta=${o.beta}` : undefined, o.k !== undefined ? `k=${o.k}` : undefined, o.n_bins !== undefined ? `bins=${o.n_bins}` : undefined].filter(Boolean);
  return extra.length ? `${o.metric} (${extra.join(', ')})` : o.metric;
}

/** Parameters that do not apply to the metric are refused rather than ignored. */
export function checkParams(o: MetricChoice): string | undefined {
  const def = METRICS[o.metric];
  for (const p of ['average', 'beta', 'k', 'n_bins'] as const) {
    if (o[p] !== undefined && !(def.params as readonly string[]).includes(p)) return `${p} does not apply to ${o.metric}`;
  }
  return undefined;
}

/**
 * A threshold outside the values the metric can take is refused: beyond them the check could never
 * pass (`min: 85` on accuracy, a percentage) or never fail (`max: 1.5` on brier).
 */
export function checkThreshold(o: MetricChoice, option: string, value: number | undefined, acts: 'min' | 'max'): OptionProblem[] {
  if (value === undefined) return [];
  const [lo, hi] = METRICS[o.metric].range;
  if (value >= lo && value <= hi) return [];
  const never = (acts === 'min') === value > hi ? 'pass' : 'fail';
  const bound = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(x));
  const range = `${lo === -Infinity ? '(' : '['}${bound(lo)}, ${bound(hi)}${hi === Infinity ? ')' : ']'}`;
  // 85 for 0.85; not 1.5, which is no percentage anyone gates on
  const percent = Math.abs(value) >= 10 && value / 100 >= lo && value / 100 <= hi;
  return [{ option, message: `${option} ${value} is outside the values ${o.metric} can take, ${range}: the check could never ${never}`, ...(percent ? { hint: `a percentage? write ${value / 100}` } : {}) }];
}

export function metricData(ev: Evaluation): MetricData {
  return { n: ev.n, task: ev.task, C: ev.classes.length, columns: ev.task === 'regression' ? 1 : ev.scoreColumns, positive: ev.positive, truth: ev.truth, scores: ev.scores, predicted: ev.predicted, nonFinite: ev.nonFinite.rows };
}

/** Refuses a metric that does not apply to the task `role`'s model was read as (the hint names that model's keys). */
export function ensureApplies(o: MetricChoice, ev: Evaluation, file: string, role: ModelRole): void {
  const no = notApplying(o, ev.task, role);
  if (no) throw new InputError(file, `metric ${no.message}`, undefined, no.hint);
}

/**
 * A metric that does not apply to the task a model is read as, or that needs probabilities of scores
 * the graph says are not (refuseNonProbabilities' rule, told the same way), before any row
 * (CheckDefinition.beforeRows): the problem, at `metric`. A ranking on a binary model's scores
 * needs probabilities only when they come in two columns: told when the graph fixes the columns.
 */
export function metricBeforeRows(o: Partial<MetricChoice>, model: ModelBeforeRows, role: ModelRole): OptionProblem[] {
  if (o.metric === undefined) return [];
  const no = notApplying(o as MetricChoice, model.task, role);
  if (no) return [{ option: 'metric', ...no }];
  const def = METRICS[o.metric];
  if (!model.rawScores || (def.uses === 'ranking' && model.task === 'binary' && model.scoreColumns === undefined)) return [];
  if (!needsProbabilities(def, model.task, model.scoreColumns ?? 1)) return [];
  return [{ option: 'metric', message: `${o.metric} needs probabilities, but the scores of output "${model.scores}" are not: ${model.rawScores}`, hint: notProbabilitiesHint('graph', role, model.others) }];
}

function notApplying(o: MetricChoice, task: Task, role: ModelRole): { message: string; hint: string } | undefined {
  const def = METRICS[o.metric];
  if ((def.tasks as readonly string[]).includes(task)) return undefined;
  // a classifier exported with one probability a row and no class labels (PyTorch's sigmoid) reads as a regression
  const why = task === 'regression' ? `; a model whose output is one float a row, with no class labels, is read as a regression unless the checklist sets its task (${role}.task: binary, with ${role}.positive)` : '';
  return { message: `${o.metric} does not apply to a ${task} ${role === 'baseline' ? 'baseline' : 'model'}`, hint: `it applies to ${def.tasks.join(', ')}${why}` };
}

/** Why every metric of an evaluation is undefined, when one reason covers them all (non-finite scores). */
export function undefinedBecause(ev: Evaluation): string | undefined {
  const { rows, first } = ev.nonFinite;
  if (rows === 0) return undefined;
  const more = rows > first.length ? `, and ${rows - first.length} more` : '';
  return `${rows} of ${ev.n} rows have a NaN or infinite score (${ev.rowUnit} ${first.join(', ')}${more}): every metric of this evaluation is undefined`;
}

/** What to do about scores the graph says are raw (Evaluation.notProbabilities by 'graph'): say what they are. */
export const rawScoresHint = (role: string) => `set ${role}.outputs.kind: logits if the model ends at logits, or probabilities if they are probabilities all the same`;

/**
 * A metric that needs probabilities is never computed on scores that are not (logits, raw scores):
 * log loss of logits, or a 0.5 threshold on a logit, would be a number with no meaning.
 */
export function refuseNonProbabilities(o: MetricChoice, ev: Evaluation, role: string = 'model'): void {
  if (!ev.notProbabilities || !needsProbabilities(METRICS[o.metric], ev.task, ev.scoreColumns)) return;
  const { reason, by } = ev.notProbabilities;
  throw new Error(`${o.metric} needs probabilities, but the scores of output "${ev.outputs.scores}" are not: ${reason} (${notProbabilitiesHint(by, role, ev.outputs.others)})`);
}

/** What to do about scores that are not probabilities, by what says so: set outputs.kind, or name the output that holds them. */
function notProbabilitiesHint(by: 'values' | 'graph', role: string, others: string[] | undefined): string {
  const other = others?.length ? `; if its output ${others.map((n) => `"${n}"`).join(' or ')} holds the probabilities, set ${role}.outputs.scores to it` : '';
  return `${by === 'graph' ? rawScoresHint(role) : `if the model ends at logits, set ${role}.outputs.kind: logits`}${other}`;
}

/**
 * Whether a metric check reads only the labels and the models' decisions (DatasetNeed.reads): a
 * decision metric with no interval, or Wilson's whatever the data, and no paired bootstrap.
 */
export function readsDecisions(o: MetricChoice & { confidence?: number; compare?: unknown }): boolean {
  const def = METRICS[o.metric];
  return def.uses === 'decisions' && (o.confidence === undefined || (o.compare === undefined && alwaysWilson(def, paramsOf(o))));
}

/** The metric a check names, on the model's predictions for its dataset: shared by metric and slices. */
export async function measure(o: MetricChoice & { dataset?: string }, ctx: RunContext, role: ModelRole = 'model') {
  const ev = await ctx.evaluation(role, o.dataset);
  ensureApplies(o, ev, ctx.checklist.file, role);
  refuseNonProbabilities(o, ev, role);
  const def = METRICS[o.metric];
  if (ev.counted === 'decisions' && def.uses !== 'decisions') throw new Error(`internal: ${o.metric} reads scores, but the shards counted decisions only`);
  const params = paramsOf(o);
  const data = metricData(ev);
  return { ev, def, params, data, label: metricLabel(o), value: def.compute(data, params) };
}

/** A metric's interval, and why there is none. */
export interface MetricInterval {
  method: 'wilson' | 'bootstrap';
  ci?: [number, number];
  /** why a bootstrap would mean nothing here (too few rows of a class), whichever the method */
  few?: string;
  /** the same, when it is why this interval was not computed */
  tooFew?: string;
  undefinedResamples?: number;
}

/**
 * The interval of a metric's value: Wilson's for a proportion of rows (accuracy, binary precision
 * …), a percentile bootstrap with Poisson weights keyed by the rows' content for any other metric, when
 * there are enough rows of each class for one to mean anything. An undefined value (NaN scores)
 * has none: it fails whatever its interval.
 */
export async function intervalOf(ev: Evaluation, data: MetricData, def: MetricDef, params: MetricParams, value: number | null, boot: { resamples: number; confidence: number; seed: number }, shared: SharedFrom): Promise<MetricInterval> {
  const how = intervalKind(ev, data, def, params);
  if (how.kind === 'wilson') {
    const ci = value === null ? null : wilsonInterval(Math.round(value * how.denominator), how.denominator, boot.confidence);
    return { method: 'wilson', ...(ci ? { ci } : {}), ...(how.few ? { few: how.few } : {}) };
  }
  if (how.kind === 'too-few') return { method: 'bootstrap', few: how.few, tooFew: how.few };
  if (value === null) return { method: 'bootstrap' };
  if (ev.counted === 'decisions') throw new Error('internal: a bootstrap interval on rows the shards counted by decision');
  const r = await sharedReplicates(shared, ev, data, params, boot);
  return { method: 'bootstrap', ...(r.interval ? { ci: r.interval } : {}), undefinedResamples: r.undefinedResamples };
}

/**
 * How a metric's interval is had on an evaluation, its value aside: Wilson's for a proportion of
 * rows (with its denominator), none when a class has too few rows for a bootstrap to mean anything,
 * else a bootstrap. intervalOf follows it, and sharedReplicates draws for the metrics it sends to one.
 */
function intervalKind(ev: Evaluation, data: MetricData, def: MetricDef, params: MetricParams): { kind: 'wilson'; denominator: number; few?: string } | { kind: 'too-few'; few: string } | { kind: 'bootstrap' } {
  const denominator = def.denominator?.(data, params);
  const few = tooFewForBootstrap(data, ev.classes);
  if (denominator !== undefined) return { kind: 'wilson', denominator, ...(few ? { few } : {}) };
  return few ? { kind: 'too-few', few } : { kind: 'bootstrap' };
}

/** Where a check's evaluation comes from, for replicates shared with the other checks planned on it. */
export interface SharedFrom {
  ctx: RunContext;
  role: ModelRole;
  dataset: string | undefined;
  metric: MetricName;
  /** metrics to draw with it beside the planned ones (a check's own others: the claims of a card) */
  also?: readonly BootstrapNeed[];
}

const metricKey = (metric: string, params: MetricParams) => JSON.stringify([metric, params]);

/**
 * A metric's bootstrap interval from replicates drawn together with those of every check planned on
 * the same evaluation with the same seed and number of resamples (DatasetNeed.bootstrap): the first
 * of them draws each replicate's weights once for all (at a million rows, a few seconds a check
 * saved), the others read theirs. The values are those each would have drawn alone: the same weights,
 * the same statistic, so the same interval to the bit.
 */
async function sharedReplicates(from: SharedFrom, ev: Evaluation, data: MetricData, params: MetricParams, boot: { resamples: number; confidence: number; seed: number }): Promise<BootstrapResult> {
  const { metric } = from;
  const group = JSON.stringify([from.role, from.ctx.datasetName(from.dataset), boot.seed, boot.resamples]);
  let drawn = from.ctx.replicates.get(group);
  if (!drawn) from.ctx.replicates.set(group, (drawn = { byMetric: new Map(), draws: 0 }));
  // a draw still under way for this group (a check past its time limit goes on in the background)
  await drawn.drawing;
  const { byMetric } = drawn;
  if (!byMetric.has(metricKey(metric, params))) {
    // the planned metrics that will draw replicates here (those that refuse the evaluation, or take
    // Wilson's interval, never ask), this one among them
    const planned = [{ metric, params }, ...[...(from.also ?? []), ...from.ctx.plannedBootstraps(from.role, from.dataset)].filter((b) => b.seed === boot.seed && b.resamples === boot.resamples)];
    const members = [...new Map(planned.filter((b) => !byMetric.has(metricKey(b.metric, b.params)) && draws(ev, data, METRICS[b.metric], b.params)).map((b) => [metricKey(b.metric, b.params), b])).values()];
    const { order, keys } = canonicalOrder([data]);
    const rows = resample(data, order);
    const drawing = replicatesOnThreads(keys, rows, members, boot);
    drawn.drawing = drawing.then(() => undefined, () => undefined);
    (await drawing).forEach((r, j) => byMetric.set(metricKey(members[j]!.metric, members[j]!.params), r));
    drawn.draws++;
  }
  return percentileInterval(byMetric.get(metricKey(metric, params))!, boot.confidence);
}

/**
 * Whether a metric's check on this evaluation gets as far as a bootstrap: measure does not refuse
 * it (the task, scores that are not probabilities), its value is not undefined by a non-finite
 * score, and intervalKind sends it to one.
 */
function draws(ev: Evaluation, data: MetricData, def: MetricDef, params: MetricParams): boolean {
  if (!(def.tasks as readonly string[]).includes(ev.task) || (ev.notProbabilities && needsProbabilities(def, ev.task, ev.scoreColumns))) return false;
  return data.nonFinite === 0 && intervalKind(ev, data, def, params).kind === 'bootstrap';
}
