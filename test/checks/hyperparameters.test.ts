import { describe, expect, it } from 'vitest';
import { checklistWith, runScenario } from '../helpers.js';

async function hp(file: string, options: string, name = 'hp.yaml') {
  const report = await runScenario({
    'checklist.yaml': checklistWith(`  - type: hyperparameters\n    path: ${name}\n${options}`),
    [name]: file,
  });
  const c = report.checks[0]!;
  return { status: c.status, messages: c.findings.map((f) => f.message), findings: c.findings, check: c };
}

// The fixture model's metadata: C=1.0, penalty=l2, solver=lbfgs, max_iter=1000, random_state=42.
const GOOD = 'C: 1.0\npenalty: l2\nsolver: lbfgs\nmax_iter: 1000\nrandom_state: 42\noptimizer:\n  tol: 0.0001\n';

describe('hyperparameters', () => {
  it('passes when everything is recorded, in range and agrees with the model metadata', async () => {
    const r = await hp(GOOD, '    required: [C, solver, optimizer.tol]\n    rules:\n      C: { type: number, min: 0.001, max: 10 }\n      penalty: { one_of: [l1, l2] }\n      max_iter: { type: integer }\n    require_seed: true\n');
    expect(r.messages).toEqual([]);
    expect(r.status).toBe('pass');
    expect((r.check.details as { compared_with_model_metadata: string[] }).compared_with_model_metadata.sort()).toEqual(['C', 'max_iter', 'penalty', 'random_state', 'solver']);
  });

  it('reports missing required keys and keys named by a rule', async () => {
    const r = await hp('C: 1.0\n', '    required: [solver, optimizer.tol]\n    rules:\n      max_iter: { min: 1 }\n');
    expect(r.messages).toEqual(['"solver" is not recorded', '"optimizer.tol" is not recorded', '"max_iter" is not recorded (a rule names it)']);
  });

  it('applies type, min, max and one_of, with the line of the key', async () => {
    const r = await hp('C: 1.0\npenalty: l3\nmax_iter: 10.5\nlr: 2\n', '    match_model_metadata: false\n    rules:\n      C: { min: 2 }\n      lr: { max: 1 }\n      penalty: { one_of: [l1, l2] }\n      max_iter: { type: integer }\n');
    expect(r.messages).toEqual(['C: 1 is below the minimum 2', 'lr: 2 is above the maximum 1', 'penalty: "l3" is not one of "l1", "l2"', 'max_iter: expected integer, found 10.5']);
    expect(r.findings.map((f) => f.location)).toEqual(['hp.yaml:1', 'hp.yaml:4', 'hp.yaml:2', 'hp.yaml:3']);
  });

  it('requires an integer seed when asked', async () => {
    expect((await hp('C: 1.0\n', '    require_seed: true\n')).messages).toEqual(['no random seed recorded (looked for seed, random_state, random_seed, rng_seed)']);
    expect((await hp('C: 1.0\ntraining:\n  seed: 1.5\n', '    require_seed: true\n')).messages).toEqual(['training.seed: a seed must be an integer, found 1.5']);
    expect((await hp('C: 1.0\nmy_seed: 7\n', '    require_seed: [my_seed]\n')).messages).toEqual([]);
  });

  it('fails when a value disagrees with the ONNX metadata', async () => {
    const r = await hp(GOOD.replace('C: 1.0', 'C: 0.5').replace('solver: lbfgs', 'solver: saga'), '');
    expect(r.messages).toEqual([
      'C is 0.5 here but "1.0" in the metadata of model.onnx',
      'solver is "saga" here but "lbfgs" in the metadata of model.onnx',
    ]);
  });

  it('reads JSON too, with duplicate keys refused', async () => {
    expect((await hp('{"C": 1.0, "random_state": 42}', '    require_seed: true\n', 'hp.json')).messages).toEqual([]);
    await expect(hp('{"C": 1.0, "C": 2.0}', '', 'hp.json')).rejects.toThrow(/hp\.json:1:12 {2}duplicate key/);
  });

  it('refuses an empty or non-mapping file as bad input', async () => {
    await expect(hp('', '')).rejects.toThrow('hp.yaml  the hyperparameters file is empty');
    await expect(hp('- 1\n', '')).rejects.toThrow('hp.yaml:1:1  expected a mapping of hyperparameters at the top level');
  });
});
