import { z } from 'zod';
import { findClaims, type Claim } from '../input/claims.js';
import { parseMarkdown } from '../input/markdown.js';
import { METRIC_NAMES, METRICS, type MetricName } from '../eval/metrics/index.js';
import { formatNumber } from '../report/format-value.js';
import type { ClaimResult, ClaimsDetails } from '../report/details.js';
import type { Finding, Measurement } from '../report/types.js';
import { inputPath } from '../spec/fields.js';
import { defineCheck } from './define.js';
import { intervalOf, metricData, refuseNonProbabilities } from './metric-options.js';

/** Names cards give metrics, normalized (lower case, words joined by "_", a trailing "_score" dropped), and the metric each means. */
const ALIASES: Record<string, MetricName> = {
  acc: 'accuracy',
  auc: 'roc_auc',
  auroc: 'roc_auc',
  roc: 'roc_auc',
  area_under_the_roc_curve: 'roc_auc',
  ap: 'average_precision',
  pr_auc: 'average_precision',
  auprc: 'average_precision',
  sensitivity: 'recall',
  tpr: 'recall',
  true_positive_rate: 'recall',
  tnr: 'specificity',
  matthews_correlation: 'mcc',
  matthews_corrcoef: 'mcc',
  logloss: 'log_loss',
  cross_entropy: 'log_loss',
  brier_loss: 'brier',
  mean_absolute_error: 'mae',
  mean_squared_error: 'mse',
  root_mean_squared_error: 'rmse',
  r_squared: 'r2',
  'r²': 'r2',
  coefficient_of_determination: 'r2',
  mean_absolute_percentage_error: 'mape',
  median_absolute_error: 'median_ae',
};
/** Names of a row count: a card's "Samples | 171" is checked against the rows evaluated, exactly. */
const ROW_COUNTS = new Set(['samples', 'rows', 'n', 'support', 'examples', 'size']);

const normalize = (name: string) => name.trim().toLowerCase().replace(/[\s-]+/g, '_').replace(/_score$/, '');
const key = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The metric a card's name means, or 'rows', or undefined. */
export function claimedMetric(name: string): MetricName | 'rows' | undefined {
  const n = normalize(name);
  if (ROW_COUNTS.has(n)) return 'rows';
  if ((METRIC_NAMES as string[]).includes(n)) return n as MetricName;
  return ALIASES[n];
}

