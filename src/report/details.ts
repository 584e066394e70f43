import type { BinaryCurves } from '../eval/curves.js';
import type { CheckResult } from './types.js';

/**
 * The `details` of the check types that other parts read (the HTML page), one shape per type. A check
 * type listed here must return exactly this shape (defineCheck holds it to it); the others return any
 * object. In the JSON report, `details` stays free-form data, outside the stable contract.
 */
export type EvaluationDetails = {
  dataset: string;
  n: number;
  task: 'binary' | 'multiclass' | 'regression';
  classes?: string[];
  class_source?: 'model' | 'checklist' | 'label-index';
  positive?: string;
  threshold?: number;
  confusion_matrix?: number[][];
  per_class?: Record<string, unknown>[];
};

export type MetricDetails = EvaluationDetails & {
  /** how the interval was computed; `not_computed` says why a bootstrap was not run */
  interval?: { method: 'wilson' | 'bootstrap'; confidence: number; not_computed?: string; [k: string]: unknown };
  comparison_interval?: Record<string, unknown>;
  /** the candidate's ("model") and the baseline's curves, on the metrics they illustrate */
  curves?: Record<string, BinaryCurves>;
};

export type SliceResult = { column: string; value: string; n: number; metric: number | null; status: 'pass' | 'fail' | 'undefined' | 'too_small' };
export type SearchedSlice = { column: string; value: string; n: number; metric: number; ci?: [number, number]; p_value: number; p_adjusted: number };
export type SlicesDetails = {
  dataset: string;
  overall: number | null;
  slices: SliceResult[];
  /** the search: slices tested, how many were worse than the rest at the false discovery rate, the worst of them */
  search?: { tested: number; discoveries: number; fdr: number; skipped: string[]; slices: SearchedSlice[] };
};

export type OutputsDetails = { dataset: string; n: number; score_columns: number; classes?: string[]; class_source?: 'model' | 'checklist' | 'label-index' };

export type DriftColumn = {
  column: string;
  type: 'numeric' | 'categorical';
  method: string;
  statistic?: number;
  p_value?: number;
  p_value_adjusted?: number;
  effect?: number;
  distance?: number;
  unseen_categories?: number;
  threshold: number;
  drifted: boolean | undefined;
};
export type DriftDetails = {
  reference: { dataset: string; rows: number } | { profile: string; rows: number };
  current: { dataset: string; rows: number };
  correction: string;
  columns: DriftColumn[];
};

export type ModelDetails = {
  sha256: string;
  ir_version: number;
  producer: string;
  opset_imports: { domain: string; version: number }[];
  inputs: { name: string; type: string }[];
  outputs: { name: string; type: string }[];
};

export type RobustnessDetails = { dataset: string; seed: number };

export type SignoffDetails = { as_of: string; model_sha256: string; approvals: { role: string; name: string; date: string; age_days: number }[] };

export type FairnessGroup = {
  group: string;
  n: number;
  positives: number;
  selection_rate: number | null;
  true_positive_rate: number | null;
  false_positive_rate: number | null;
  /** the rates on which the group has enough rows to be judged */
  judged: ('selection_rate' | 'true_positive_rate' | 'false_positive_rate')[];
};
export type FairnessDetails = {
  dataset: string;
  sensitive: string[];
  confidence: number;
  min_group_rows: number;
  groups: FairnessGroup[];
  disparities: { name: string; value: number | null; ci?: [number, number]; threshold: number; passed: boolean; undefined_resamples?: number }[];
};

export type LeakageColumn = {
  column: string;
  /** why the column was not measured */
  skipped?: string;
  kind?: 'auc' | 'auc (categories)' | 'r2';
  power?: number;
  ci?: [number, number];
  train_power?: number;
  train_ci?: [number, number];
  change?: number;
  change_ci?: [number, number];
  flagged?: boolean;
};
export type LeakageDetails = { dataset: string; train?: string; rows: number; max_power: number; max_change: number; columns: LeakageColumn[] };

export type ClaimResult = {
  /** the card's line */
  line: number;
  /** the metric as the card names it */
  name: string;
  claimed: number;
  card_dataset?: string;
  source: 'model-index' | 'front matter metrics' | 'table';
  /** the metric it was mapped to ("rows": a row count) and the checklist's dataset */
  metric?: string;
  dataset?: string;
  measured?: number | null;
  ci?: [number, number];
  status: 'holds' | 'fails' | 'unmapped';
};
export type ClaimsDetails = { card: string; claims: ClaimResult[] };

export type MultivariateDriftDetails = {
  reference: { dataset: string; rows: number; sampled: number };
  current: { dataset: string; rows: number; sampled: number };
  auc: number | null;
  ci?: [number, number];
  max_auc: number;
  /** the classifier's features: standardised columns, squares, pairwise products, category indicators */
  features: number;
  interactions: boolean;
  /** each column's share of the classifier's weight, largest first */
  drivers: { column: string; share: number }[];
  skipped: { column: string; why: string }[];
};

export interface DetailsByType {
  metric: MetricDetails;
  slices: SlicesDetails;
  outputs: OutputsDetails;
  drift: DriftDetails;
  model: ModelDetails;
  signoff: SignoffDetails;
  robustness: RobustnessDetails;
  fairness: FairnessDetails;
  leakage: LeakageDetails;
  claims: ClaimsDetails;
  'multivariate-drift': MultivariateDriftDetails;
}

/** The details a check of this type returns. */
export type DetailsOf<Type extends string> = Type extends keyof DetailsByType ? DetailsByType[Type] : Record<string, unknown>;

/** A check's details, typed by its type (the one cast: defineCheck holds each type to its shape). */
export function detailsOf<T extends keyof DetailsByType>(c: CheckResult, type: T): DetailsByType[T] | undefined {
  return c.type === type && c.details ? (c.details as unknown as DetailsByType[T]) : undefined;
}
