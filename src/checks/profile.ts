import { z } from 'zod';
import { probability } from '../eval/scores.js';
import { detailsOf } from '../report/details.js';
import type { RunContext } from './context.js';
import { InputError } from '../input/errors.js';
import { labelKey, parseNumber } from '../eval/cells.js';
import { mulberry32 } from '../eval/bootstrap.js';
import { cellAt, type Cell } from '../eval/datasets/types.js';
import { binCounts, quantileEdges, std } from '../eval/drift/stats.js';
import type { Report } from '../report/types.js';
import { validateDocument } from '../input/validate.js';
import { TOOL } from '../input/version.js';
import { parseYaml } from '../input/yaml.js';
import { once } from '../input/once.js';

/**
 * A reference profile of a dataset, for monitoring production without shipping the training data:
 * per-column statistics, histograms on the reference's quantiles, a seeded sample of each numeric
 * column (so KS and Wasserstein can run against it), category counts, the model's score
 * distribution and the gated metric values. Format `deploy-check/profile@1`, documented in docs/checklist.md (Profiles).
 */
export const PROFILE_SCHEMA = 'deploy-check/profile@1';
export const SAMPLE_SIZE = 5000;

const numericColumn = once(() =>
  z.strictObject({
    type: z.literal('numeric'),
    count: z.number().int().min(0),
    missing: z.number().int().min(0),
    mean: z.number(),
    std: z.number().min(0),
    min: z.number(),
    max: z.number(),
    quantiles: z.strictObject({ p01: z.number(), p05: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number(), p99: z.number() }),
    histogram: z.strictObject({ edges: z.array(z.number()), counts: z.array(z.number().int().min(0)) }),
    sample: z.array(z.number()).min(1),
  }),
);
const categoricalColumn = once(() =>
  z.strictObject({
    type: z.literal('categorical'),
    count: z.number().int().min(0),
    missing: z.number().int().min(0),
    categories: z.array(z.tuple([z.string(), z.number().int().min(0)])),
  }),
);

export const profileSchema = once(() =>
  z.strictObject({
    schema: z.literal(PROFILE_SCHEMA),
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    model: z.strictObject({ path: z.string(), sha256: z.string() }),
    dataset: z.strictObject({ name: z.string(), path: z.string(), sha256: z.string(), rows: z.number().int().min(1) }),
    columns: z.array(z.strictObject({ name: z.string(), profile: z.discriminatedUnion('type', [numericColumn(), categoricalColumn()]) })),
    scores: z.strictObject({ name: z.string(), sample: z.array(z.number()) }).optional(),
    metrics: z.array(z.strictObject({ id: z.string(), name: z.string(), value: z.number().nullable(), ci: z.tuple([z.number(), z.number()]).optional() })),
  }),
);
export type Profile = z.output<ReturnType<typeof profileSchema>>;
export type ColumnProfile = Profile['columns'][number]['profile'];

/** Seeded reservoir sample (algorithm R): the same rows for the same data and seed. */
export function reservoir(values: ArrayLike<number>, size: number, seed: number): number[] {
  const random = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (out.length < size) out.push(values[i]!);
    else {
      const j = Math.floor(random() * (i + 1));
      if (j < size) out[j] = values[i]!;
    }
  }
  return out;
}

export function profileColumn(cells: Cell[], seed: number): ColumnProfile {
  const nums: number[] = [];
  let missing = 0;
  let numeric = true;
  for (const c of cells) {
    const p = parseNumber(c);
    if (p.ok) nums.push(p.value);
    else if (p.missing) missing++;
    else numeric = false;
  }
  if (numeric && nums.length) {
    const x = Float64Array.from(nums);
    const sorted = Float64Array.from(x).sort();
    const q = (p: number) => {
      const h = (sorted.length - 1) * p;
      const lo = Math.floor(h);
      return sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
    };
    const edges = quantileEdges(x, 10);
    return {
      type: 'numeric', count: x.length, missing,
      mean: x.reduce((a, b) => a + b, 0) / x.length, std: std(x), min: sorted[0]!, max: sorted[sorted.length - 1]!,
      quantiles: { p01: q(0.01), p05: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95), p99: q(0.99) },
      histogram: { edges, counts: binCounts(x, edges) },
      sample: reservoir(x, SAMPLE_SIZE, seed),
    };
  }
  const counts = new Map<string, number>();
  for (const c of cells) {
    const k = labelKey(c, true);
    if (k === undefined) continue;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return { type: 'categorical', count: cells.length - missing, missing, categories: [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}

export async function buildProfile(ctx: RunContext, datasetName: string | undefined, report: Report | undefined, seed = 0): Promise<Profile> {
  const name = ctx.datasetName(datasetName);
  const { source } = await ctx.dataset(name);
  const cells = source.columns.map(() => [] as Cell[]);
  for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'cell' as const })), 8192)) {
    b.cells.forEach((col, k) => {
      for (let i = 0; i < b.n; i++) cells[k]!.push(cellAt(col, i));
    });
  }
  const evidence = source.evidence()!;
  const model = await ctx.model('model');
  const spec = ctx.checklist.checklist.datasets![name]!;
  let scores: Profile['scores'];
  if (spec.label) {
    const ev = await ctx.evaluation('model', name);
    const values = ev.task === 'regression' ? ev.scores : Float64Array.from({ length: ev.n }, (_, i) => (ev.task === 'binary' ? probability(ev.scores, ev.scoreColumns, i, ev.positive) : Math.max(...ev.scores.subarray(i * ev.classes.length, (i + 1) * ev.classes.length))));
    scores = { name: ev.task === 'regression' ? 'prediction' : ev.task === 'binary' ? `probability of ${ev.classes[ev.positive]}` : 'probability of the predicted class', sample: reservoir(values, SAMPLE_SIZE, seed) };
  }
  const metrics = (report?.checks ?? [])
    .filter((c) => c.type === 'metric' && c.status !== 'skip' && detailsOf(c, 'metric')?.dataset === name)
    .map((c) => ({ id: c.id, name: c.measurements[0]!.name, value: c.measurements[0]!.value, ...(c.measurements[0]!.ci ? { ci: c.measurements[0]!.ci } : {}) }));
  return {
    schema: PROFILE_SCHEMA,
    tool: { ...TOOL },
    model: { path: model.path, sha256: model.sha256 },
    dataset: { name, path: source.path, sha256: evidence.sha256, rows: evidence.rows },
    columns: source.columns.map((c, j) => ({ name: c, profile: profileColumn(cells[j]!, seed + j) })),
    ...(scores ? { scores } : {}),
    metrics,
  };
}

/** A profile from its text (read by the caller, as evidence). */
export function parseProfile(text: string, display: string): Profile {
  const doc = parseYaml(text, display);
  if (!doc) throw new InputError(display, 'the profile is empty');
  return validateDocument(profileSchema(), doc, display);
}
