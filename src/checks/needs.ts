import type { MetricName, MetricParams } from '../eval/metrics/index.js';

/** The models a run may evaluate: the candidate and the one in production. */
export type ModelRole = 'model' | 'baseline';

/** What a check will read, declared before any check runs so that each dataset is read once for all. */
export interface DatasetNeed {
  /** a dataset name; undefined: the checklist's default dataset */
  dataset: string | undefined;
  /** the option that names it, for the place of a message (default "dataset") */
  option?: (string | number)[];
  models: ModelRole[];
  /** columns to keep beside the predictions (slices) */
  columns?: string[];
  /** the columns' distributions and value counts (drift): these columns, or every column */
  columnStats?: { only?: string[] };
  /** statistics of the input columns (robustness) */
  inputStats?: boolean;
  /** a metric's bootstrap interval on the models' evaluations: those of one evaluation, seed and number of resamples are drawn together */
  bootstrap?: BootstrapNeed;
  /**
   * the check reads only the labels and the models' decisions (decision metrics, an interval by
   * Wilson at most): when every check on a dataset does, a shard counts its rows (eval/counted.ts)
   */
  decisions?: boolean;
}

/** A metric whose bootstrap replicates a check will draw (the metric check's `confidence`). */
export interface BootstrapNeed {
  metric: MetricName;
  params: MetricParams;
  seed: number;
  resamples: number;
}
