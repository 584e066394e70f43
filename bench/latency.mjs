// Latency benchmark: deploy-check's latency check against an independent raw session.run loop on
// the same model and inputs, in the same process. The p50 values should agree within 10%.
// `npm run bench:latency` (after `npm run build`).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { loadChecklist } from '../dist/checklist/load.js';
import { runChecklist } from '../dist/runner.js';
import { SESSION_OPTIONS } from '../dist/onnx/session.js';
import { percentile, mulberry32 } from '../dist/eval/bootstrap.js';
import { linearModel } from './onnx-builder.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const DATA = join(ROOT, 'bench', '.data');
mkdirSync(DATA, { recursive: true });
const K = 256;
const random = mulberry32(3);
writeFileSync(join(DATA, 'latency.onnx'), linearModel({ weights: Array.from({ length: K }, () => random() - 0.5), bias: 0.1, sigmoid: true }));
writeFileSync(join(DATA, 'latency.yaml'), `version: 1
model: { path: latency.onnx, task: binary, classes: [0, 1] }
checks:
  - { type: latency, batch_sizes: [1, 256], max_seconds: 4, max_runs: 5000, p95_ms: 10000 }
`);

for (let round = 0; round < 3; round++) {
  const report = await runChecklist(loadChecklist(join(DATA, 'latency.yaml')));
  const m = Object.fromEntries(report.checks[0].measurements.map((x) => [x.name, x.value]));

  // the independent loop: same seeded inputs as the check makes without a dataset
  const session = await ort.InferenceSession.create(join(DATA, 'latency.onnx'), SESSION_OPTIONS);
  const line = [];
  for (const size of [1, 256]) {
    const r = mulberry32(1);
    const input = new ort.Tensor('float32', Float32Array.from({ length: size * K }, () => r() * 2 - 1), [size, K]);
    for (let w = 0; w < 5; w++) await session.run({ input });
    const times = [];
    const end = performance.now() + 2000 * 0.9;
    while (times.length < 5000 && performance.now() < end) {
      const t = performance.now();
      await session.run({ input });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const raw = percentile(times, 0.5);
    const ours = m[`batch ${size} p50`];
    line.push(`batch ${size}: deploy-check p50 ${ours.toFixed(4)} ms, raw loop p50 ${raw.toFixed(4)} ms, RATIO ${(ours / raw).toFixed(3)}`);
  }
  await session.release();
  console.log(`round ${round + 1}: ${line.join(' | ')}`);
}
console.log('target: every ratio within 0.9 .. 1.1');
