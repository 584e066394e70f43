import { cpus } from 'node:os';
import { z } from 'zod';
import { percentile } from '../eval/bootstrap.js';
import { fixedProbeSize, onProbe, probeInputs, probeNeeds, probeOptions } from './probe.js';
import { createSession, modelHostPeakMb, modelRunDeadline, ORT_VERSION, SESSION_OPTIONS } from '../onnx/session.js';
import type { RunContext } from './context.js';
import { unzipMap } from '../onnx/zipmap.js';
import { formatNumber } from '../report/format-value.js';
import type { Measurement } from '../report/types.js';
import { defineCheck } from './define.js';

/** the sizes timed when the check lists none and the model takes any number of rows */
const DEFAULT_BATCH_SIZES = [1, 32];

const options = () => ({
  ...probeOptions(),
  batch_sizes: z.array(z.number().int().min(1).max(100_000)).min(1).optional().describe(`Batch sizes to time (default [${DEFAULT_BATCH_SIZES.join(', ')}]; a model whose inputs fix the batch size is timed at that size only)`),
  warmup: z.number().int().min(0).max(1000).default(5).describe('Untimed runs before timing, per batch size'),
  max_seconds: z.number().positive().max(600).default(3).describe('Time budget for all timed runs, shared by the batch sizes'),
  max_runs: z.number().int().min(1).max(1_000_000).default(1000).describe('Most timed runs per batch size'),
  p50_ms: z.number().positive().optional().describe('Budget: median latency of one call at the smallest batch size'),
  p95_ms: z.number().positive().optional().describe('Budget: 95th percentile at the smallest batch size'),
  p99_ms: z.number().positive().optional().describe('Budget: 99th percentile at the smallest batch size'),
  min_rows_per_s: z.number().positive().optional().describe('Budget: throughput at the largest batch size'),
  max_rss_mb: z.number().positive().optional().describe('Budget: peak resident memory of the model host process, where every model runs (MB)'),
  max_model_mb: z.number().positive().optional().describe('Budget: model file size (MB, 10^6 bytes)'),
  max_load_ms: z.number().positive().optional().describe('Budget: time to create the session'),
});

export default defineCheck({
  type: 'latency',
  title: 'Latency',
  runsModel: true,
  shards: 'merge',
  htmlPart: 'resources',
  mlTestScore: ['MON6'],
  description: 'Load time, per-call latency percentiles and throughput at each batch size, peak memory and model size, on the runtime that ships, against budgets.',
  options,
  needs: probeNeeds,
  validate: (o) =>
    [o.p50_ms, o.p95_ms, o.p99_ms, o.min_rows_per_s, o.max_rss_mb, o.max_model_mb, o.max_load_ms].every((b) => b === undefined)
      ? [{ option: 'type', message: 'a latency check needs a budget (p50_ms, p95_ms, p99_ms, min_rows_per_s, max_rss_mb, max_model_mb or max_load_ms): without one it could never fail' }]
      : [],
  async run(o, ctx) {
    // Every model run of this check ends within twice max_seconds (the timed runs' budget, and as
    // much again for loading, warm-up and the run in progress): past that the model host is stopped,
    // so one run that would take hours cannot hang the gate.
    const allowed = 2 * o.max_seconds;
    const clock = modelRunDeadline(allowed * 1000);
    try {
      return await timeModel(o, ctx, clock.bound);
    } catch (err) {
      const late = clock.cause(err);
      if (late === undefined) throw err;
      return {
        findings: [{ code: 'too-slow', message: `${late} did not end within ${allowed} s (twice max_seconds): the model host was stopped`, hint: 'the model is far slower than its budget on this machine' }],
        measurements: [{ name: `${late} (time limit ${allowed} s)`, value: null, passed: false }],
        summary: `${late} did not end within ${allowed} s`,
      };
    }
  },
});

type LatencyOptions = z.output<z.ZodObject<ReturnType<typeof options>>>;

