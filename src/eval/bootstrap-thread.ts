import type { Worker } from 'node:worker_threads';
import { builtWorker } from '../input/built-worker.js';
import { joinReplicates, percentileInterval, replicateRange, type BootstrapOptions, type BootstrapResult, type Replicates } from './bootstrap.js';
import type { MetricData, MetricName, MetricParams } from './metrics/index.js';
import { jobStats, passesOf, statCount, type ReplicateDraw, type ReplicateJob } from './replicate-job.js';

/** The thread's entry point, always the built one (scripts/bundle.mjs), from the sources in tests too. */
const WORKER = 'dist/eval/bootstrap-worker.cjs';

/**
 * Rows × resamples × passes over the rows a replicate makes (a metric's, or one count of a fairness
 * check's groups) from which a second thread draws half of the replicates: below, the thread's
 * start (~50 ms of a core) and the copy of the rows it is sent cost more than they save.
 */
let parallelFrom = 20_000_000;

/** Replicates drawn by a bootstrap thread so far in this process (tests). */
let drawnOnThread = 0;
export function replicatesDrawnOnThread(): number {
  return drawnOnThread;
}

/** Tests: the work from which replicates are drawn on two threads (0: always, where the thread's file is built). */
export function drawOnTwoThreadsFrom(work: number): void {
  parallelFrom = work;
}

/**
 * The values of a draw's statistics over every replicate, each statistic's in replicate order (NaN:
 * undefined), drawn on two threads when there is enough work (rows × resamples × the passes over
 * the rows a replicate makes): this one draws the first half of the resamples while a thread of its
 * own draws the second, each replicate from its own weights (the keys, the seed and its number), so
 * that every value is the one a single thread draws, to the bit. A thread that fails leaves its
 * half to this one.
 */
export async function replicateValues(keys: Uint32Array, draw: ReplicateDraw, options: Pick<BootstrapOptions, 'resamples' | 'seed'>): Promise<Float64Array[]> {
  const R = options.resamples;
  const half = Math.floor(R / 2);
  const rows = keys.length / 2;
  const k = statCount(draw);
  const worker = rows * R * passesOf(draw) < parallelFrom || half === 0 ? undefined : builtWorker(WORKER);
  if (!worker) return replicateRange(keys, k, jobStats(draw), options.seed, 0, R);
  const theirs = new Promise<Float64Array[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the bootstrap thread ended (exit code ${code})`)));
  });
  worker.postMessage({ keys, draw, seed: options.seed, from: half, to: R } satisfies ReplicateJob);
  const mine = replicateRange(keys, k, jobStats(draw), options.seed, 0, half);
  let other: Float64Array[];
  try {
    other = await theirs;
    drawnOnThread += R - half;
  } catch {
    other = replicateRange(keys, k, jobStats(draw), options.seed, half, R);
  } finally {
    void worker.terminate();
  }
  return mine.map((m, j) => {
    const all = new Float64Array(R);
    all.set(m);
    all.set(other[j]!, half);
    return all;
  });
}

/** The replicates of metrics on one evaluation's rows (in canonical order, with their keys): replicateValues', sorted. */
export async function replicatesOnThreads(keys: Uint32Array, data: MetricData, metrics: { metric: MetricName; params: MetricParams }[], options: Pick<BootstrapOptions, 'resamples' | 'seed'>): Promise<Replicates[]> {
  return joinReplicates([await replicateValues(keys, { kind: 'metrics', datas: [data], stats: metrics.map((m) => ({ data: 0, ...m })) }, options)], options.resamples);
}

/** The percentile intervals of a fairness check's disparities (bootstrapMany's, to the bit), drawn as replicateValues draws. */
export async function disparityIntervals(keys: Uint32Array, draw: Extract<ReplicateDraw, { kind: 'disparities' }>, options: BootstrapOptions): Promise<BootstrapResult[]> {
  return joinReplicates([await replicateValues(keys, draw, options)], options.resamples).map((r) => percentileInterval(r, options.confidence));
}
