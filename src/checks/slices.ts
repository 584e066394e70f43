import { z } from 'zod';
import { InputError } from '../input/errors.js';
import { MAX_CATEGORIES } from '../eval/predict.js';
import { checkParams, measure, metricOptions, undefinedBecause } from './metric-options.js';
import { resample } from '../eval/metrics/index.js';
import { formatNumber } from '../report/format-value.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck, type OptionProblem } from './define.js';
import type { SliceResult } from '../report/details.js';

interface Slice {
  column: string;
  value: string;
  rows: Int32Array;
}

/** The rows of each group, as typed arrays: counted, then placed (no array or number per row). */
function groupRows<T extends Int32Array | Float64Array>(values: T, groups: number, groupOf: (v: number) => number): Int32Array[] {
  const group = new Int32Array(values.length);
  const counts = new Int32Array(groups);
  for (let i = 0; i < values.length; i++) counts[(group[i] = groupOf(values[i]!))]!++;
  const rows = Array.from(counts, (c) => new Int32Array(c));
  const filled = new Int32Array(groups);
  for (let i = 0; i < values.length; i++) rows[group[i]!]![filled[group[i]!]!++] = i;
  return rows;
}

export default defineCheck({
  type: 'slices',
  title: 'Metric per slice',
  runsModel: true,
  shards: 'passes',
  htmlPart: 'evaluation',
  mlTestScore: ['M6'],
  description: 'A metric per value of categorical columns or per numeric bin: each slice above a minimum, and no slice too far below the overall value.',
  options: {
    ...metricOptions,
    by: z.array(z.string().min(1)).min(1).optional().describe('Categorical columns: one slice per value of each'),
    bins: z
      .record(z.string().min(1), z.array(z.number()).min(1))
      .optional()
      .describe('Numeric columns with bin edges: { age: [30, 50, 70] } gives < 30, 30–50, 50–70, ≥ 70'),
    min: z.number().optional().describe('Lowest acceptable value in any slice (highest, for metrics where lower is better)'),
    max_gap: z.number().min(0).optional().describe('Largest acceptable gap between the overall value and the worst slice'),
    min_rows: z.number().int().min(1).default(30).describe('Slices with fewer rows are reported as too small, neither passed nor failed'),
  },
  needs: (o) => [{ dataset: o.dataset, models: ['model'], columns: [...(o.by ?? []), ...Object.keys(o.bins ?? {})] }],
  columns: (o) => [
    ...(o.by ? [{ dataset: o.dataset, option: ['by'], columns: o.by }] : []),
    ...(o.bins ? [{ dataset: o.dataset, option: ['bins'], columns: Object.keys(o.bins) }] : []),
  ],
  validate: (o) => {
    const problems: OptionProblem[] = [];
    const bad = checkParams(o);
    if (bad) problems.push({ option: 'metric', message: bad });
    if (!o.by && !o.bins) problems.push({ option: 'by', message: 'a slices check needs "by" (categorical columns) or "bins" (numeric columns)' });
    if (o.min === undefined && o.max_gap === undefined) problems.push({ option: 'min', message: 'a slices check needs min or max_gap: without one it could never fail' });
    for (const [col, edges] of Object.entries(o.bins ?? {})) {
      if (edges.some((e, i) => i > 0 && e <= edges[i - 1]!)) problems.push({ option: 'bins', message: `edges of "${col}" must increase` });
    }
    return problems;
  },
  async run(o, ctx) {
    const { ev, def, params, data, label, value: overall } = await measure(o, ctx);

    const slices: Slice[] = [];
    for (const column of o.by ?? []) {
      const kept = ev.columns.get(column)!;
      if (!kept.values) throw new InputError(ctx.checklist.file, `slices: column "${column}" has more than ${MAX_CATEGORIES} distinct values: slice it by bins, not by value`);
      // group g is category g; the last group holds the missing values
      const rows = groupRows(kept.codes, kept.values.length + 1, (code) => (code < 0 ? kept.values!.length : code));
      const names = [...kept.values, '(missing)'];
      const order = names.map((_, g) => g).sort((x, y) => (names[x]! < names[y]! ? -1 : names[x]! > names[y]! ? 1 : 0));
      for (const g of order) if (rows[g]!.length) slices.push({ column, value: names[g]!, rows: rows[g]! });
    }
    for (const [column, edges] of Object.entries(o.bins ?? {})) {
      const kept = ev.columns.get(column)!;
      const names = [`< ${edges[0]}`, ...edges.slice(1).map((e, i) => `${edges[i]}–${e}`), `≥ ${edges[edges.length - 1]}`];
      // bins 0 … edges.length; the last group holds the values that are missing or not numbers
      const rows = groupRows(kept.numbers, names.length + 1, (v) => {
        if (Number.isNaN(v)) return names.length;
        let b = 0;
        while (b < edges.length && v >= edges[b]!) b++;
        return b;
      });
      names.forEach((value, b) => rows[b]!.length && slices.push({ column, value, rows: rows[b]! }));
      if (rows[names.length]!.length) slices.push({ column, value: '(missing or not a number)', rows: rows[names.length]! });
    }

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
    if (gated.length === 0) findings.push({ code: 'no-slice', message: `every slice has fewer than ${o.min_rows} rows: nothing could be checked`, hint: 'lower min_rows or evaluate on more data' });
    const small = results.filter((r) => r.status === 'too_small');
    return {
      findings,
      measurements,
      summary: `${gated.length} slice${gated.length === 1 ? '' : 's'} checked${worst ? `, worst ${worst.column} = ${worst.value}: ${formatNumber(worst.metric)}` : ''}${small.length ? `, ${small.length} too small (< ${o.min_rows} rows)` : ''}`,
      details: { dataset: ctx.datasetName(o.dataset), overall, slices: [...gated, ...small] },
    };
  },
});
