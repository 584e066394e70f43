import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { FIXTURES, scenario } from '../helpers.js';

async function run(checks: string, files: Record<string, string | Buffer> = {}, now = '2026-11-28', modelPath = 'model.onnx', extra = '', only?: string[]) {
  const dir = scenario(files);
  copyFileSync(join(FIXTURES, 'breast-cancer', 'MODEL_CARD.md'), join(dir, 'card.md'));
  copyFileSync(join(FIXTURES, 'wine', 'model.onnx'), join(dir, 'wine.onnx'));
  writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: ${modelPath}\n${extra}checks:\n${checks}`);
  const report = await runChecklist(loadChecklist(join(dir, 'c.yaml')), { now: new Date(`${now}T00:00:00Z`), only });
  return report.checks.at(-1)!;
}

describe('staleness', () => {
  it('reads the training date from the model metadata and the card, which agree', async () => {
    const c = await run('  - type: staleness\n    card: card.md\n    max_age_days: 30\n');
    expect(c.status).toBe('pass');
    expect(c.measurements[0]).toEqual({ name: 'model age', value: 26, unit: 'days', threshold: { max: 30 }, passed: true });
    expect((c.details as { training_date_sources: unknown[] }).training_date_sources).toHaveLength(2);
  });
  it('fails a model trained too long ago', async () => {
    const c = await run('  - type: staleness\n    max_age_days: 30\n', {}, '2027-06-01');
    expect(c.status).toBe('fail');
    expect(c.message).toBe('model age 211 days is above the maximum 30 days');
  });
  it('flags sources that disagree and a model without any training date', async () => {
    expect((await run('  - type: staleness\n    training_date: 2026-01-01\n    max_age_days: 400\n')).findings.map((f) => f.message)).toEqual([
      'the training date differs between sources: 2026-01-01 in the checklist, 2026-11-02 in the metadata of model.onnx',
    ]);
    const none = await run('  - type: staleness\n    max_age_days: 30\n', {}, '2026-11-28', 'wine.onnx');
    expect(none.findings.map((f) => f.code)).toEqual(['no-date']);
    expect(none.status).toBe('fail');
  });
  it('checks the latest date of the training data', async () => {
    const files = { 'train.csv': 'day,x,y\n2026-01-05,1,0\n2026-03-31,2,1\n2026-02-01,3,0\n' };
    const c = await run('  - type: staleness\n    max_age_days: 400\n    data: { dataset: train, column: day, max_age_days: 200 }\n', files, '2026-11-28', 'model.onnx', 'datasets:\n  train: { path: train.csv, label: y }\n');
    expect(c.measurements[1]).toEqual({ name: 'training data age (train, latest day)', value: 242, unit: 'days', threshold: { max: 200 }, passed: false });
    await expect(run('  - type: staleness\n    max_age_days: 400\n    data: { dataset: train, column: day }\n', { 'train.csv': 'day,y\nsoon,1\n' }, '2026-11-28', 'model.onnx', 'datasets:\n  train: { path: train.csv, label: y }\n')).rejects.toThrow('train.csv  line 2: column "day": "soon" is not a date');
  });
});

describe('monitoring', () => {
  const gates = '  - { id: a, type: metric, metric: accuracy, min: 0.9 }\n  - { id: b, type: metric, metric: roc_auc, min: 0.9 }\n';
  const extra = 'datasets:\n  holdout: { path: h.csv, label: diagnosis }\n';
  const h = { 'h.csv': 'x,diagnosis\n1,B\n' };
  it('passes a plan that watches every gated metric and latency, with an owner and a rollback', async () => {
    const plan = 'owner: { name: Dana, contact: "#oncall" }\nmetrics:\n  - { name: accuracy, min: 0.9 }\n  - { name: roc_auc, min: 0.95 }\n  - { name: latency_p95_ms, max: 50 }\nrollback: { procedure: redeploy the previous version }\n';
    const c = await run(`${gates}  - { type: monitoring, path: plan.yaml }\n`, { ...h, 'plan.yaml': plan }, undefined, undefined, extra, ['monitoring']);
    expect(c.status).toBe('pass');
  });
  it('reports each gap as its own finding', async () => {
    const plan = 'owner: { name: Dana }\nmetrics:\n  - { name: accuracy }\n';
    const c = await run(`${gates}  - { type: monitoring, path: plan.yaml }\n`, { ...h, 'plan.yaml': plan }, undefined, undefined, extra, ['monitoring']);
    expect(c.findings.map((f) => f.message)).toEqual([
      'no contact to page (owner.contact)',
      'no rollback procedure',
      'metric "accuracy" has no alert threshold (min or max)',
      'the checklist gates roc_auc, but the plan does not watch it',
      'the plan does not watch latency',
    ]);
  });
  it('refuses a malformed plan with the place', async () => {
    await expect(run('  - { type: monitoring, path: plan.yaml }\n', { 'plan.yaml': 'metrics:\n  - { name: accuracy, min: high }\n' })).rejects.toThrow('plan.yaml:2:28  metrics[0].min: expected number, received string "high"');
  });
});
