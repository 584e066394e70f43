import type { CheckDefinition } from './define.js';
import type { HtmlPart } from '../report/html.js';
import files from './files.js';
import hyperparameters from './hyperparameters.js';
import modelCard from './model-card.js';
import model from './model.js';
import signoff from './signoff.js';
import metric from './metric.js';
import outputs from './outputs.js';
import slices from './slices.js';
import latency from './latency.js';
import determinism from './determinism.js';
import staleness from './staleness.js';
import monitoring from './monitoring.js';
import drift from './drift.js';
import robustness from './robustness.js';
import data from './data.js';
import fairness from './fairness.js';
import leakage from './leakage.js';
import claims from './claims.js';
import multivariateDrift from './multivariate-drift.js';

/** Every check type. A new type is one file and one line here; the checklist schema is built from this list. */
export const registry = [modelCard, hyperparameters, model, files, signoff, metric, claims, slices, fairness, outputs, latency, determinism, staleness, monitoring, drift, multivariateDrift, robustness, data, leakage] as const satisfies readonly CheckDefinition<any>[];

export function checkDefinition(type: string): CheckDefinition<any> {
  const def = registry.find((d) => d.type === type);
  if (!def) throw new Error(`unknown check type ${type}`);
  return def as CheckDefinition<any>;
}

/** The part of the HTML page a check type belongs to (the page takes it through its format options). */
export function htmlPartOf(type: string): HtmlPart {
  return registry.find((d) => d.type === type)?.htmlPart ?? 'process';
}
