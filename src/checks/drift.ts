import { z } from 'zod';
import { probability } from '../eval/scores.js';
import { cellAt, isNumberColumn } from '../eval/datasets/types.js';
import { labelKey, numberAt } from '../eval/cells.js';
import * as S from '../eval/drift/stats.js';
import type { ModelRole, RunContext } from './context.js';
import { InputError } from '../input/errors.js';
import { columnIndex } from '../eval/datasets/index.js';
import { inputPath } from '../spec/fields.js';
import { parseProfile, type Profile } from './profile.js';
import type { Evaluation } from '../eval/predict.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck, type OptionProblem } from './define.js';
import { once } from '../input/once.js';

const METHODS = ['auto', 'ks', 'chisquare', 'psi', 'wasserstein', 'jensenshannon'] as const;
type Method = Exclude<(typeof METHODS)[number], 'auto'>;
const P_VALUE: ReadonlySet<Method> = new Set(['ks', 'chisquare']);
/** Default thresholds: a p-value below, or a distance at or above, means drift (Evidently's defaults). */
const DEFAULT_THRESHOLD: Record<Method, number> = { ks: 0.05, chisquare: 0.05, psi: 0.1, wasserstein: 0.1, jensenshannon: 0.1 };

const columnRule = once(() =>
  z.strictObject({ method: z.enum(METHODS).optional(), threshold: z.number().positive().optional() }),
);

