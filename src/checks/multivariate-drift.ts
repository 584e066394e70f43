import { z } from 'zod';
import { labelKey, parseNumber } from '../eval/cells.js';
import { cellAt } from '../eval/datasets/types.js';
import { recordHash } from '../eval/datasets/part.js';
import { crossFitted, type Design } from '../eval/domain.js';
import { delongInterval } from '../eval/metrics/delong.js';
import { formatNumber } from '../report/format-value.js';
import type { MultivariateDriftDetails } from '../report/details.js';
import type { Finding, Measurement } from '../report/types.js';
import type { RunContext } from './context.js';
import { defineCheck, type OptionProblem } from './define.js';
import { once } from '../input/once.js';

/** Numeric columns beyond this many get no pairwise products (their number grows as the square). */
const MAX_INTERACTING = 12;
/** A text column with more categories than this is left out (one indicator per category). */
const MAX_CATEGORIES = 20;

const encoder = new TextEncoder();

/**
 * The rows of a dataset the classifier sees: all of them, or the `max` whose content hashes lowest
 * (bottom-k sampling: the same rows whatever the order of the file), each with its hash.
 */
async function sampleRows(ctx: RunContext, dataset: string, columns: string[], max: number): Promise<Sample> {
  const { source } = await ctx.dataset(dataset);
  let kept: { hash: number; cells: string[] }[] = [];
  let total = 0;
  const want = columns.map((c) => ({ index: source.columns.indexOf(c), as: 'cell' as const }));
  // under --shard, this shard's part: the bottom k of the whole file is among the shards' bottom k
  for await (const b of source.batches(want, 8192, { reuse: true, ...(ctx.part ? { part: ctx.part } : {}) })) {
    for (let i = 0; i < b.n; i++) {
      const cells = b.cells.map((col) => labelKey(cellAt(col, i), true) ?? '');
      const bytes = encoder.encode(cells.join('\u0000'));
      kept.push({ hash: recordHash(bytes, 0, bytes.length), cells });
      total++;
    }
    if (kept.length > 2 * max) kept = bottom(kept, max);
  }
  return { rows: bottom(kept, max), total, path: source.path, fileRows: ctx.evidenceOf(source.path)!.rows! };
}

interface Sample {
  rows: { hash: number; cells: string[] }[];
  /** rows read (a shard's part) */
  total: number;
  path: string;
  /** rows of the whole file */
  fileRows: number;
}

/** A shard's tally: the columns, and each dataset's bottom-k rows and rows read. */
interface SamplesTally {
  columns: string[];
  max: number;
  samples: [Sample, Sample];
}

const sampleSchema = once(() =>
  z.strictObject({ rows: z.array(z.strictObject({ hash: z.number().int().min(0), cells: z.array(z.string()) })), total: z.number().int().min(0), path: z.string(), fileRows: z.number().int().min(0) }),
);
const samplesSchema = once(() =>
  z.strictObject({ columns: z.array(z.string()), max: z.number().int().min(1), samples: z.tuple([sampleSchema(), sampleSchema()]) }),
);

