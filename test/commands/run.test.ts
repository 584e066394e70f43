import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, scenario } from '../helpers.js';

describe('deploy-check run', () => {
  it('checks every column the checklist names against the headers before anything runs: exit 2, all of them, no report', () => {
    const dir = scenario({
      'c.yaml': `version: 1
model: { path: model.onnx, classes: [B, M], positive: M }
datasets:
  holdout: { path: holdout.csv, label: diagnosis }
  train: { path: train.csv, label: diagnosis }
checks:
  - { id: card, type: files, files: [c.yaml] }
  - { type: slices, metric: accuracy, by: [mean_radiuss], min: 0.5 }
  - { type: drift, reference: train, current: holdout, columns: [nope] }
`,
    });
    for (const f of ['holdout.csv', 'train.csv']) copyFileSync(join(FIXTURES, 'breast-cancer', f), join(dir, f));
    const r = cli([join(dir, 'c.yaml'), '--format', 'json', '-o', join(dir, 'report.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${join(dir, 'c.yaml')}:8:44  checks[1].by: no column "mean_radiuss" in holdout.csv (dataset holdout) (did you mean "mean_radius"?)`,
      expect.stringMatching(/c\.yaml:9:66 {2}checks\[2\]\.columns: no column "nope" in holdout\.csv \(dataset holdout\)/),
      expect.stringMatching(/c\.yaml:9:66 {2}checks\[2\]\.columns: no column "nope" in train\.csv \(dataset train\)/),
    ]);
    // nothing ran: no report was written
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
  });
});