export default defineCheck({
  type: 'drift',
  title: 'Data drift',
  runsModel: (o) => o.predictions,
  shards: 'passes',
  htmlPart: 'drift',
  mlTestScore: ['MON3'],
  description: 'Per-column drift between a reference dataset and a current one, with a verdict on the share of drifted columns.',
  options: () => ({
    reference: z
      .union([z.string(), z.strictObject({ profile: inputPath().describe('A profile written by deploy-check profile') })])
      .describe('Dataset the model was validated on, or { profile: file }'),
    current: z.string().describe('Dataset to compare with it'),
    columns: z.array(z.string().min(1)).min(1).optional().describe('Columns to compare (default: every column of both but the labels)'),
    method: z.enum(METHODS).default('auto').describe('auto chooses by size and type, as Evidently does'),
    threshold: z.number().positive().optional().describe("For the method: a p-value below it, or a distance at or above it, is drift (default: the method's)"),
    per_column: z.record(z.string().min(1), columnRule()).default({}).describe('Method and threshold per column'),
    drift_share: z.number().gt(0).max(1).default(0.5).describe('The dataset drifts when at least this share of its columns drift'),
    correction: z.enum(['bh', 'bonferroni', 'none']).default('bh').describe('Correction of p-values for the number of columns tested'),
    min_effect: z.number().min(0).default(0).describe('p-value tests: also require this effect size (KS statistic, Cramér’s V)'),
    bins: z.number().int().min(2).max(1000).default(10).describe('Reference-quantile bins for psi and jensenshannon on numbers'),
    predictions: z.boolean().default(false).describe("Also compare the model's scores on both sets (prediction drift)"),
  }),
  needs: (o) => {
    const models: ModelRole[] = o.predictions ? ['model'] : [];
    const columnStats = { ...(o.columns ? { only: o.columns } : {}) };
    // the scores' distribution (distinct values and their counts): the rows in any order
    const reads = 'multiset' as const;
    return [...(typeof o.reference === 'string' ? [{ dataset: o.reference, option: ['reference'], models, columnStats, reads }] : []), { dataset: o.current, option: ['current'], models, columnStats, reads }];
  },
  columns: (o) =>
    [o.current, ...(typeof o.reference === 'string' ? [o.reference] : [])].flatMap((dataset) => [
      ...(o.columns ? [{ dataset, option: ['columns'], columns: o.columns }] : []),
      { dataset, option: ['per_column'], columns: Object.keys(o.per_column) },
    ]),
  validate: (o) => {
    const problems: OptionProblem[] = [];
    if (o.reference === o.current) problems.push({ option: 'current', message: 'compares a dataset with itself' });
    return problems;
  },
  async run(o, ctx) {
    const ref = typeof o.reference === 'string' ? await fromDataset(ctx, o.reference, o.columns) : fromProfile(parseProfile(await ctx.readText(o.reference.profile), ctx.display(o.reference.profile)));
    const cur = await fromDataset(ctx, o.current, o.columns);
    const labels = new Set([ref.label, cur.label].filter((x): x is string => Boolean(x)));
    const columns = o.columns ?? ref.names.filter((c) => cur.names.includes(c) && !labels.has(c));
    for (const c of columns) {
      for (const d of [ref, cur]) columnIndex({ path: d.path, columns: d.names }, c, 'drift check');
    }
    const pairs = columns.map((column) => ({ column, r: ref.columns.get(column)!, c: cur.columns.get(column)! }));
    if (o.predictions) {
      const refScores = ref.scores ?? (typeof o.reference === 'string' ? scoresOf(await ctx.evaluation('model', o.reference)) : undefined);
      if (!refScores) throw new InputError(ctx.display((o.reference as { profile: string }).profile), 'the profile has no scores (its dataset had no label)', undefined, 'predictions: false, or a profile of a labelled dataset');
      pairs.push({ column: 'model score', r: numericData(S.distributionOf(refScores)), c: numericData(S.distributionOf(scoresOf(await ctx.evaluation('model', o.current)))) });
    }

    // a column without a single value on one side cannot be compared: that is a failure, never "no drift"
    const isEmpty = (d: ColumnData) => (d.numbers ? d.numbers.n === 0 : d.counts().size === 0);
    const empty = pairs.flatMap(({ column, r, c }) => (isEmpty(r) || isEmpty(c) ? [{ column, side: isEmpty(r) && isEmpty(c) ? 'either dataset' : isEmpty(r) ? `the reference (${ref.path})` : `the current data (${cur.path})` }] : []));
    const results = judge(pairs.filter(({ column }) => !empty.some((e) => e.column === column)), ref.rows, o);
    const drifted = results.filter((r) => r.drifted);
    const share = results.length ? drifted.length / results.length : 0;
    const datasetDrift = share >= o.drift_share;
    const findings = driftFindings(results, empty, { drifted, share, datasetDrift, driftShare: o.drift_share });
    const measurements: Measurement[] = [
      { name: 'share of drifted columns', value: share, passed: !datasetDrift },
      ...results.map((r) => ({
        name: `${r.column} (${r.method}${P_VALUE.has(r.method) ? ', p-value' : ''})`,
        value: P_VALUE.has(r.method) ? r.adjusted! : r.value,
        threshold: P_VALUE.has(r.method) ? { min: r.threshold } : { max: r.threshold },
      })),
      ...empty.map((e) => ({ name: `${e.column} (no values)`, value: null, passed: false })),
    ];
    return {
      findings,
      measurements,
      summary: `${drifted.length} of ${results.length} columns drifted${drifted.length ? ` (${drifted.slice(0, 3).map((d) => d.column).join(', ')}${drifted.length > 3 ? ', …' : ''})` : ''}${empty.length ? `; ${empty.length} without values` : ''}`,
      details: {
        reference: typeof o.reference === 'string' ? { dataset: o.reference, rows: ref.rows } : { profile: ctx.display(o.reference.profile), rows: ref.rows },
        current: { dataset: o.current, rows: cur.rows },
        correction: o.correction,
        columns: results.map((r) => ({
          column: r.column,
          type: r.numeric ? 'numeric' : 'categorical',
          method: r.method,
          ...(P_VALUE.has(r.method) ? { statistic: r.statistic, p_value: r.value, p_value_adjusted: r.adjusted, effect: r.effect } : { distance: r.value }),
          ...(r.unseen.length ? { unseen_categories: r.unseen.length } : {}),
          threshold: r.threshold,
          drifted: r.drifted,
        })),
      },
    };
  },
});


type Pair = { column: string; r: ColumnData; c: ColumnData };
/** The options the verdict per column reads. */
type Options = {
  method: (typeof METHODS)[number];
  threshold?: number;
  per_column: Record<string, z.output<ReturnType<typeof columnRule>>>;
  correction: 'bh' | 'bonferroni' | 'none';
  min_effect: number;
  bins: number;
};

