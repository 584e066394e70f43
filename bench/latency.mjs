// Latency benchmark: deploy-check's latency check (timed in its model host process) against an
// independent raw session.run loop on the same model and inputs, in a process of its own
// (bench/raw-loop.mjs), both warmed the same way. The p50 values should agree within 10%: the median
// of five rounds' ratios, each round the check and then the loop (this machine moves between two
// speeds, ~12 and ~19 µs a run at batch 1, from one second to the next: a round whose two halves
// land apart is off by 1.6× either way). `npm run bench:latency` (after `npm run build`).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadChecklist } from '../dist/checklist/load.js';
import { runChecklist } from '../dist/run/runner.js';
import { mulberry32 } from '../dist/eval/bootstrap.js';
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

const ROUNDS = 5;
const ratios = { 1: [], 256: [] };
for (let round = 0; round < ROUNDS; round++) {
  const report = await runChecklist(loadChecklist(join(DATA, 'latency.yaml')));
  const m = Object.fromEntries(report.checks[0].measurements.map((x) => [x.name, x.value]));

  // the independent loop, in a process of its own: same seeded inputs as the check makes without a dataset
  const raw = JSON.parse(spawnSync(process.execPath, [join(ROOT, 'bench', 'raw-loop.mjs'), join(DATA, 'latency.onnx'), String(K)], { encoding: 'utf8' }).stdout);
  const line = [];
  for (const size of [1, 256]) {
    const ours = m[`batch ${size} p50`];
    ratios[size].push(ours / raw[size]);
    line.push(`batch ${size}: deploy-check p50 ${ours.toFixed(4)} ms, raw loop p50 ${raw[size].toFixed(4)} ms, ratio ${(ours / raw[size]).toFixed(3)}`);
  }
  console.log(`round ${round + 1}: ${line.join(' | ')}`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const size of [1, 256]) console.log(`batch ${size}: RATIO ${median(ratios[size]).toFixed(3)}, the median of ${ROUNDS} rounds (${Math.min(...ratios[size]).toFixed(2)}–${Math.max(...ratios[size]).toFixed(2)})`);
console.log('target: each median ratio within 0.9 .. 1.1');
