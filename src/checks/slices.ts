import { z } from 'zod';
import { InputError } from '../input/errors.js';
import { MAX_CATEGORIES, type Evaluation } from '../eval/predict.js';
import { checkParams, checkThreshold, measure, metricOptions, metricBeforeRows, undefinedBecause } from './metric-options.js';
import { METRICS, resample, type MetricData, type MetricDef, type MetricParams } from '../eval/metrics/index.js';
import { binLevels, categoryLevels, crossLevels, searchLevels, slicesOf, testSlices, type Levels, type Slice } from '../eval/slices.js';
import { formatNumber } from '../report/format-value.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck, type OptionProblem } from './define.js';
import type { SliceResult, SearchedSlice } from '../report/details.js';
import { once } from '../input/once.js';

/** A text column with more values than this is left out of the search. */
const SEARCH_CATEGORIES = 20;

const byEntry = once(() =>
  z.union([z.string().min(1), z.array(z.string().min(1)).length(2)]),
);
const columnsOf = (by: (string | string[])[] | undefined) => (by ?? []).flatMap((b) => (typeof b === 'string' ? [b] : b));

export default defineCheck({
  type: 'slices',
  title: 'Metric per slice',
  runsModel: true,
  shards: 'passes',
  htmlPart: 'evaluation',
  mlTestScore: ['M6'],
  description: 'A metric per value of categorical columns (or of pairs of them) or per numeric bin, each slice above a minimum and no slice too far below the overall value; or a search of single columns and pairs for weak slices, with false discoveries controlled.',
  options: () => ({
    ...metricOptions(),
    by: z.array(byEntry()).min(1).optional().describe('Categorical columns: one slice per value of each; a pair [a, b]: one slice per combination of their values'),
    bins: z
      .record(z.string().min(1), z.array(z.number()).min(1))
      .optional()
      .describe('Numeric columns with bin edges: { age: [30, 50, 70] } gives < 30, 30–50, 50–70, ≥ 70'),
    min: z.number().optional().describe('Lowest acceptable value in any slice (highest, for metrics where lower is better)'),
    max_gap: z.number().min(0).optional().describe('Largest acceptable gap between the overall value and the worst slice'),
    min_rows: z.number().int().min(1).default(30).describe('Slices with fewer rows are reported as too small, neither passed nor failed'),
    search: z
      .strictObject({
        columns: z.array(z.string().min(1)).min(1).describe('Columns to search: numbers cut at their quartiles, text by value (at most 20 values)'),
        pairs: z.boolean().default(true).describe('Also every pair of these columns'),
        fdr: z.number().gt(0).lt(1).default(0.05).describe('False discovery rate (Benjamini-Hochberg) of the slices reported as worse than the rest'),
        top: z.number().int().min(1).max(100).default(5).describe('Weak slices reported (and gated), worst first'),
        confidence: z.number().gt(0).lt(1).default(0.95).describe('Wilson interval of each slice reported'),
      })
      .optional()
      .describe('Search single columns and pairs for slices significantly worse than the rest of the rows; the metric must be a proportion of rows (accuracy, binary precision or recall …)'),
  }),
  // metrics of subsets, categories sorted, numbers cut at quantiles: functions of the rows in any order
  needs: (o) => [{ dataset: o.dataset, models: ['model'], columns: [...new Set([...columnsOf(o.by), ...Object.keys(o.bins ?? {}), ...(o.search?.columns ?? [])])], reads: 'multiset' }],
  columns: (o) => [
    ...(o.by ? [{ dataset: o.dataset, option: ['by'], columns: columnsOf(o.by) }] : []),
    ...(o.search ? [{ dataset: o.dataset, option: ['search', 'columns'], columns: o.search.columns }] : []),
    ...(o.bins ? [{ dataset: o.dataset, option: ['bins'], columns: Object.keys(o.bins) }] : []),
  ],
  beforeRows: metricBeforeRows,
  validate: (o) => {
    const problems: OptionProblem[] = [];
    const bad = checkParams(o);
    if (bad) problems.push({ option: 'metric', message: bad });
    // min is the highest acceptable value of a metric where lower is better
    problems.push(...checkThreshold(o, 'min', o.min, METRICS[o.metric].higherIsBetter ? 'min' : 'max'));
    if (!o.by && !o.bins && !o.search) problems.push({ option: 'by', message: 'a slices check needs "by" (categorical columns), "bins" (numeric columns) or "search"' });
    for (const b of o.by ?? []) if (typeof b !== 'string' && b[0] === b[1]) problems.push({ option: 'by', message: `"${b[0]}" paired with itself: name two different columns` });
    if (o.min === undefined && o.max_gap === undefined) problems.push({ option: 'min', message: 'a slices check needs min or max_gap: without one it could never fail' });
    for (const [col, edges] of Object.entries(o.bins ?? {})) {
      if (edges.some((e, i) => i > 0 && e <= edges[i - 1]!)) problems.push({ option: 'bins', message: `edges of "${col}" must increase` });
    }
    return problems;
  },
  async run(o, ctx) {
    const { ev, def, params, data, label, value: overall } = await measure(o, ctx);

    const slices: Slice[] = [];
    for (const b of o.by ?? []) {
      const [first, second] = (typeof b === 'string' ? [b] : b).map((c) => categoriesOf(ev, c, ctx.checklist.file));
      slices.push(...sorted(slicesOf(second ? crossLevels(first!, second) : first!)));
    }
    for (const [column, edges] of Object.entries(o.bins ?? {})) slices.push(...slicesOf(binLevels(column, ev.columns.get(column)!, edges)));
    const worse = (a: number, b: number) => (def.higherIsBetter ? a < b : a > b);
    const results = slices.map((s): SliceResult => {
      const value = def.compute(resample(data, s.rows), params);
      const small = s.rows.length < o.min_rows;
      const belowMin = o.min !== undefined && (value === null || worse(value, o.min));
      return { column: s.column, value: s.value, n: s.rows.length, metric: value, status: small ? 'too_small' : value === null ? 'undefined' : belowMin ? 'fail' : 'pass' };
    });
    const gated = results.filter((r) => r.status !== 'too_small');
    // worst first: undefined, then by value on the failing side
    gated.sort((a, b) => (a.metric === null ? -1 : b.metric === null ? 1 : def.higherIsBetter ? a.metric - b.metric : b.metric - a.metric));

    const findings: Finding[] = [];
    const because = undefinedBecause(ev);
    if (because) findings.push({ code: 'non-finite-scores', message: `${label} is undefined in every slice: ${because}` });
    const measurements: Measurement[] = [{ name: `${label} overall`, value: overall }];
    for (const r of gated) {
      const m: Measurement = { name: `${label} [${r.column} = ${r.value}] (n = ${r.n})`, value: r.metric };
      if (o.min !== undefined) {
        m.threshold = def.higherIsBetter ? { min: o.min } : { max: o.min };
        m.passed = r.status === 'pass';
      } else if (r.metric === null) m.passed = false;
      measurements.push(m);
      if (r.status === 'undefined' && !because) findings.push({ code: 'undefined', message: `${label} is undefined in the slice ${r.column} = ${r.value} (n = ${r.n})` });
    }
    const worst = gated.find((r) => r.metric !== null);
    if (o.max_gap !== undefined) {
      const gap = overall === null || !worst ? null : def.higherIsBetter ? overall - worst.metric! : worst.metric! - overall;
      measurements.push({ name: `${label} gap to the worst slice${worst ? ` (${worst.column} = ${worst.value})` : ''}`, value: gap, threshold: { max: o.max_gap }, passed: gap !== null && gap <= o.max_gap });
    }
    const searched = o.search ? search(o.search, label, o.min_rows, ev, data, def, params, ctx.checklist.file) : undefined;
    for (const r of searched?.reported ?? []) {
      const m: Measurement = { name: `${label} [${r.column} = ${r.value}] (n = ${r.n}, found by the search)`, value: r.metric, ...(r.ci ? { ci: r.ci } : {}) };
      if (o.min !== undefined) {
        m.threshold = def.higherIsBetter ? { min: o.min } : { max: o.min };
        m.passed = !worse(r.metric, o.min);
      }
      measurements.push(m);
    }
    const weakest = searched?.reported[0];
    if (o.max_gap !== undefined && weakest && overall !== null && (!worst || worse(weakest.metric, worst.metric!))) {
      const gap = def.higherIsBetter ? overall - weakest.metric : weakest.metric - overall;
      measurements.push({ name: `${label} gap to the weakest slice found (${weakest.column} = ${weakest.value})`, value: gap, threshold: { max: o.max_gap }, passed: gap <= o.max_gap });
    }
    if (gated.length === 0 && !o.search) findings.push({ code: 'no-slice', message: `every slice has fewer than ${o.min_rows} rows: nothing could be checked`, hint: 'lower min_rows or evaluate on more data' });
    const small = results.filter((r) => r.status === 'too_small');
    return {
      findings,
      measurements,
      summary: `${gated.length} slice${gated.length === 1 ? '' : 's'} checked${worst ? `, worst ${worst.column} = ${worst.value}: ${formatNumber(worst.metric)}` : ''}${small.length ? `, ${small.length} too small (< ${o.min_rows} rows)` : ''}${searched ? `; search: ${searched.tested} slices tested, ${searched.discoveries} worse than the rest at FDR ${o.search!.fdr}` : ''}`,
      details: { dataset: ctx.datasetName(o.dataset), overall, slices: [...gated, ...small], ...(searched ? { search: { tested: searched.tested, discoveries: searched.discoveries, fdr: o.search!.fdr, skipped: searched.skipped, slices: searched.reported } } : {}) },
    };
  },
});

