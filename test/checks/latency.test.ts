import { describe, expect, it } from 'vitest';
import { model } from '../onnx-builder.js';
import { runOnHoldout as run } from './on-holdout.js';

describe('latency', () => {
  // max_seconds is generous and max_runs small: the runs end by count, and loading the model on a busy
  // machine stays far inside the check's own time limit (2 × max_seconds); nothing here depends on timing
  it('measures load time, percentiles and throughput per batch size, memory and size', async () => {
    const c = await run('  - type: latency\n    dataset: holdout\n    batch_sizes: [1, 16]\n    max_seconds: 30\n    max_runs: 50\n    p95_ms: 1000\n    min_rows_per_s: 1\n    max_model_mb: 1\n');
    expect(c.status).toBe('pass');
    const names = c.measurements.map((m) => m.name);
    expect(names).toEqual(['load', 'batch 1 p50', 'batch 1 p90', 'batch 1 p95', 'batch 1 p99', 'batch 1 max', 'batch 1 throughput', 'batch 16 p50', 'batch 16 p90', 'batch 16 p95', 'batch 16 p99', 'batch 16 max', 'batch 16 throughput', 'peak RSS', 'model size']);
    const v = (n: string) => c.measurements.find((m) => m.name === n)!.value!;
    expect(v('batch 1 p50')).toBeLessThanOrEqual(v('batch 1 p95'));
    expect(v('batch 1 p95')).toBeLessThanOrEqual(v('batch 1 max'));
    expect(v('model size')).toBe(0.001209); // 1209 bytes, exactly
    const runs = (c.details as { runs: Record<string, number> }).runs;
    expect(runs['batch 1']).toBe(50);
    expect((c.details as { environment: { onnxruntime: string } }).environment.onnxruntime).toMatch(/^\d+\.\d+/);
  });
  it('fails a budget it cannot meet', async () => {
    const c = await run('  - type: latency\n    max_seconds: 30\n    max_runs: 50\n    p95_ms: 0.000001\n    max_model_mb: 0.0001\n');
    expect(c.status).toBe('fail');
    expect(c.measurements.filter((m) => m.passed === false).map((m) => m.name)).toEqual(['batch 1 p95', 'model size']);
  });
});

describe('latency: a check that could never fail', () => {
  it('is refused without a budget', async () => {
    await expect(run('  - type: latency\n')).rejects.toThrow(/checks\[0\]\.type: a latency check needs a budget/);
  });
});
