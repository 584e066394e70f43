import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { RunContext, type ModelRole } from '../../src/checks/context.js';
import { FIXTURES, ROOT } from '../helpers.js';

async function evaluation(checklist: string, role: ModelRole = 'model') {
  const ctx = new RunContext(loadChecklist(join(ROOT, checklist)), new Date());
  ctx.plan({ dataset: undefined, models: role === 'baseline' ? ['model', 'baseline'] : ['model'] });
  return { ev: await ctx.evaluation(role, undefined), ctx };
}

const json = (p: string) => JSON.parse(readFileSync(join(FIXTURES, p), 'utf8'));

describe('predictions through onnxruntime-node agree with scikit-learn', () => {
  const cases: [string, string, ModelRole, string, string][] = [
    ['breast cancer (CSV, string labels)', 'checklists/example.yaml', 'model', 'breast-cancer/sklearn-model.json', 'breast-cancer.predictions.json'],
    ['breast cancer baseline', 'checklists/example.yaml', 'baseline', 'breast-cancer/sklearn-baseline.json', 'breast-cancer-baseline.predictions.json'],
    ['wine (ZipMap, int64 labels)', 'checklists/wine.yaml', 'model', 'wine/sklearn-model.json', 'wine.predictions.json'],
    ['penguins (JSON Lines, one string or float input per column)', 'checklists/penguins.yaml', 'model', 'penguins/sklearn-model.json', 'penguins.predictions.json'],
    ['diabetes (regression)', 'checklists/diabetes.yaml', 'model', 'diabetes/sklearn-model.json', 'diabetes.predictions.json'],
  ];
  it.each(cases)('%s', async (_name, checklist, role, sklearnFile, dumped) => {
    const { ev } = await evaluation(checklist, role);
    const ref = json(sklearnFile) as { classes: (string | number)[] | null; predictions: number[] | number[][] };
    const expected = ref.predictions.flat();
    expect(ev.scores.length).toBe(expected.length);
    // float32 inside the model against scikit-learn's float64
    const tolerance = ev.task === 'regression' ? 1e-3 : 1e-5;
    for (let i = 0; i < expected.length; i++) expect(Math.abs(ev.scores[i]! - expected[i]!)).toBeLessThan(tolerance);
    if (ref.classes) expect(ev.classes).toEqual(ref.classes.map(String));
    // and exactly the predictions the expected metrics were computed on
    const d = json(join('expected', dumped));
    expect(Array.from(ev.scores)).toEqual(d.scores);
    expect(Array.from(ev.truth)).toEqual(d.truth);
  });

  it('reports where the classes came from', async () => {
    expect((await evaluation('checklists/wine.yaml')).ev.classSource).toBe('model');
    expect((await evaluation('checklists/example.yaml')).ev.classSource).toBe('model');
  });
});