function categoriesOf(ev: Evaluation, column: string, file: string): Levels {
  const kept = ev.columns.get(column)!;
  if (!kept.values) throw new InputError(file, `slices: column "${column}" has more than ${MAX_CATEGORIES} distinct values: slice it by bins, not by value`);
  return categoryLevels(column, kept);
}

/** Slices in the order of their values' names (code-unit order). */
function sorted(slices: Slice[]): Slice[] {
  return slices.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/**
 * The search: every level of each column and, with pairs, every combination of two columns'
 * levels; the slices worse than the rest at the false discovery rate, worst first, the first `top`.
 */
function search(o: { columns: string[]; pairs: boolean; fdr: number; top: number; confidence: number }, label: string, minRows: number, ev: Evaluation, data: MetricData, def: MetricDef, params: MetricParams, file: string) {
  if (def.denominator?.(data, params) === undefined) throw new InputError(file, `slices: search needs a metric that is a proportion of rows (accuracy; binary precision, recall or specificity), not ${label}`, undefined, 'the search tests each slice against the rest of the rows with a two-proportion test');
  const cuts = o.columns.map((c) => ({ column: c, levels: searchLevels(c, ev.columns.get(c)!, SEARCH_CATEGORIES) }));
  const usable = cuts.flatMap((c) => (c.levels ? [c.levels] : []));
  const candidates = usable.flatMap(slicesOf);
  if (o.pairs) for (let i = 0; i < usable.length; i++) for (let j = i + 1; j < usable.length; j++) candidates.push(...slicesOf(crossLevels(usable[i]!, usable[j]!)));
  const tested = testSlices(data, def, params, candidates, minRows, o.confidence);
  const found = tested.filter((t) => t.pAdjusted <= o.fdr);
  found.sort((a, b) => (def.higherIsBetter ? a.value - b.value : b.value - a.value) || a.pAdjusted - b.pAdjusted);
  const reported = found.slice(0, o.top).map((t): SearchedSlice => ({ column: t.slice.column, value: t.slice.value, n: t.slice.rows.length, metric: t.value, ...(t.ci ? { ci: t.ci } : {}), p_value: t.p, p_adjusted: t.pAdjusted }));
  return { tested: tested.length, discoveries: found.length, reported, skipped: cuts.filter((c) => !c.levels).map((c) => c.column) };
}
