/**
 * A bootstrap job as the bootstrap thread gets it (bootstrap-thread.ts sends it, bootstrap-worker.ts
 * draws it): a module of its own, which the thread imports without the sending side.
 */
import { METRICS, replicateOf, type MetricData, type MetricName, type MetricParams } from './metrics/index.js';

/** A statistic drawn on each replicate: a metric on one of the job's row sets. */
export interface ReplicateStat {
  /** which of the job's `datas` */
  data: number;
  metric: MetricName;
  params: MetricParams;
}

/** What the bootstrap thread (bootstrap-worker.ts) draws: replicates [from, to) of these statistics on rows keyed by `keys`. */
export interface ReplicateJob {
  keys: Uint32Array;
  datas: MetricData[];
  stats: ReplicateStat[];
  seed: number;
  from: number;
  to: number;
}

/** The statistics of a job, as one function of a replicate's weights. */
export function jobStats(datas: MetricData[], stats: ReplicateStat[]): (weights: Uint8Array) => (number | null)[] {
  const each = stats.map((s) => replicateOf(METRICS[s.metric], datas[s.data]!, s.params));
  return (w) => each.map((f) => f(w));
}
