/**
 * The bootstrap thread (bootstrap-thread.ts): draws the replicates of one job and sends their values
 * back. Built into one CommonJS file, dist/eval/bootstrap-worker.cjs (scripts/bundle.mjs).
 */
import { parentPort } from 'node:worker_threads';
import { replicateRange } from './bootstrap.js';
import type { ReplicateJob } from './bootstrap-thread.js';
import { METRICS, replicateOf } from './metrics/index.js';

parentPort!.once('message', (job: ReplicateJob) => {
  const each = job.metrics.map((m) => replicateOf(METRICS[m.metric], job.data, m.params));
  const values = replicateRange(job.keys, each.length, (w) => each.map((f) => f(w)), job.seed, job.from, job.to);
  parentPort!.postMessage(values, values.map((v) => v.buffer as ArrayBuffer));
});
