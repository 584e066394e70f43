import { z } from 'zod';
import { probability } from '../eval/scores.js';
import { InputError } from '../input/errors.js';
import { byContent } from '../eval/bootstrap.js';
import { disparityIntervals } from '../eval/bootstrap-thread.js';
import type { Evaluation, Task } from '../eval/predict.js';
import { MAX_CATEGORIES } from '../eval/predict.js';
import { formatNumber } from '../report/format-value.js';
import type { FairnessDetails, FairnessGroup } from '../report/details.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck, type OptionProblem } from './define.js';
import { metricBeforeRows, refuseNonProbabilities, undefinedBecause } from './metric-options.js';
import { count, DISPARITIES, disparity, rate, type Counts, type Disparity, type Rate } from '../eval/rates.js';

/** The option that gates each disparity: a largest difference, or a smallest ratio. */
const OPTION_OF: Record<Disparity, string> = {
  demographic_parity_difference: 'max_demographic_parity_difference',
  demographic_parity_ratio: 'min_demographic_parity_ratio',
  equal_opportunity_difference: 'max_equal_opportunity_difference',
  false_positive_rate_difference: 'max_false_positive_rate_difference',
  equalized_odds_difference: 'max_equalized_odds_difference',
};

/** The four-fifths rule of the US EEOC's Uniform Guidelines: a selection rate below 80% of the highest is evidence of adverse impact. */
const FOUR_FIFTHS = 0.8;

