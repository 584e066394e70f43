import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { claimedMetric } from '../../src/checks/claims.js';
import { writtenNumber } from '../../src/input/claims.js';
import type { ClaimsDetails } from '../../src/report/details.js';
import { runChecklist } from '../../src/run/runner.js';
import { RunContext } from '../../src/checks/context.js';
import { bc } from './breast-cancer.js';
import { cli, FIXTURES, ROOT, scenario } from '../helpers.js';

const HEADER = 'version: 1\nmodel:\n  path: model.onnx\n  outputs: { scores: probabilities, label: label }\n  classes: [B, M]\n  positive: M\ndatasets:\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n';

async function claims(card: string, options = '') {
  const dir = scenario({ 'CARD.md': card });
  copyFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), join(dir, 'holdout.csv'));
  writeFileSync(join(dir, 'c.yaml'), `${HEADER}  - type: claims\n    path: CARD.md\n${options}`);
  const check = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
  return { check, claims: (check.details as unknown as ClaimsDetails).claims };
}

// the breast-cancer hold-out: 171 rows, 64 malignant; the model finds 60 of them (recall 0.9375) and
// gets 166 rows right (accuracy 0.97076); Wilson's 95% interval of 60/64 is [0.8500, 0.9754]
describe('claims: what a model card states, measured', () => {
  it('the example checklist: the shipped card holds, the hub card overstates recall and states a timing', async () => {
    const r = cli(['run', 'checklists/claims.yaml', '--format', 'json'], { cwd: ROOT });
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as { id: string; status: string; details: ClaimsDetails; findings: { message: string; location: string }[] }[];
    expect(checks.map((c) => [c.id, c.status])).toEqual([['card-claims', 'pass'], ['hub-card-claims', 'fail']]);
    expect(checks[1]!.details.claims.map((c) => [c.line, c.source, c.metric ?? null, c.status])).toEqual([
      [16, 'model-index', 'accuracy', 'holds'],
      [18, 'model-index', 'roc_auc', 'holds'],
      [20, 'model-index', 'recall', 'fails'],
      [37, 'table', 'accuracy', 'holds'],
      [38, 'table', 'precision', 'holds'],
      [39, 'table', 'rows', 'holds'],
      [40, 'table', null, 'unmapped'],
    ]);
    const recall = checks[1]!.details.claims[2]!;
    expect(recall.measured).toBe(60 / 64);
    expect(checks[1]!.findings.map((f) => [f.message, f.location])).toEqual([
      [expect.stringMatching(/^the card says recall 0\.99 on "Wisconsin hold-out"; measured 0\.9375 \[0\.85, 0\.9754\]: outside the 95% interval$/), '../fixtures/breast-cancer-claims/MODEL_CARD.md:20'],
      ['the card says Inference time 2 ms on "Hold-out", but it cannot be checked: "Inference time" is not a metric deploy-check computes', '../fixtures/breast-cancer-claims/MODEL_CARD.md:40'],
    ]);
  });

  it('a card\'s claims on one dataset draw their bootstrap replicates together, each interval the one a metric check draws alone', async () => {
    const card = '| Metric | Value |\n| --- | --- |\n| ROC AUC | 0.99 |\n| Log loss | 0.07 |\n| F1 | 0.95 |\n| Accuracy | 0.97 |\n';
    const dir = scenario({ 'CARD.md': card });
    copyFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), join(dir, 'holdout.csv'));
    writeFileSync(join(dir, 'c.yaml'), `${HEADER}  - type: claims\n    path: CARD.md\n`);
    const loaded = loadChecklist(join(dir, 'c.yaml'));
    const ctx = new RunContext(loaded, new Date());
    const found = ((await runChecklist(loaded, { context: ctx })).checks[0]!.details as unknown as ClaimsDetails).claims;
    // accuracy takes Wilson's interval: no replicates
    expect([...ctx.replicates.values()].map((g) => [g.draws, [...g.byMetric.keys()].map((k) => JSON.parse(k)[0])])).toEqual([[1, ['roc_auc', 'log_loss', 'f1']]]);
    for (const metric of ['roc_auc', 'log_loss', 'f1', 'accuracy']) {
      const alone = (await bc(`  - { type: metric, metric: ${metric}, min: 0, confidence: 0.95 }\n`)).checks[0]!.measurements[0]!.ci;
      expect(found.find((c) => c.metric === metric)!.ci).toEqual(alone);
    }
  });

  it('a claim covers its written rounding: "0.98" is [0.975, 0.985] and meets the interval; "0.980" does not', async () => {
    const a = await claims('| Metric | Value |\n| --- | --- |\n| Recall | 0.98 |\n');
    expect(a.claims[0]!.status).toBe('holds');
    const b = await claims('| Metric | Value |\n| --- | --- |\n| Recall | 0.980 |\n');
    expect(b.claims[0]!.status).toBe('fails');
    expect(b.check.status).toBe('fail');
    const c = await claims('| Metric | Value |\n| --- | --- |\n| Sensitivity | 97.5% |\n'); // 97.5% covers [0.9745, 0.9755]
    expect([c.claims[0]!.metric, c.claims[0]!.status]).toEqual(['recall', 'holds']);
  });

  it('tables with metrics as columns and datasets as rows; an unknown dataset is a finding, never silence', async () => {
    const { check, claims: found } = await claims('## Results\n\n| Split | Accuracy | ROC AUC |\n| --- | --- | --- |\n| holdout | 0.97 | 0.998 |\n| external clinic | 0.93 | 0.95 |\n');
    expect(found.map((c) => [c.card_dataset, c.metric ?? c.name, c.status])).toEqual([
      ['holdout', 'accuracy', 'holds'],
      ['holdout', 'roc_auc', 'holds'],
      ['external clinic', 'Accuracy', 'unmapped'],
      ['external clinic', 'ROC AUC', 'unmapped'],
    ]);
    expect(check.findings[0]!.message).toBe('the card says Accuracy 0.93 on "external clinic", but it cannot be checked: "external clinic" is not a dataset of the checklist');
    expect(check.findings[0]!.hint).toBe('map it: datasets: { "external clinic": <dataset> }');
  });

  it('a front-matter metrics list with values; names alone claim nothing; ignore skips a name', async () => {
    const card = '---\nmetrics:\n  - accuracy\n  - { name: accuracy, value: 0.97, dataset: holdout }\n  - { name: brier, value: 0.5 }\n---\n\n| Metric | Value |\n| --- | --- |\n| Latency | 3 ms |\n';
    const { check, claims: found } = await claims(card, '    ignore: [latency]\n');
    expect(found.map((c) => [c.line, c.source, c.metric, c.status])).toEqual([
      [4, 'front matter metrics', 'accuracy', 'holds'],
      [5, 'front matter metrics', 'brier', 'fails'],
    ]);
    expect(check.findings.map((f) => f.code)).toEqual(['claim-outside-interval']);
  });

  it('a metric that does not apply, and a card with no number: findings', async () => {
    const a = await claims('| Metric | Value |\n| --- | --- |\n| R2 | 0.9 |\n');
    expect(a.check.findings[0]!.message).toBe('the card says R2 0.9, but r2 does not apply to a binary model');
    const b = await claims('# A card\n\nNo numbers here.\n');
    expect(b.check.status).toBe('fail');
    expect(b.check.findings[0]!.code).toBe('no-claims');
  });

  it('reads written numbers as a person wrote them', () => {
    expect(writtenNumber('97.1%')).toEqual({ value: 0.971, rounding: 0.0005 });
    expect(writtenNumber('0.97 ± 0.01')).toEqual({ value: 0.97, rounding: 0.005 });
    expect(writtenNumber('1,234 rows')).toEqual({ value: 1234, rounding: 0.5 });
    expect(writtenNumber('n/a')).toBeUndefined();
    expect(['Accuracy', 'F1 score', 'ROC-AUC', 'AUROC', 'log loss', 'Brier score', 'R²', 'Samples', 'inference time'].map(claimedMetric)).toEqual(['accuracy', 'f1', 'roc_auc', 'roc_auc', 'log_loss', 'brier', 'r2', 'rows', undefined]);
  });
});
