// Drift benchmark: drift over a 1,000,000-row × 30-column current set against a 100,000-row
// reference, against a floor measured in the same run: a cold process that only reads and parses
// both files with its own parser (bench/read-floor.mjs, no code from src/). `npm run bench:drift` (after `npm run build`); BENCH_ROWS for other sizes.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../dist/eval/datasets/index.js';
import { DATA, FEATURES, writeCsv } from './data.mjs';
import { linearModel } from './onnx-builder.mjs';

const BIG = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REF = Math.round(BIG / 10);
const ROOT = new URL('..', import.meta.url).pathname;
const reference = writeCsv(REF);
const current = writeCsv(BIG, 0.05);
writeFileSync(join(DATA, 'drift-model.onnx'), linearModel({ weights: Array(FEATURES).fill(0.1), bias: 0, sigmoid: true }));
const file = join(DATA, 'drift.yaml');
writeFileSync(file, `version: 1
model: { path: drift-model.onnx }
datasets:
  reference: { path: ${reference.split('/').pop()}, label: y }
  current: { path: ${current.split('/').pop()}, label: y }
checks:
  - { type: drift, reference: reference, current: current }
`);

/** Reading both files in this (warm) process: for information. */
async function readBoth() {
  const t = performance.now();
  for (const f of [reference, current]) {
    const source = await openDataset(f, f);
    let sum = 0;
    for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'number' })), 8192, { reuse: true })) {
      for (const col of b.cells) sum += col.numbers ? col.numbers[0] : 0;
    }
    if (Number.isNaN(sum)) throw new Error('unreachable');
  }
  return (performance.now() - t) / 1000;
}

/** Wall time of a node process, from spawn to exit. */
function timed(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { seconds: (performance.now() - t) / 1000, r };
}

const results = [];
for (let r = 0; r < Number(process.env.BENCH_REPEAT ?? 3); r++) {
  const warm = await readBoth();
  // the floor: a process that reads both files with the same reader and does nothing else
  const floor = timed([join(ROOT, 'bench', 'read-floor.mjs'), reference, current]);
  if (floor.r.status !== 0) throw new Error(floor.r.stderr);
  const run = timed([join(ROOT, 'dist', 'cli.cjs'), 'run', file, '--format', 'json']);
  if (run.r.status !== 0 && run.r.status !== 1) throw new Error(run.r.stderr);
  const check = JSON.parse(run.r.stdout).checks[0];
  results.push({ floor: floor.seconds, warm, whole: run.seconds, message: check.message });
}
results.sort((a, b) => a.whole / a.floor - b.whole / b.floor);
const m = results[Math.floor(results.length / 2)];
console.log(`drift: ${BIG.toLocaleString('en')} rows against ${REF.toLocaleString('en')}, ${FEATURES} numeric columns: ${m.message}`);
console.log(`reading both files (a process that only reads them) ${m.floor.toFixed(2)} s, deploy-check run ${m.whole.toFixed(2)} s: RATIO ${(m.whole / m.floor).toFixed(2)} (target ≤ 2)`);
console.log(`(reading both again in this warm process: ${m.warm.toFixed(2)} s, ratio ${(m.whole / m.warm).toFixed(2)})`);
