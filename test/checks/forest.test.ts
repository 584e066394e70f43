import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, scenario } from '../helpers.js';

/**
 * A random forest of four fully grown trees, laid out as skl2onnx writes one (fixtures/generate-forest.py):
 * 8 of its 171 hold-out rows score exactly 0.5. scikit-learn's predict and the model's own label
 * output call them the first class; so must the decisions here when the checklist sets no
 * threshold. Values from scikit-learn (fixtures/expected/breast-cancer-forest.json).
 */
const REF = JSON.parse(readFileSync(join(FIXTURES, 'expected', 'breast-cancer-forest.json'), 'utf8')) as {
  n: number;
  ties: number;
  accuracy: number;
  recall: number;
  precision: number;
  accuracy_ties_positive: number;
};

const run = (threshold: string) => {
  const dir = scenario({
    'c.yaml': `version: 1
model: { path: ${join(FIXTURES, 'breast-cancer-forest', 'model.onnx')}, task: binary, positive: M${threshold} }
datasets:
  holdout: { path: ${join(FIXTURES, 'breast-cancer', 'holdout.csv')}, label: diagnosis }
checks:
  - type: outputs
  - { id: accuracy, type: metric, metric: accuracy, min: 0.5 }
  - { id: recall, type: metric, metric: recall, min: 0.5 }
  - { id: precision, type: metric, metric: precision, min: 0.5 }
`,
  });
  const r = cli([join(dir, 'c.yaml'), '--format', 'json']);
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as { checks: { id: string; status: string; measurements: { value: number }[]; details: { confusion_matrix?: number[][] } }[] };
  return (id: string) => report.checks.find((c) => c.id === id)!;
};

describe('a random forest whose scores tie at 0.5', () => {
  it('without a threshold, a tie is the first class, as scikit-learn predicts and the label output says: its accuracy, recall and precision', async () => {
    expect(REF.ties).toBe(8);
    const check = run('');
    // the label output agrees with the decisions on every row, the ties included
    expect(check('outputs').status).toBe('pass');
    expect(check('outputs').measurements).toEqual([expect.objectContaining({ name: 'label output disagreement', value: 0 })]);
    expect(check('accuracy').measurements[0]!.value).toBe(REF.accuracy);
    expect(check('recall').measurements[0]!.value).toBe(REF.recall);
    expect(check('precision').measurements[0]!.value).toBe(REF.precision);
    // a >= 0.5 rule would count the eight ties as malignant
    expect(REF.accuracy_ties_positive).toBeGreaterThan(REF.accuracy);
    const m = check('accuracy').details.confusion_matrix!;
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(REF.n);
  });

  it('with threshold 0.5 set, the positive class is predicted at a probability of at least 0.5: the ties are malignant, and the label output disagrees on them', () => {
    const check = run(', threshold: 0.5');
    expect(check('accuracy').measurements[0]!.value).toBe(REF.accuracy_ties_positive);
    expect(check('outputs').measurements[0]!.value).toBe(REF.ties / REF.n);
  });
});

describe('one score column tied at 0.5', () => {
  it("without a threshold, a tie is the first class there too (the single column's decisions are computed apart)", async () => {
    const { FLOAT, model, node, valueInfo } = await import('../onnx-builder.js');
    // the score is the input itself: the data say what the model scores
    const identity = Buffer.from(model([node('Identity', ['x'], ['scores'])], [valueInfo('x', FLOAT, ['N', 1])], [valueInfo('scores', FLOAT, ['N', 1])]));
    // two ties at 0.5 labelled 0, and the float32 just above one half, labelled 1
    const dir = scenario({
      'model.onnx': identity,
      'data.csv': 's,y\n0.5,0\n0.5,0\n0.50000006,1\n0.2,0\n0.9,1\n',
      'c.yaml': 'version: 1\nmodel: { path: model.onnx, task: binary, classes: [0, 1] }\ndatasets:\n  holdout: { path: data.csv, label: y }\nchecks:\n  - { id: accuracy, type: metric, metric: accuracy, min: 0.5 }\n',
    });
    const r = cli([join(dir, 'c.yaml'), '--format', 'json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { checks: { measurements: { value: number }[]; details: { confusion_matrix: number[][] } }[] };
    // a >= rule would give 3/5
    expect(report.checks[0]!.measurements[0]!.value).toBe(1);
    expect(report.checks[0]!.details.confusion_matrix).toEqual([
      [3, 0],
      [0, 2],
    ]);
  });
});