async function timeModel(o: LatencyOptions, ctx: RunContext, bounded: <T>(work: Promise<T>, what: string) => Promise<T>) {
  const model = await ctx.model(o.model);
  const mut = await ctx.underTest(o.model);
  const measurements: Measurement[] = [];
  const budget = (m: Measurement, limit: { min?: number; max?: number } | undefined): Measurement => {
    if (!limit || (limit.min === undefined && limit.max === undefined)) return m;
    const passed = m.value !== null && (limit.min === undefined || m.value >= limit.min) && (limit.max === undefined || m.value <= limit.max);
    return { ...m, threshold: limit, passed };
  };
  const limit = (max?: number) => (max === undefined ? undefined : { max });

  // load time: a fresh session from the same bytes, released at once
  const bytes = unzipMap(model.bytes, model.info)?.bytes ?? model.bytes;
  const t0 = performance.now();
  const fresh = await bounded(createSession(bytes, model.path), 'loading the model');
  const loadMs = performance.now() - t0;
  await fresh.release();
  measurements.push(budget({ name: 'load', value: round(loadMs), unit: 'ms' }, limit(o.max_load_ms)));

  const fixed = fixedProbeSize(mut, ctx, 'batch_sizes', o.batch_sizes ?? []);
  const sizes = [...new Set(o.batch_sizes ?? (fixed === undefined ? DEFAULT_BATCH_SIZES : [fixed]))].sort((a, b) => a - b);
  const perSize = (o.max_seconds * 1000) / sizes.length;
  const runs: Record<string, number> = {};
  for (const size of sizes) {
    const feeds = await probeInputs(mut, size, o.dataset, ctx);
    // Timed in the model host, next to the session. Warm-up: `warmup` runs and at least a tenth of
    // the budget: the first calls in a fresh process pay for JIT compilation and allocator growth.
    const times = await bounded(onProbe(mut.session.time(feeds, { warmup: o.warmup, budgetMs: perSize, maxRuns: o.max_runs }), o.dataset), `a run at batch ${size}`);
    runs[`batch ${size}`] = times.length;
    const total = times.reduce((a, b) => a + b, 0);
    times.sort((a, b) => a - b);
    const smallest = size === sizes[0];
    const largest = size === sizes[sizes.length - 1];
    const p = (q: number) => round(percentile(times, q));
    measurements.push(
      budget({ name: `batch ${size} p50`, value: p(0.5), unit: 'ms' }, smallest ? limit(o.p50_ms) : undefined),
      { name: `batch ${size} p90`, value: p(0.9), unit: 'ms' },
      budget({ name: `batch ${size} p95`, value: p(0.95), unit: 'ms' }, smallest ? limit(o.p95_ms) : undefined),
      budget({ name: `batch ${size} p99`, value: p(0.99), unit: 'ms' }, smallest ? limit(o.p99_ms) : undefined),
      { name: `batch ${size} max`, value: round(times[times.length - 1]!), unit: 'ms' },
      budget({ name: `batch ${size} throughput`, value: Math.round((size * times.length) / (total / 1000)), unit: 'rows/s' }, largest && o.min_rows_per_s !== undefined ? { min: o.min_rows_per_s } : undefined),
    );
  }
  measurements.push(
    budget({ name: 'peak RSS', value: Math.round(await modelHostPeakMb()), unit: 'MB' }, limit(o.max_rss_mb)),
    // exact: a 356-byte model is 0.000356 MB, above a 0.0002 MB budget (rounding would have passed it)
    budget({ name: 'model size', value: model.bytes.length / 1e6, unit: 'MB' }, limit(o.max_model_mb)),
  );
  const first = measurements.find((m) => m.name === `batch ${sizes[0]} p95`)!;
  return {
    findings: [],
    measurements,
    summary: `p95 ${formatNumber(first.value)} ms at batch ${sizes[0]}, load ${formatNumber(round(loadMs))} ms (${Object.values(runs).reduce((a, b) => a + b, 0)} timed runs)`,
    details: {
      runs,
      inputs: o.dataset === undefined ? 'seeded random values' : `first rows of ${ctx.datasetName(o.dataset)}`,
      environment: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        node: process.version,
        onnxruntime: ORT_VERSION,
        intra_op_threads: SESSION_OPTIONS.intraOpNumThreads,
        inter_op_threads: SESSION_OPTIONS.interOpNumThreads,
        graph_optimization: SESSION_OPTIONS.graphOptimizationLevel,
      },
    },
  };
}

/** Milliseconds to the nanosecond. */
function round(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}