/** Each column's method, statistic and verdict: p-values corrected for the number of columns tested; most drifted first. */
function judge(pairs: Pair[], referenceRows: number, o: Options) {
const results = pairs.map(({ column, r, c }) => {
    const numeric = r.numbers !== undefined && c.numbers !== undefined;
    const rule = Object.hasOwn(o.per_column, column) ? o.per_column[column]! : {};
    let method = (rule.method ?? o.method) as (typeof METHODS)[number];
    if (method === 'auto') {
      if (referenceRows <= 1000) method = numeric && S.distributionOf(r.numbers!).values.length > 5 ? 'ks' : 'chisquare';
      else method = numeric ? 'wasserstein' : 'jensenshannon';
    }
    if ((method === 'ks' || method === 'wasserstein') && !numeric) method = 'chisquare';
    const threshold = rule.threshold ?? o.threshold ?? DEFAULT_THRESHOLD[method];
    // a category the reference never had is drift on its own, whatever the statistic says of its share
    const seen = !numeric || method === 'chisquare' ? r.counts() : undefined; // counts() of numbers builds a map: once
    const unseen = seen ? [...c.counts()].filter(([k]) => !seen.has(k)) : [];
    return { column, method, threshold, numeric, unseen, ...statistic(method, r, c, numeric, o.bins) };
  });

  // p-values are corrected for the number of columns tested
  const tested = results.filter((r) => P_VALUE.has(r.method));
  const adjusted = o.correction === 'bh' ? S.benjaminiHochberg(tested.map((t) => t.value)) : tested.map((t) => (o.correction === 'bonferroni' ? Math.min(1, t.value * tested.length) : t.value));
  tested.forEach((t, i) => (t.adjusted = adjusted[i]!));
  for (const r of results) {
    r.drifted = r.unseen.length > 0 || (P_VALUE.has(r.method) ? r.adjusted! < r.threshold && (r.effect ?? 0) >= o.min_effect : r.value >= r.threshold);
  }
  // most drifted first: by how far past (or short of) its threshold each column is
  const severity = (r: (typeof results)[number]) => (P_VALUE.has(r.method) ? r.threshold / Math.max(r.adjusted!, 1e-300) : r.value / r.threshold);
  results.sort((a, b) => Number(b.drifted) - Number(a.drifted) || severity(b) - severity(a));

  return results;
}

/** The findings of a drift check: nothing compared, empty columns, unseen categories, dataset drift. */
function driftFindings(results: ReturnType<typeof judge>, empty: { column: string; side: string }[], f: { drifted: ReturnType<typeof judge>; share: number; datasetDrift: boolean; driftShare: number }): Finding[] {
  const findings: Finding[] = [];
  if (results.length === 0 && empty.length === 0) {
    // nothing compared is not "no drift"
    findings.push({ code: 'no-columns', message: 'no column to compare: the two datasets share no column besides their labels', hint: 'name the columns to compare' });
  }
  if (empty.length) {
    findings.push({
      code: 'empty-column',
      message: `${empty.length} column${empty.length === 1 ? ' has' : 's have'} no value to compare: ${empty.slice(0, 5).map((e) => `${e.column} (none in ${e.side})`).join(', ')}${empty.length > 5 ? ', …' : ''}`,
      hint: 'every value is missing: drift cannot be measured on it',
    });
  }
  for (const r of results.filter((x) => x.unseen.length)) {
    const rows = r.unseen.reduce((a, [, n]) => a + n, 0);
    findings.push({
      code: 'unseen-category',
      message: `column "${r.column}" has ${r.unseen.length} value${r.unseen.length === 1 ? '' : 's'} the reference never had (${r.unseen.slice(0, 5).map(([k, n]) => `${JSON.stringify(k)}: ${n} row${n === 1 ? '' : 's'}`).join(', ')}${r.unseen.length > 5 ? ', …' : ''}; ${rows} row${rows === 1 ? '' : 's'} in all)`,
      hint: 'the model never saw these values: a new category is drift whatever its share',
    });
  }
  if (f.datasetDrift) {
    findings.push({
      code: 'dataset-drift',
      message: `${f.drifted.length} of ${results.length} columns drifted (${Math.round(f.share * 100)}%; ${Math.round(f.driftShare * 100)}% or more is dataset drift): ${f.drifted.slice(0, 5).map((d) => d.column).join(', ')}${f.drifted.length > 5 ? ', …' : ''}`,
      hint: 'the current data no longer looks like the data the model was validated on',
    });
  }
  return findings;
}

