/**
 * The bootstrap thread (bootstrap-thread.ts starts it): draws the replicates of one job and sends their values
 * back. Built into one CommonJS file, dist/eval/bootstrap-worker.cjs (scripts/bundle.mjs).
 */
import { parentPort } from 'node:worker_threads';
import { replicateRange } from './bootstrap.js';
import { jobStats, statCount, type ReplicateJob } from './replicate-job.js';

parentPort!.once('message', (job: ReplicateJob) => {
  const values = replicateRange(job.keys, statCount(job.draw), jobStats(job.draw), job.seed, job.from, job.to);
  parentPort!.postMessage(values, values.map((v) => v.buffer as ArrayBuffer));
});