export default defineCheck({
  type: 'claims',
  title: 'Model-card claims',
  runsModel: true,
  shards: 'passes',
  htmlPart: 'evaluation',
  // the model's specification, as published, reviewed against the model itself
  mlTestScore: ['M1'],
  description: 'Every number the model card states about the model (Hugging Face model-index, a front-matter metrics list, Markdown metric tables) is measured here, and must lie within the measured interval.',
  options: () => ({
    path: inputPath().describe('The model card (Markdown)'),
    dataset: z.string().optional().describe('The dataset of claims that name none (default: the only dataset, or "holdout")'),
    datasets: z.record(z.string().min(1), z.string().min(1)).default({}).describe('The card’s dataset names and the checklist’s datasets they are: { "Wisconsin hold-out": holdout }'),
    ignore: z.array(z.string().min(1)).default([]).describe('Names in the card’s tables that are not claims about this model (compared case-insensitively)'),
    confidence: z.number().gt(0).lt(1).default(0.95).describe('The measured interval a claim must fall in'),
    resamples: z.number().int().min(100).max(100_000).default(1000).describe('Bootstrap resamples'),
    seed: z.number().int().min(0).default(0).describe('Bootstrap seed'),
  }),
  needs: (o) => [
    // metrics and their intervals: functions of the rows in any order
    { dataset: o.dataset, models: ['model'], reads: 'multiset' },
    ...Object.entries(o.datasets).map(([card, dataset]) => ({ dataset, option: ['datasets', card], models: ['model' as const], reads: 'multiset' as const })),
  ],
  async run(o, ctx) {
    const file = ctx.display(o.path);
    const doc = parseMarkdown(await ctx.readText(o.path));
    const ignored = new Set(o.ignore.map((n) => n.toLowerCase()));
    const claims = findClaims(doc, file, (name) => claimedMetric(name) !== undefined && claimedMetric(name) !== 'rows').filter((c) => !ignored.has(c.name.toLowerCase()));
    const allowed = new Set([ctx.datasetName(o.dataset), ...Object.values(o.datasets)]);
    const mapped = new Map(Object.entries(o.datasets).map(([card, ds]) => [key(card), ds]));
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    const results: ClaimResult[] = [];
    const boot = { resamples: o.resamples, confidence: o.confidence, seed: o.seed };
    const pct = `${Math.round(o.confidence * 1000) / 10}%`;
    const datasetOf = (claim: (typeof claims)[number]) => (claim.dataset === undefined ? ctx.datasetName(o.dataset) : mapped.get(key(claim.dataset)) ?? [...allowed].find((d) => key(d) === key(claim.dataset!)));
    // every claimed metric of a dataset draws its replicates with the others (and with the metric checks' of the same seed)
    const claimed = (dataset: string) =>
      claims.flatMap((c) => {
        const metric = claimedMetric(c.name);
        return metric && metric !== 'rows' && datasetOf(c) === dataset ? [{ metric, params: {}, seed: o.seed, resamples: o.resamples }] : [];
      });
    for (const claim of claims) {
      const at = `${file}:${claim.line}`;
      const metric = claimedMetric(claim.name);
      const dataset = datasetOf(claim);
      const said = `the card says ${claim.name} ${claim.written}${claim.dataset ? ` on "${claim.dataset}"` : ''}`;
      if (!metric || !dataset) {
        const why = !metric ? `"${claim.name}" is not a metric deploy-check computes` : `"${claim.dataset}" is not a dataset of the checklist`;
        findings.push({ code: 'claim-unmapped', message: `${said}, but it cannot be checked: ${why}`, location: at, hint: !metric ? `name a metric (${METRIC_NAMES.slice(0, 6).join(', ')} …), or list "${claim.name}" under ignore` : `map it: datasets: { "${claim.dataset}": <dataset> }` });
        results.push({ ...claimOf(claim), status: 'unmapped' });
        continue;
      }
      const ev = await ctx.evaluation('model', dataset);
      let value: number | null;
      let ci: [number, number] | undefined;
      if (metric === 'rows') {
        value = ev.n;
        ci = [ev.n, ev.n];
      } else {
        const def = METRICS[metric];
        if (!(def.tasks as readonly string[]).includes(ev.task)) {
          findings.push({ code: 'claim-unmapped', message: `${said}, but ${metric} does not apply to a ${ev.task} model`, location: at });
          results.push({ ...claimOf(claim), metric, dataset, status: 'unmapped' });
          continue;
        }
        refuseNonProbabilities({ metric }, ev);
        const data = metricData(ev);
        value = def.compute(data, {});
        ci = (await intervalOf(ev, data, def, {}, value, boot, { ctx, role: 'model', dataset, metric, also: claimed(dataset) })).ci;
      }
      // the claim as written covers its rounding: 0.97 is any value in [0.965, 0.975]
      const [lo, hi] = [claim.value - claim.rounding, claim.value + claim.rounding];
      const holds = ci !== undefined && hi >= ci[0] && lo <= ci[1];
      const name = `${metric} on ${dataset}, claimed ${claim.written} (line ${claim.line})`;
      measurements.push({ name, value, ...(ci ? { ci } : {}), passed: holds });
      results.push({ ...claimOf(claim), metric, dataset, measured: value, ...(ci ? { ci } : {}), status: holds ? 'holds' : 'fails' });
      if (!holds) {
        const measured = `measured ${formatNumber(value)}${ci ? ` [${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : ''}`;
        findings.push({
          code: ci ? 'claim-outside-interval' : 'claim-unmeasurable',
          message: `${said}; ${measured}${ci ? `: outside the ${pct} interval` : ': no interval to hold it against'}`,
          location: at,
          hint: ci ? 'correct the card, or find out why the model no longer does what it says' : 'too few rows of a class for an interval',
        });
      }
    }
    if (!claims.length) findings.push({ code: 'no-claims', message: 'the card states no number to check (no model-index results, no front-matter metrics with values, no metric table)', location: file, hint: 'a claims check on a card without claims could never fail' });
    const holding = results.filter((r) => r.status === 'holds').length;
    return {
      findings,
      measurements,
      summary: `${holding} of ${results.length} claim${results.length === 1 ? '' : 's'} of ${file} within the measured ${pct} intervals`,
      details: { card: file, claims: results } satisfies ClaimsDetails,
    };
  },
});

function claimOf(c: Claim): Omit<ClaimResult, 'status'> {
  return { line: c.line, name: c.name, claimed: c.value, ...(c.dataset ? { card_dataset: c.dataset } : {}), source: c.source };
}