interface Stat {
  /** the p-value for tests, the distance otherwise: what the threshold applies to */
  value: number;
  /** the test statistic (KS D, chi-square) */
  statistic?: number;
  effect?: number;
  adjusted?: number;
  drifted?: boolean;
}

/** A column as the statistics need it: its numbers (when numeric) and its value counts. */
interface ColumnData {
  numbers?: S.Distribution;
  counts(): Map<string, number>;
}

function statistic(method: Method, r: ColumnData, c: ColumnData, numeric: boolean, bins: number): Stat {
  if (numeric && method !== 'chisquare') {
    const a = r.numbers!;
    const b = c.numbers!;
    switch (method) {
      case 'ks': {
        const d = S.ksStatistic(a, b);
        return { value: S.ksPValue(d, a.n, b.n), statistic: d, effect: d };
      }
      case 'wasserstein': {
        const sd = S.std(a);
        return { value: S.wasserstein(a, b) / (sd === 0 ? 1 : sd) };
      }
      default: {
        const edges = S.quantileEdges(a, bins);
        const [rc, cc] = [S.binCounts(a, edges), S.binCounts(b, edges)];
        return { value: method === 'psi' ? S.psi(rc, cc) : S.jensenShannon(rc, cc) };
      }
    }
  }
  // categories of both sets: values never seen in the reference count against it
  const rm = r.counts();
  const cm = c.counts();
  const keys = [...new Set([...rm.keys(), ...cm.keys()])];
  const rc = keys.map((k) => rm.get(k) ?? 0);
  const cc = keys.map((k) => cm.get(k) ?? 0);
  if (method === 'chisquare' || method === 'ks' || method === 'wasserstein') {
    const t = S.chiSquare(rc, cc);
    return { value: t.pValue, statistic: t.statistic, effect: t.cramersV };
  }
  return { value: method === 'psi' ? S.psi(rc, cc) : S.jensenShannon(rc, cc) };
}

function numericData(d: S.Distribution): ColumnData {
  return {
    numbers: d,
    counts: () => {
      const m = new Map<string, number>();
      for (let i = 0; i < d.values.length; i++) m.set(labelKey(d.values[i], true)!, d.counts[i]!);
      return m;
    },
  };
}

/** The score each row's drift is measured on: the positive-class probability, the top probability, or the value. */
function scoresOf(ev: Evaluation): Float64Array {
  if (ev.task === 'regression') return ev.scores instanceof Float64Array ? ev.scores : Float64Array.from(ev.scores);
  const C = ev.classes.length;
  return Float64Array.from({ length: ev.n }, (_, i) => (ev.task === 'binary' ? probability(ev.scores, ev.scoreColumns, i, ev.positive) : Math.max(...ev.scores.subarray(i * C, (i + 1) * C))));
}

interface Columns {
  path: string;
  names: string[];
  label: string | undefined;
  columns: Map<string, ColumnData>;
  rows: number;
  scores?: Float64Array;
}

/** A dataset's columns, from one pass (eval/drift/columns.ts), or from the shards' states in a merge. */
async function fromDataset(ctx: RunContext, name: string, only: string[] | undefined): Promise<Columns> {
  const c = await ctx.columnStats(name, only);
  const columns = new Map<string, ColumnData>([...c.read.columns].map(([column, r]) => [column, 'numbers' in r ? numericData(r.numbers) : { counts: () => r.counts }]));
  return { path: c.path, names: c.columns, label: c.label, columns, rows: c.read.rows };
}

/** A profile as a reference: numeric columns by their seeded sample, categories by their counts. */
function fromProfile(p: Profile): Columns {
  const columns = new Map<string, ColumnData>(
    p.columns.map(({ name, profile }) => [
      name,
      profile.type === 'numeric'
        ? numericData(S.distributionOf(Float64Array.from(profile.sample)))
        : { counts: () => new Map(profile.categories) },
    ]),
  );
  return { path: p.dataset.path, names: p.columns.map((c) => c.name), label: undefined, columns, rows: p.dataset.rows, ...(p.scores ? { scores: Float64Array.from(p.scores.sample) } : {}) };
}
