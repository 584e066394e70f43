import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { FIXTURES, scenario } from '../helpers.js';

async function penguins(check: string) {
  const dir = scenario();
  copyFileSync(join(FIXTURES, 'penguins', 'model.onnx'), join(dir, 'p.onnx'));
  copyFileSync(join(FIXTURES, 'penguins', 'holdout.jsonl'), join(dir, 'h.jsonl'));
  writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: p.onnx\ndatasets:\n  holdout: { path: h.jsonl, label: species }\nchecks:\n${check}`);
  return async () => (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
}

describe('robustness', () => {
  it('seeded: the same perturbation gives the same numbers on every run; small noise keeps predictions', async () => {
    const run = await penguins('  - type: robustness\n    perturbations: [{ kind: noise, scale: 0.1 }]\n    min_agreement: 0.9\n');
    const a = await run();
    const b = await run();
    expect(a.measurements).toEqual(b.measurements);
    expect(a.status).toBe('pass');
    expect(a.measurements[0]!.name).toBe('agreement under noise ×0.1 sd on beak_length_mm, flipper_length_mm, body_mass_g');
  });
  it('fails when predictions do not survive the perturbation, and when the metric drops too far', async () => {
    const c = await (await penguins('  - type: robustness\n    perturbations: [{ kind: noise, scale: 3 }]\n    min_agreement: 0.9\n    metric: accuracy\n    max_drop: 0.05\n'))();
    expect(c.status).toBe('fail');
    expect(c.measurements.filter((m) => m.passed === false).map((m) => m.name)).toEqual([
      'agreement under noise ×3 sd on beak_length_mm, flipper_length_mm, body_mass_g',
      'accuracy drop under noise ×3 sd on beak_length_mm, flipper_length_mm, body_mass_g',
    ]);
  });
  it('swaps categories for other seen values, and refuses perturbations that do not fit the column', async () => {
    const c = await (await penguins('  - type: robustness\n    perturbations: [{ kind: swap, columns: [island], rate: 1 }]\n    min_agreement: 0\n'))();
    expect(c.measurements[0]!.value).toBeLessThan(1);
    await expect((await penguins('  - type: robustness\n    perturbations: [{ kind: swap, columns: [body_mass_g] }]\n    min_agreement: 0.9\n'))()).rejects.toThrow('robustness: swap applies to string columns; "body_mass_g" is numeric');
  });
  it('refuses a check that could never fail', async () => {
    const run = await penguins('  - type: robustness\n    perturbations: [{ kind: noise }]\n');
    await expect(run()).rejects.toThrow(/checks\[0\]\.perturbations: a robustness check needs min_agreement or metric with max_drop/);
  });
});

describe('robustness: row order', () => {
  it('the same rows in another order are perturbed the same way', async () => {
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(join(FIXTURES, 'penguins', 'holdout.jsonl'), 'utf8').trimEnd().split('\n');
    const check = '  - type: robustness\n    perturbations: [{ kind: noise, scale: 1 }, { kind: swap, columns: [island], rate: 0.3 }]\n    min_agreement: 0\n';
    const run = async (text: string) => {
      const dir = scenario({ 'h.jsonl': text });
      copyFileSync(join(FIXTURES, 'penguins', 'model.onnx'), join(dir, 'p.onnx'));
      writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: p.onnx\ndatasets:\n  holdout: { path: h.jsonl, label: species }\nchecks:\n${check}`);
      return (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!.measurements;
    };
    const a = await run(`${lines.join('\n')}\n`);
    const b = await run(`${[...lines].reverse().join('\n')}\n`);
    expect(b).toEqual(a);
    expect(a[0]!.value).toBeLessThan(1);
  });
});
