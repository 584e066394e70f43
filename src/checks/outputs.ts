import { z } from 'zod';
import { CLASS_SOURCE, outputProblem } from '../eval/predict.js';
import { columnOrderDoubt } from '../eval/column-order.js';
import { confusionMatrix } from '../eval/metrics/classification.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck } from './define.js';
import { rawScoresHint } from './metric-options.js';

export default defineCheck({
  type: 'outputs',
  title: 'Model outputs',
  runsModel: true,
  shards: 'passes',
  htmlPart: 'evaluation',
  mlTestScore: ['MON5'],
  description: 'What the model emits is sane: finite values, probabilities within [0, 1] that sum to 1, and a label output that agrees with the scores.',
  options: () => ({
    dataset: z.string().optional().describe('Dataset name (default: the only dataset, or "holdout")'),
    model: z.enum(['model', 'baseline']).default('model'),
    sum_tolerance: z.number().min(0).max(0.5).default(1e-4).describe('How far a row of probabilities may sum from 1'),
    max_label_disagreement: z.number().min(0).max(1).default(0).describe('Share of rows whose label output may disagree with the scores'),
  }),
  needs: (o) => [{ dataset: o.dataset, models: [o.model], reads: 'decisions', outputs: { sumTolerance: o.sum_tolerance } }],
  async run(o, ctx) {
    const ev = await ctx.evaluation(o.model, o.dataset);
    const findings: Finding[] = [];
    const path = ctx.displayDataset(ctx.checklist.checklist.datasets![ctx.datasetName(o.dataset)]!.path);
    const at = (i: number) => ctx.rowLocation(path, ev.rowUnit, ev.rowRef[i]!);
    const place = (i: number) => ctx.rowPlace(path, ev.rowUnit, ev.rowRef[i]!);
    const width = ev.task === 'regression' ? 1 : ev.scoreColumns;
    // each problem's rows: how many, and the first
    const rows = { 'non-finite': 0, 'out-of-range': 0, sum: 0 };
    const first = { 'non-finite': -1, 'out-of-range': -1, sum: -1 };
    for (let i = 0; i < ev.n; i++) {
      const p = outputProblem(ev.scores, width, i, ev.task !== 'regression', o.sum_tolerance);
      if (p && rows[p]++ === 0) first[p] = i;
    }
    const problem = (code: keyof typeof rows, what: string, hint?: string) => {
      if (rows[code]) findings.push({ code, message: `${rows[code]} of ${ev.n} rows ${what} (first: ${place(first[code])})`, location: at(first[code]), ...(hint ? { hint } : {}) });
    };
    problem('non-finite', 'have NaN or infinite outputs');
    problem('out-of-range', 'have probabilities outside [0, 1]', `set ${o.model}.outputs.scores to the probability output, or ${o.model}.outputs.kind: logits if the model ends at logits`);
    problem('sum', `have probabilities that do not sum to 1 (±${o.sum_tolerance})`);
    if (ev.notProbabilities?.by === 'graph') findings.push({ code: 'raw-scores', message: `the scores are not known to be probabilities: ${ev.notProbabilities.reason}`, hint: rawScoresHint(o.model) });

    // columns in another order than the classes in use: a permutation that fits far better says so
    const source = CLASS_SOURCE[ev.classSource];
    const doubt = ev.task !== 'regression' && !ev.nonFinite.rows ? columnOrderDoubt(ev.classes, confusionMatrix(ev.truth, ev.predicted, ev.classes.length), source) : undefined;
    if (doubt) findings.push({ code: 'column-order', message: `the score columns look like they are in another order: ${doubt}`, hint: `check the order of ${o.model}.classes against the model's output columns` });

    const measurements: Measurement[] = [];
    if (ev.labelOutput) {
      let disagree = 0;
      let i = -1;
      for (let r = 0; r < ev.n; r++) if (ev.labelOutput[r] !== ev.predicted[r] && disagree++ === 0) i = r;
      const share = ev.n ? disagree / ev.n : 0;
      measurements.push({ name: 'label output disagreement', value: share, threshold: { max: o.max_label_disagreement }, passed: share <= o.max_label_disagreement });
      if (disagree) {
        const said = ev.labelOutput[i]! >= 0 ? ev.classes[ev.labelOutput[i]!] : 'a label that is not a class';
        findings.push({
          code: 'label-disagreement',
          message: `the label output "${ev.outputs.label}" disagrees with the scores on ${disagree} of ${ev.n} rows (first: ${place(i)}: label ${said}, scores say ${ev.classes[ev.predicted[i]!]})`,
          location: at(i),
          hint: ev.task === 'binary' ? `the scores are read as the more probable class (a tie: the first), or at ${o.model}.threshold when it is set (now ${ev.threshold}); an export bug can also make labels and probabilities disagree` : 'an export bug can make labels and probabilities disagree',
        });
      }
    }
    return {
      findings,
      measurements,
      summary: `${ev.n} rows: outputs finite${ev.task === 'regression' ? '' : `, probabilities valid, class order from ${source}`}`,
      details: { dataset: ctx.datasetName(o.dataset), n: ev.n, score_columns: ev.scoreColumns, ...(ev.task === 'regression' ? {} : { classes: ev.classes, class_source: ev.classSource }) },
    };
  },
});

