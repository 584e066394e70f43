import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { FIXTURES, scenario } from '../helpers.js';
import { FLOAT, intsAttr, model, node, valueInfo } from '../onnx-builder.js';

async function run(checks: string, files: Record<string, string | Buffer> = {}, modelPath = 'model.onnx') {
  const dir = scenario(files);
  copyFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), join(dir, 'holdout.csv'));
  writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: ${modelPath}\ndatasets:\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n${checks}`);
  return (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
}

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

describe('latency', () => {
  it('measures load time, percentiles and throughput per batch size, memory and size, within a bounded time', async () => {
    const t = performance.now();
    const c = await run('  - type: latency\n    dataset: holdout\n    batch_sizes: [1, 16]\n    max_seconds: 0.5\n    p95_ms: 1000\n    min_rows_per_s: 1\n    max_model_mb: 1\n');
    expect(performance.now() - t).toBeLessThan(20_000);
    expect(c.status).toBe('pass');
    const names = c.measurements.map((m) => m.name);
    expect(names).toEqual(['load', 'batch 1 p50', 'batch 1 p90', 'batch 1 p95', 'batch 1 p99', 'batch 1 max', 'batch 1 throughput', 'batch 16 p50', 'batch 16 p90', 'batch 16 p95', 'batch 16 p99', 'batch 16 max', 'batch 16 throughput', 'peak RSS', 'model size']);
    const v = (n: string) => c.measurements.find((m) => m.name === n)!.value!;
    expect(v('batch 1 p50')).toBeLessThanOrEqual(v('batch 1 p95'));
    expect(v('batch 1 p95')).toBeLessThanOrEqual(v('batch 1 max'));
    expect(v('model size')).toBe(0.001209); // 1209 bytes, exactly
    const runs = (c.details as { runs: Record<string, number> }).runs;
    expect(runs['batch 1']).toBeGreaterThan(0);
    expect((c.details as { environment: { onnxruntime: string } }).environment.onnxruntime).toMatch(/^\d+\.\d+/);
  });
  it('fails a budget it cannot meet', async () => {
    const c = await run('  - type: latency\n    max_seconds: 0.2\n    p95_ms: 0.000001\n    max_model_mb: 0.0001\n');
    expect(c.status).toBe('fail');
    expect(c.measurements.filter((m) => m.passed === false).map((m) => m.name)).toEqual(['batch 1 p95', 'model size']);
  });
});

describe('latency: a check that could never fail', () => {
  it('is refused without a budget', async () => {
    await expect(run('  - type: latency\n')).rejects.toThrow(/checks\[0\]\.type: a latency check needs a budget/);
  });
});
