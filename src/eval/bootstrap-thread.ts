import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from '../input/version.js';
import { joinReplicates, replicateRange, type BootstrapOptions, type Replicates } from './bootstrap.js';
import { METRICS, replicateOf, type MetricData, type MetricName, type MetricParams } from './metrics/index.js';

/** What the bootstrap thread (bootstrap-worker.ts) draws: replicates [from, to) of these metrics on these rows. */
export interface ReplicateJob {
  keys: Uint32Array;
  data: MetricData;
  metrics: { metric: MetricName; params: MetricParams }[];
  seed: number;
  from: number;
  to: number;
}

/** The thread's entry point, always the built one (scripts/bundle.mjs), from the sources in tests too. */
const WORKER = join(PACKAGE_ROOT, 'dist', 'eval', 'bootstrap-worker.cjs');

/**
 * Rows × resamples × metrics from which a second thread draws half of the replicates: below, the
 * thread's start (~50 ms of a core) and the copy of the rows it is sent cost more than they save.
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
 * The replicates of metrics on an evaluation's rows (in canonical order, with their keys), drawn on
 * two threads when there is enough work: this one draws the first half of the resamples while a
 * thread of its own draws the second, each replicate from its own weights (the keys, the seed and
 * its number), so that the values, sorted, are those one thread draws — the same intervals to the
 * bit. A thread that fails leaves its half to this one.
 */
export async function replicatesOnThreads(keys: Uint32Array, data: MetricData, metrics: ReplicateJob['metrics'], options: Pick<BootstrapOptions, 'resamples' | 'seed'>): Promise<Replicates[]> {
  const R = options.resamples;
  const stats = () => {
    const each = metrics.map((m) => replicateOf(METRICS[m.metric], data, m.params));
    return (w: Uint8Array) => each.map((f) => f(w));
  };
  const half = Math.floor(R / 2);
  if (data.n * R * metrics.length < parallelFrom || half === 0 || !existsSync(WORKER)) return joinReplicates([replicateRange(keys, metrics.length, stats(), options.seed, 0, R)], R);
  const worker = new Worker(WORKER);
  const theirs = new Promise<Float64Array[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the bootstrap thread ended (exit code ${code})`)));
  });
  worker.postMessage({ keys, data, metrics, seed: options.seed, from: half, to: R } satisfies ReplicateJob);
  const mine = replicateRange(keys, metrics.length, stats(), options.seed, 0, half);
  let other: Float64Array[];
  try {
    other = await theirs;
    drawnOnThread += R - half;
  } catch {
    other = replicateRange(keys, metrics.length, stats(), options.seed, half, R);
  } finally {
    void worker.terminate();
  }
  return joinReplicates([mine, other], R);
}