/** The shards' samples as one: each dataset's bottom k of the shards' bottom k (the whole file's), rows added up. */
function mergeSamples(values: unknown[]): SamplesTally {
  const parts = values.map((v, s) => {
    const parsed = samplesSchema().safeParse(v);
    if (!parsed.success) throw new Error(`shard ${s}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    if (parsed.data.samples.some((x) => x.rows.some((r) => r.cells.length !== parsed.data.columns.length))) throw new Error(`shard ${s}: a sampled row without a value per column`);
    return parsed.data;
  });
  const head = parts[0]!;
  if (parts.some((p) => JSON.stringify([p.columns, p.max, p.samples.map((x) => x.path)]) !== JSON.stringify([head.columns, head.max, head.samples.map((x) => x.path)]))) throw new Error('not the samples of the same datasets and columns in every shard');
  const joined = (k: 0 | 1): Sample => {
    const { path, fileRows } = head.samples[k];
    const total = parts.reduce((t, p) => t + p.samples[k].total, 0);
    if (total !== fileRows || parts.some((p) => p.samples[k].fileRows !== fileRows)) throw new Error(`the shards sampled from ${total} rows, but ${path} has ${fileRows}`);
    return { rows: bottom(parts.flatMap((p) => p.samples[k].rows), head.max), total, path, fileRows };
  };
  return { columns: head.columns, max: head.max, samples: [joined(0), joined(1)] };
}

function bottom(rows: { hash: number; cells: string[] }[], k: number) {
  return rows.sort((a, b) => a.hash - b.hash || (a.cells.join('\u0000') < b.cells.join('\u0000') ? -1 : 1)).slice(0, k);
}

/**
 * The classifier's features: each numeric column standardised on both datasets together (a missing
 * value at the mean, with an indicator), its square, and the product of every pair (so that a change
 * in how two columns move together shows); each text column as one indicator per category.
 */
function design(rows: string[][], columns: string[]): { design: Design; skipped: { column: string; why: string }[]; interactions: boolean } {
  const n = rows.length;
  const feats: { values: Float64Array; of: number[] }[] = [];
  const skipped: { column: string; why: string }[] = [];
  const numeric: number[] = [];
  columns.forEach((column, c) => {
    const parsed = rows.map((r) => parseNumber(r[c]!));
    if (parsed.every((v) => v.ok || v.missing)) {
      const values = parsed.filter((v) => v.ok).map((v) => (v as { value: number }).value);
      const mean = values.reduce((s, v) => s + v, 0) / (values.length || 1);
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length || 1));
      if (!(sd > 0)) return skipped.push({ column, why: 'constant' });
      feats.push({ values: Float64Array.from(parsed, (v) => (v.ok ? (v.value - mean) / sd : 0)), of: [c] });
      if (values.length < n) feats.push({ values: Float64Array.from(parsed, (v) => (v.ok ? 0 : 1)), of: [c] });
      numeric.push(feats.length - (values.length < n ? 2 : 1));
      return;
    }
    const categories = [...new Set(rows.map((r) => r[c]!))].sort();
    if (categories.length > MAX_CATEGORIES) return skipped.push({ column, why: `more than ${MAX_CATEGORIES} categories` });
    for (const cat of categories) feats.push({ values: Float64Array.from(rows, (r) => (r[c] === cat ? 1 : 0)), of: [c] });
  });
  const interactions = numeric.length <= MAX_INTERACTING;
  const base = [...numeric];
  for (const a of base) feats.push({ values: feats[a]!.values.map((v) => v * v), of: feats[a]!.of });
  if (interactions) {
    for (let i = 0; i < base.length; i++) {
      for (let j = i + 1; j < base.length; j++) {
        const [a, b] = [feats[base[i]!]!, feats[base[j]!]!];
        feats.push({ values: a.values.map((v, k) => v * b.values[k]!), of: [a.of[0]!, b.of[0]!] });
      }
    }
  }
  const p = feats.length;
  const X = new Float64Array(n * p);
  feats.forEach((f, j) => f.values.forEach((v, i) => (X[i * p + j] = v)));
  return { design: { X, p, of: feats.map((f) => f.of) }, skipped, interactions };
}

export default defineCheck({
  type: 'multivariate-drift',
  title: 'Multivariate drift',
  runsModel: false,
  // each shard samples its part of both datasets; the merge keeps the bottom k of the shards' samples
  shards: 'tallies',
  htmlPart: 'drift',
  mlTestScore: ['MON3'],
  description: 'A domain classifier, cross-fitted here, tells the current dataset from the reference: its ROC AUC, with DeLong’s interval, catches drift in how columns move together that per-column tests miss, and names the columns that drive it.',
  options: () => ({
    reference: z.string().describe('The reference dataset (for example the training set)'),
    current: z.string().describe('The dataset to compare with it'),
    columns: z.array(z.string().min(1)).min(1).optional().describe('Columns the classifier sees (default: every column of both but the labels)'),
    max_auc: z.number().gt(0.5).lt(1).default(0.6).describe('Drift when the lower bound of the AUC’s interval is above this (0.5: the datasets cannot be told apart)'),
    confidence: z.number().gt(0).lt(1).default(0.95).describe('The AUC’s interval (DeLong)'),
    folds: z.number().int().min(2).max(10).default(5).describe('Cross-fitting folds (chosen by a hash of each row’s content)'),
    max_rows: z.number().int().min(100).max(100_000).default(2000).describe('Rows of each dataset the classifier sees at most (those whose content hashes lowest)'),
    C: z.number().positive().default(1).describe('Inverse L2 penalty of the logistic regression, as scikit-learn’s C'),
  }),
  needs: (o) => [{ dataset: o.reference, option: ['reference'], models: [] }, { dataset: o.current, option: ['current'], models: [] }],
  columns: (o) => (o.columns ? [o.reference, o.current].map((dataset) => ({ dataset, option: ['columns'], columns: o.columns! })) : []),
  validate: (o) => {
    const problems: OptionProblem[] = [];
    if (o.reference === o.current) problems.push({ option: 'current', message: 'compares a dataset with itself' });
    return problems;
  },
  async run(o, ctx) {
    const { columns, samples: [a, b] } = ctx.merging ? (ctx.mergedTally(o.id) as SamplesTally) : await readSamples(o, ctx);
    const rows = [...a.rows, ...b.rows];
    const fromCurrent = Uint8Array.from(rows, (_, i) => (i < a.rows.length ? 0 : 1));
    const fold = Uint8Array.from(rows, (r) => (r.hash >>> 16) % o.folds);
    const built = design(rows.map((r) => r.cells), columns);
    const findings: Finding[] = [];
    const fit = built.design.p ? crossFitted(built.design, fromCurrent, fold, o.folds, o.C) : undefined;
    const result = fit?.auc;
    const ci = result ? delongInterval(result.auc, result.variance, o.confidence) : undefined;
    // each column's share of the classifier's weight (the features are standardised: comparable)
    const weight = new Float64Array(columns.length);
    if (fit) built.design.of.forEach((of, j) => of.forEach((c) => (weight[c]! += fit.weights[j]! / of.length)));
    const totalWeight = weight.reduce((s, w) => s + w, 0) || 1;
    const drivers = columns.map((column, c) => ({ column, share: weight[c]! / totalWeight })).filter((d) => d.share > 0).sort((x, y) => y.share - x.share);
    const drifted = ci !== undefined && ci[0] > o.max_auc;
    const pct = `${Math.round(o.confidence * 1000) / 10}%`;
    const top = drivers.slice(0, 3).map((d) => `${d.column} (${Math.round(d.share * 100)}%)`).join(', ');
    if (!result) findings.push({ code: 'undefined', message: `the domain classifier could not be measured: ${built.design.p ? 'fewer than two rows of a dataset' : 'no column to learn from'}` });
    else if (drifted) findings.push({ code: 'drift', message: `${o.current} can be told from ${o.reference}: domain-classifier ROC AUC ${formatNumber(result.auc)} [${formatNumber(ci![0])}, ${formatNumber(ci![1])}], its ${pct} lower bound above ${o.max_auc}; driven by ${top}`, hint: 'compare how these columns move together in both datasets: a change per column would show in the drift check' });
    const measurements: Measurement[] = [{ name: 'domain classifier ROC AUC', value: result?.auc ?? null, ...(ci ? { ci } : {}), threshold: { max: o.max_auc }, passed: result !== null && result !== undefined && !drifted }];
    const details: MultivariateDriftDetails = {
      reference: { dataset: o.reference, rows: a.total, sampled: a.rows.length },
      current: { dataset: o.current, rows: b.total, sampled: b.rows.length },
      auc: result?.auc ?? null,
      ...(ci ? { ci } : {}),
      max_auc: o.max_auc,
      features: built.design.p,
      interactions: built.interactions,
      drivers,
      skipped: built.skipped,
    };
    return {
      findings,
      measurements,
      summary: `${o.current} against ${o.reference}: domain-classifier ROC AUC ${formatNumber(result?.auc ?? null)}${ci ? ` [${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : ''}, no drift at ${pct} (${columns.length - built.skipped.length} columns, ${built.design.p} features${built.interactions ? ' with pairwise products' : ''})`,
      details,
    };
  },
  tally: {
    async read(o, ctx) {
      const value = await readSamples(o, ctx);
      return { evidence: value.samples.map((x) => ctx.evidenceOf(x.path)!), value };
    },
    merge: mergeSamples,
  },
});

/** Each dataset's sample (its bottom-k rows by content; a shard's part under --shard), for the columns compared. */
async function readSamples(o: { reference: string; current: string; columns?: string[] | undefined; max_rows: number }, ctx: RunContext): Promise<SamplesTally> {
  const [ref, cur] = await Promise.all([ctx.dataset(o.reference), ctx.dataset(o.current)]);
  const labels = new Set([ref.spec.label, cur.spec.label]);
  const columns = o.columns ?? ref.source.columns.filter((c) => cur.source.columns.includes(c) && !labels.has(c));
  return { columns, max: o.max_rows, samples: [await sampleRows(ctx, o.reference, columns, o.max_rows), await sampleRows(ctx, o.current, columns, o.max_rows)] };
}
