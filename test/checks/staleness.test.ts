import { describe, expect, it } from 'vitest';
import { runDated as run } from './dated.js';

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
