import { sha256Hex } from '../../src/input/hash.js';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { reservoir } from '../../src/checks/profile.js';
import { runChecklist } from '../../src/run/runner.js';
import { cli, FIXTURES, scenario } from '../helpers.js';

function bcScenario(checks: string) {
  const dir = scenario();
  for (const f of ['train.csv', 'holdout.csv']) copyFileSync(join(FIXTURES, 'breast-cancer', f), join(dir, f));
  writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  train: { path: train.csv, label: diagnosis }\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n${checks}`);
  return dir;
}

describe('profiles', () => {
  it('deploy-check profile writes the same bytes twice, with statistics, scores and the gated metrics', () => {
    const dir = bcScenario('  - { id: acc, type: metric, dataset: train, metric: accuracy, min: 0.9, confidence: 0.9 }\n');
    const a = cli(['profile', '--checklist', join(dir, 'c.yaml'), '--dataset', 'train', '--output', join(dir, 'p1.json')]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^wrote .*p1\.json: profile of dataset train \(\d+ rows, 31 columns, model scores\)\n$/);
    cli(['profile', '--checklist', join(dir, 'c.yaml'), '--dataset', 'train', '--output', join(dir, 'p2.json')]);
    const text = readFileSync(join(dir, 'p1.json'), 'utf8');
    expect(readFileSync(join(dir, 'p2.json'), 'utf8')).toBe(text);
    const p = JSON.parse(text);
    expect(p.schema).toBe('deploy-check/profile@1');
    expect(p.dataset).toMatchObject({ name: 'train', rows: 398 });
    expect(p.columns).toHaveLength(31);
    expect(p.columns.at(-1)).toEqual({ name: 'diagnosis', profile: { type: 'categorical', count: 398, missing: 0, categories: [['B', 250], ['M', 148]] } });
    expect(p.columns[0].profile).toMatchObject({ type: 'numeric', count: 398, missing: 0 });
    expect(p.columns[0].profile.sample).toHaveLength(398);
    expect(p.scores.name).toBe('probability of M');
    expect(p.metrics).toEqual([expect.objectContaining({ id: 'acc', name: 'accuracy', ci: expect.any(Array) })]);
  });

  it('a profile as the drift reference gives the same verdicts as the dataset it profiles (samples hold every row up to 5,000)', async () => {
    const dir = bcScenario('  - { id: acc, type: metric, dataset: train, metric: accuracy, min: 0.9 }\n');
    expect(cli(['profile', '--checklist', join(dir, 'c.yaml'), '--dataset', 'train', '--output', join(dir, 'train.profile.json')]).code).toBe(0);
    writeFileSync(join(dir, 'd.yaml'), 'version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  train: { path: train.csv, label: diagnosis }\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n  - { id: by-data, type: drift, reference: train, current: holdout, predictions: true }\n  - { id: by-profile, type: drift, reference: { profile: train.profile.json }, current: holdout, predictions: true }\n');
    const report = await runChecklist(loadChecklist(join(dir, 'd.yaml')));
    const [byData, byProfile] = report.checks;
    expect(byProfile!.status).toBe('pass');
    // the profile is evidence like every file read, with its digest
    expect(report.inputs.find((i) => i.path === 'train.profile.json')).toMatchObject({ sha256: sha256Hex(readFileSync(join(dir, 'train.profile.json'))) });
    expect((byProfile!.details as { columns: unknown[] }).columns).toEqual((byData!.details as { columns: unknown[] }).columns);
    expect((byData!.details as { columns: { column: string }[] }).columns.some((c) => c.column === 'model score')).toBe(true);
  });

  it('refuses a malformed profile with the place', async () => {
    const dir = bcScenario('  - { type: drift, reference: { profile: bad.json }, current: holdout }\n');
    writeFileSync(join(dir, 'bad.json'), '{"schema": "deploy-check/profile@2"}');
    await expect(runChecklist(loadChecklist(join(dir, 'c.yaml')))).rejects.toThrow(/bad\.json:1:12 {2}schema: expected "deploy-check\/profile@1", received "deploy-check\/profile@2"/);
  });

  it('reservoir sampling is seeded and keeps everything below its size', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => i);
    expect(reservoir(values, 100, 3)).toEqual(reservoir(values, 100, 3));
    expect(reservoir(values, 100, 3)).not.toEqual(reservoir(values, 100, 4));
    expect(reservoir(values.slice(0, 50), 100, 3)).toEqual(values.slice(0, 50));
  });
});
