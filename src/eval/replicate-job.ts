/**
 * A bootstrap job as the bootstrap thread gets it (bootstrap-thread.ts sends it, bootstrap-worker.ts
 * draws it): a module of its own, which the thread imports without the sending side.
 */
import { METRICS, replicateOf, type MetricData, type MetricName, type MetricParams } from './metrics/index.js';
import { count, disparity, type Disparity } from './rates.js';

/** A statistic drawn on each replicate: a metric on one of the job's row sets. */
export interface ReplicateStat {
  /** which of the job's `datas` */
  data: number;
  metric: MetricName;
  params: MetricParams;
}

/**
 * What each replicate's statistics are: metrics of row sets (a metric check, its baseline's), or
 * the disparities of a fairness check, from each group's counts of the replicate's rows.
 */
export type ReplicateDraw =
  | { kind: 'metrics'; datas: MetricData[]; stats: ReplicateStat[] }
  | { kind: 'disparities'; groups: number; group: Int32Array; truth: Int32Array; predicted: Int32Array; positive: number; disparities: Disparity[]; minGroupRows: number };

/** What the bootstrap thread (bootstrap-worker.ts) draws: replicates [from, to) of a draw's statistics on rows keyed by `keys`. */
export interface ReplicateJob {
  keys: Uint32Array;
  draw: ReplicateDraw;
  seed: number;
  from: number;
  to: number;
}

/** Per kind of draw: its statistics as one function of a replicate's weights, how many, and the passes over the rows a replicate makes. */
const DRAWS: { [K in ReplicateDraw['kind']]: { stats(d: Extract<ReplicateDraw, { kind: K }>): (weights: Uint8Array) => (number | null)[]; count(d: Extract<ReplicateDraw, { kind: K }>): number; passes(d: Extract<ReplicateDraw, { kind: K }>): number } } = {
  metrics: {
    stats: (d) => {
      const each = d.stats.map((s) => replicateOf(METRICS[s.metric], d.datas[s.data]!, s.params));
      return (w) => each.map((f) => f(w));
    },
    count: (d) => d.stats.length,
    passes: (d) => d.stats.length,
  },
  // one count of the groups a replicate, whatever the number of disparities read off it
  disparities: {
    stats: (d) => (w) => {
      const c = count(d.groups, d.group, d.truth, d.predicted, d.positive, w);
      return d.disparities.map((x) => disparity(c, x, d.minGroupRows));
    },
    count: (d) => d.disparities.length,
    passes: () => 1,
  },
};

/** The statistics of a draw, as one function of a replicate's weights. */
export function jobStats(draw: ReplicateDraw): (weights: Uint8Array) => (number | null)[] {
  return (DRAWS[draw.kind].stats as (d: ReplicateDraw) => (weights: Uint8Array) => (number | null)[])(draw);
}

/** How many statistics a draw gives a replicate. */
export function statCount(draw: ReplicateDraw): number {
  return (DRAWS[draw.kind].count as (d: ReplicateDraw) => number)(draw);
}

/** The passes over the rows a replicate of the draw makes (the work, with the rows and the resamples, that sends half to a thread). */
export function passesOf(draw: ReplicateDraw): number {
  return (DRAWS[draw.kind].passes as (d: ReplicateDraw) => number)(draw);
}
