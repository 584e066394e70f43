// Latency benchmark: deploy-check's latency check (the built CLI, timed in its model host process)
// against an independent raw session.run loop (bench/raw-loop.mjs, a process of its own) on the same
// model and inputs, both warmed the same way. The p50 values should agree within 10%.
//
// The two run at the same time, pinned to the same core (taskset), each timing for the same 4 s a
// batch size. On the development machine each of the two virtual cores moves between two speeds
// (~12 and ~18 µs a run at batch 1) from one second to the next, independently of the other: two
// raw loops run one after the other, or at once on different cores, differ by up to 1.6×; two raw
// loops at once on one core agree within 2% (the kernel switches between them every few ms, so
// both see the core's speed of that moment). Five rounds, alternating the cores; the verdict is
// the median of the rounds' ratios. Without taskset the two run at once, unpinned, and the output
// says so. `npm run bench:latency` (after `npm run build`).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mulberry32 } from '../dist/eval/bootstrap.js';
import { linearModel } from './onnx-builder.mjs';

// onnxruntime's telemetry (on by default outside CI since 1.29) is off in deploy-check's model host
// (src/onnx/session.ts): the floor runs without it too, so that the two compare like for like
process.env.ORT_DISABLE_TELEMETRY = '1';

const ROOT = new URL('..', import.meta.url).pathname;
const DATA = join(ROOT, 'bench', '.data');
mkdirSync(DATA, { recursive: true });
const K = 256;
const PER_SIZE_MS = 4000;
const random = mulberry32(3);
writeFileSync(join(DATA, 'latency.onnx'), linearModel({ weights: Array.from({ length: K }, () => random() - 0.5), bias: 0.1, sigmoid: true }));
// max_seconds is shared by the two sizes; max_runs is never reached, so the check times for its whole budget as the loop does
writeFileSync(join(DATA, 'latency.yaml'), `version: 1
model: { path: latency.onnx, task: binary, classes: [0, 1] }
checks:
  - { type: latency, batch_sizes: [1, 256], max_seconds: ${(2 * PER_SIZE_MS) / 1000}, max_runs: 1000000, p95_ms: 10000 }
`);

const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (!pinned) console.log('taskset is not available: the check and the loop run at once, unpinned (their cores may run at different speeds)');

/** a command's stdout, run on `core` when taskset is there */
function output(core, args) {
  const [cmd, argv] = pinned ? ['taskset', ['-c', String(core), process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')} exited ${code}`))));
  });
}

const ROUNDS = 5;
const ratios = { 1: [], 256: [] };
for (let round = 0; round < ROUNDS; round++) {
  const core = round % cpus().length;
  const [report, raw] = await Promise.all([
    output(core, [join(ROOT, 'dist', 'cli.cjs'), 'run', join(DATA, 'latency.yaml'), '--format', 'json', '--no-color']).then(JSON.parse),
    // the same seeded inputs as the check makes without a dataset
    output(core, [join(ROOT, 'bench', 'raw-loop.mjs'), join(DATA, 'latency.onnx'), String(K), String(PER_SIZE_MS)]).then(JSON.parse),
  ]);
  const m = Object.fromEntries(report.checks[0].measurements.map((x) => [x.name, x.value]));
  const line = [];
  for (const size of [1, 256]) {
    const ours = m[`batch ${size} p50`];
    ratios[size].push(ours / raw[size]);
    line.push(`batch ${size}: deploy-check p50 ${ours.toFixed(4)} ms, raw loop p50 ${raw[size].toFixed(4)} ms, ratio ${(ours / raw[size]).toFixed(3)}`);
  }
  console.log(`round ${round + 1}${pinned ? ` (core ${core})` : ''}: ${line.join(' | ')}`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const size of [1, 256]) console.log(`batch ${size}: RATIO ${median(ratios[size]).toFixed(3)}, the median of ${ROUNDS} rounds (${Math.min(...ratios[size]).toFixed(2)}–${Math.max(...ratios[size]).toFixed(2)})`);
console.log('target: each median ratio within 0.9 .. 1.1');
