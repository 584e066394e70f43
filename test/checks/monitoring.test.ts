import { describe, expect, it } from 'vitest';
import { runDated as run } from './dated.js';

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
