import { describe, expect, it } from 'vitest';
import { FLOAT, intsAttr, model, node, valueInfo } from '../onnx-builder.js';
import { runOnHoldout as run } from './on-holdout.js';

/** y = x − mean of x over the batch: a model whose output for a row depends on the other rows. */
const batchDependent = Buffer.from(
  model(
    [node('ReduceMean', ['x'], ['mean'], [intsAttr('axes', 0)]), node('Sub', ['x', 'mean'], ['y'])],
    [valueInfo('x', FLOAT, ['N', 3])],
    [valueInfo('y', FLOAT, ['N', 3])],
  ),
);
describe('determinism', () => {
  it('passes the fixture model on real rows: same rows twice, rows alone and in a batch', async () => {
    const c = await run('  - type: determinism\n    dataset: holdout\n');
    expect(c.status).toBe('pass');
    expect(c.measurements.map((m) => [m.name, m.passed])).toEqual([
      ['max difference between two runs', true],
      ['max difference, one row alone against in a batch', true],
    ]);
    expect(c.measurements[0]!.value).toBe(0);
  });
  it('catches batch-dependent preprocessing', async () => {
    const c = await run('  - type: determinism\n    rows: 8\n', { 'bd.onnx': batchDependent }, 'bd.onnx');
    expect(c.status).toBe('fail');
    expect(c.findings.map((f) => f.code)).toEqual(['batch-dependent']);
    expect(c.findings[0]!.message).toMatch(/^row 1 of the probe predicted alone differs from the same row in a batch of 8 \(output "y", \|Δ\| = /);
  });
});