/** Each row's group: a category of one column, or of the pair of two; names sorted; missing values are a group of their own. */
function groupsOf(ev: Evaluation, columns: string[], file: string): { group: Int32Array; names: string[] } {
  const kept = columns.map((c) => {
    const k = ev.columns.get(c)!;
    if (!k.values) throw new InputError(file, `fairness: column "${c}" has more than ${MAX_CATEGORIES} distinct values: a sensitive attribute is a category`);
    return k;
  });
  const label = (c: number, code: number) => (code < 0 ? '(missing)' : kept[c]!.values![code]!);
  // a row's combination of codes numbered column by column (the combination so far times the next
  // column's codes + 1, renumbered densely, so the numbers stay below rows × categories): no string
  // a row; a combination's name is made once, from the first row that has it
  const raw = new Int32Array(ev.n);
  let combinations = 1;
  for (const k of kept) {
    const radix = k.values!.length + 1;
    const dense = new Map<number, number>();
    for (let i = 0; i < ev.n; i++) {
      const key = raw[i]! * radix + (k.codes[i]! + 1);
      let g = dense.get(key);
      if (g === undefined) dense.set(key, (g = dense.size));
      raw[i] = g;
    }
    combinations = dense.size;
  }
  const firstRow = new Array<number>(combinations).fill(-1);
  for (let i = 0; i < ev.n; i++) if (firstRow[raw[i]!] === -1) firstRow[raw[i]!] = i;
  const nameOf = (i: number) => kept.map((k, c) => (columns.length === 1 ? label(c, k.codes[i]!) : `${columns[c]} = ${label(c, k.codes[i]!)}`)).join(', ');
  const seen = firstRow.map(nameOf);
  // group numbers in the order of their names (code-unit order): the same whatever the rows' order;
  // two combinations written alike (a value holding ", b = ") are one group, as their name says
  const names = [...new Set(seen)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = new Map(names.map((name, g) => [name, g]));
  const to = Int32Array.from(seen, (name) => at.get(name)!);
  for (let i = 0; i < ev.n; i++) raw[i] = to[raw[i]!]!;
  return { group: raw, names };
}

/**
 * The rows in an order of their content (group, label, decision, score), with their bootstrap keys:
 * the resamples are the same whatever order the file lists the rows in.
 */
function contentOrder(ev: Evaluation, group: Int32Array): { order: Int32Array; keys: Uint32Array } {
  const row = [(i: number) => group[i]!, (i: number) => ev.truth[i]!, (i: number) => ev.predicted[i]!, (i: number) => probability(ev.scores, ev.scoreColumns, i, ev.positive)];
  return byContent(ev.n, row.length, (i, j) => row[j]!(i));
}

const thresholds = () => ({
  max_demographic_parity_difference: z.number().min(0).max(1).optional().describe('Largest acceptable gap between the highest and the lowest selection rate of the groups'),
  min_demographic_parity_ratio: z.number().min(0).max(1).optional().describe('Smallest acceptable ratio of the lowest to the highest selection rate'),
  four_fifths: z.boolean().default(false).describe('The four-fifths rule: min_demographic_parity_ratio 0.8'),
  max_equal_opportunity_difference: z.number().min(0).max(1).optional().describe('Largest acceptable gap between the groups’ true-positive rates (recall)'),
  max_false_positive_rate_difference: z.number().min(0).max(1).optional().describe('Largest acceptable gap between the groups’ false-positive rates'),
  max_equalized_odds_difference: z.number().min(0).max(1).optional().describe('Largest acceptable of the true- and false-positive-rate gaps'),
});

/** Fairness's rule on the model's task: its rates are those of a positive class (checked before any row where the task is known, and when the check runs). */
function forTask(task: Task): OptionProblem[] {
  return task === 'binary' ? [] : [{ option: 'type', message: `fairness applies to a binary model; this one is ${task}`, hint: 'the rates it compares (selection, true and false positives) are those of a positive class' }];
}

export default defineCheck({
  type: 'fairness',
  title: 'Fairness',
  runsModel: true,
  shards: 'passes',
  htmlPart: 'evaluation',
  mlTestScore: ['M7'],
  description: 'Gaps between the groups of a sensitive attribute (or of two, intersected) in selection rate, true- and false-positive rate, as Fairlearn defines them, each gated on its bootstrap interval; groups too small to judge are reported, not judged.',
  options: () => ({
    dataset: z.string().optional().describe('Dataset name (default: the only dataset, or "holdout")'),
    sensitive: z
      .union([z.string().min(1), z.array(z.string().min(1)).length(2)])
      .describe('The sensitive column, or two columns whose every combination of values is a group'),
    ...thresholds(),
    min_group_rows: z.number().int().min(1).default(30).describe('A group with fewer rows in a rate’s denominator (all its rows, its positives, its negatives) is reported and not judged on that rate'),
    confidence: z.number().gt(0).lt(1).default(0.95).describe('Gate on this bootstrap interval: the upper bound of a difference, the lower bound of a ratio'),
    resamples: z.number().int().min(100).max(100_000).default(1000).describe('Bootstrap resamples'),
    seed: z.number().int().min(0).default(0).describe('Bootstrap seed'),
  }),
  // counts by group, groups sorted, a bootstrap in an order of the rows' content: the rows in any order
  needs: (o) => [{ dataset: o.dataset, models: ['model'], columns: sensitiveColumns(o.sensitive), reads: 'multiset' }],
  columns: (o) => [{ dataset: o.dataset, option: ['sensitive'], columns: sensitiveColumns(o.sensitive) }],
  beforeRows: (_o, model, role) => [...forTask(model.task), ...metricBeforeRows({ metric: 'accuracy' }, model, role).map((p) => ({ ...p, option: 'type' }))],
  validate: (o) => {
    const problems: OptionProblem[] = [];
    if (!gated(o).length) problems.push({ option: 'max_demographic_parity_difference', message: 'a fairness check needs a threshold (max_demographic_parity_difference, min_demographic_parity_ratio or four_fifths, max_equal_opportunity_difference, max_false_positive_rate_difference, max_equalized_odds_difference): without one it could never fail' });
    if (o.four_fifths && o.min_demographic_parity_ratio !== undefined) problems.push({ option: 'four_fifths', message: 'four_fifths sets min_demographic_parity_ratio to 0.8: give one or the other' });
    const cols = sensitiveColumns(o.sensitive);
    if (cols.length === 2 && cols[0] === cols[1]) problems.push({ option: 'sensitive', message: `"${cols[0]}" intersected with itself: name two different columns` });
    return problems;
  },
  async run(o, ctx) {
    const ev = await ctx.evaluation('model', o.dataset);
    const file = ctx.checklist.file;
    for (const p of forTask(ev.task)) throw new InputError(file, p.message, undefined, p.hint);
    // the decisions are accuracy's (the more probable class, or the checklist's threshold): they need probabilities as accuracy does
    refuseNonProbabilities({ metric: 'accuracy' }, ev);
    const columns = sensitiveColumns(o.sensitive);
    const { group, names } = groupsOf(ev, columns, file);
    const G = names.length;
    const counts = count(G, group, ev.truth, ev.predicted, ev.positive);
    const because = undefinedBecause(ev);

    const { order, keys } = contentOrder(ev, group);
    const sorted = { group: Int32Array.from(order, (i) => group[i]!), truth: Int32Array.from(order, (i) => ev.truth[i]!), predicted: Int32Array.from(order, (i) => ev.predicted[i]!) };
    const boot = { resamples: o.resamples, confidence: o.confidence, seed: o.seed };
    const pct = `${Math.round(o.confidence * 1000) / 10}%`;
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    const results: FairnessDetails['disparities'] = [];
    const gates = gated(o);
    const values = gates.map(({ disparity: d }) => (because ? null : disparity(counts, d, o.min_group_rows)));
    // one set of resamples for every disparity: each resample's counts made once
    // (on two threads when there is work enough: disparityIntervals)
    const intervals = values.some((v) => v !== null)
      ? await disparityIntervals(keys, { kind: 'disparities', groups: G, ...sorted, positive: ev.positive, disparities: gates.map((g) => g.disparity), minGroupRows: o.min_group_rows }, boot)
      : undefined;
    for (const [j, { disparity: d, threshold }] of gates.entries()) {
      const ratio = DISPARITIES[d].kind === 'ratio';
      const value = values[j] ?? null;
      const r = value === null ? undefined : intervals![j]!;
      const ci = r?.interval ?? undefined;
      const bound = ci ? (ratio ? ci[0] : ci[1]) : null;
      const passed = bound !== null && (ratio ? bound >= threshold : bound <= threshold);
      measurements.push({ name: d, value, threshold: ratio ? { min: threshold } : { max: threshold }, ...(ci ? { ci } : {}), passed });
      results.push({ name: d, value, ...(ci ? { ci } : {}), threshold, passed, ...(r ? { undefined_resamples: r.undefinedResamples } : {}) });
      if (because) continue;
      if (value === null) {
        findings.push({ code: 'undefined', message: `${d} is undefined: ${undefinedWhy(counts, d, o.min_group_rows, names)}`, hint: 'lower min_group_rows or evaluate on more rows' });
      } else if (!passed && (ratio ? value >= threshold : value <= threshold)) {
        findings.push({ code: 'not-enough-evidence', message: `not enough evidence (n = ${ev.n}): ${d} is ${formatNumber(value)}, but the ${ratio ? 'lower' : 'upper'} bound of its ${pct} interval is ${ci ? formatNumber(bound!) : 'undefined'}, ${ratio ? 'below' : 'above'} ${threshold}`, hint: 'more evaluation rows narrow the interval' });
      }
    }
    if (because) findings.push({ code: 'non-finite-scores', message: `every disparity is undefined: ${because}` });
    const groups = names.map((name, g): FairnessGroup => {
      const judged = (r: Rate) => rate(counts, g, r).of >= o.min_group_rows;
      const value = (r: Rate) => (rate(counts, g, r).of ? rate(counts, g, r).value : null);
      return {
        group: name, n: counts.n[g]!, positives: counts.positives[g]!,
        selection_rate: value('selection_rate'), true_positive_rate: value('true_positive_rate'), false_positive_rate: value('false_positive_rate'),
        judged: (['selection_rate', 'true_positive_rate', 'false_positive_rate'] as const).filter(judged),
      };
    });
    const small = groups.filter((g) => g.judged.length < 3).length;
    const worst = results.find((r) => !r.passed);
    return {
      findings,
      measurements,
      summary: `${G} group${G === 1 ? '' : 's'} of ${columns.join(' × ')}${small ? ` (${small} too small to judge on every rate, < ${o.min_group_rows} rows)` : ''}${worst ? '' : `; every disparity within its threshold at ${pct}`}`,
      details: { dataset: ctx.datasetName(o.dataset), sensitive: columns, confidence: o.confidence, min_group_rows: o.min_group_rows, groups, disparities: results },
    };
  },
});

function sensitiveColumns(s: string | string[]): string[] {
  return typeof s === 'string' ? [s] : s;
}

/** The disparities a check gates, with their thresholds, in the order of DISPARITIES. */
function gated(o: { four_fifths: boolean } & Partial<Record<string, unknown>>): { disparity: Disparity; threshold: number }[] {
  return (Object.keys(DISPARITIES) as Disparity[]).flatMap((d) => {
    const t = d === 'demographic_parity_ratio' && o.four_fifths ? FOUR_FIFTHS : o[OPTION_OF[d]];
    return typeof t === 'number' ? [{ disparity: d, threshold: t }] : [];
  });
}

function undefinedWhy(c: Counts, d: Disparity, minRows: number, names: string[]): string {
  for (const r of DISPARITIES[d].rates) {
    const judged = names.filter((_, g) => rate(c, g, r).of >= minRows);
    if (judged.length < 2) {
      const of = r === 'selection_rate' ? 'rows' : r === 'true_positive_rate' ? 'positive rows' : 'negative rows';
      // the largest groups first, at most five named: a column of many values would fill a screen
      const sizes = names.map((n, g) => ({ n, of: rate(c, g, r).of })).sort((a, b) => b.of - a.of);
      const listed = sizes.slice(0, 5).map((x) => `${x.n}: ${x.of}`).join('; ');
      const more = sizes.length > 5 ? `; and ${sizes.length - 5} more groups, the sensitive column has ${sizes.length} distinct values: cut a number into a few categories first` : '';
      return `fewer than two groups have ${minRows} ${of} or more (${listed}${more})`;
    }
  }
  return 'the highest selection rate is 0';
}
