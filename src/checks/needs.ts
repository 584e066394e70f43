import type { CountedReads } from '../eval/counted.js';
import type { MetricName, MetricParams } from '../eval/metrics/index.js';

export type { CountedReads };

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
   * what the check reads of the models' evaluations (eval/counted.ts): only the labels and the
   * decisions (decision metrics, an interval by Wilson at most); the rows' labels, scores and columns
   * kept in any order (every value a function of the rows as a multiset: metrics, their bootstraps,
   * claims, slices, fairness, prediction drift); or (undefined) the rows as the file holds them. The widest of the checks on a dataset
   * decides how a shard writes its rows.
   */
  reads?: CountedReads;
  /**
   * the outputs check: each row's output problems at this tolerance, its label output and its
   * place (the first row of each problem is named); a shard that counts rows keeps apart those that
   * differ in them
   */
  outputs?: { sumTolerance: number };
  /**
   * robustness: each row's decision is compared with the same row's decision perturbed; a shard
   * gives each perturbed row its unperturbed decision (Pass.paired), whatever either pass keeps
   */
  pairs?: boolean;
}

/** A metric whose bootstrap replicates a check will draw (the metric check's `confidence`). */
export interface BootstrapNeed {
  metric: MetricName;
  params: MetricParams;
  seed: number;
  resamples: number;
}
