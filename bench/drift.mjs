// Drift benchmark: drift over a 1,000,000-row × 30-column current set against a 100,000-row
// reference, against a floor measured in the same run: reading both files into typed arrays with
// deploy-check's reader. `npm run bench:drift` (after `npm run build`); BENCH_ROWS for other sizes.
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
writeFileSync(join(DATA, 'model.onnx'), linearModel({ weights: Array(FEATURES).fill(0.1), bias: 0, sigmoid: true }));
const file = join(DATA, 'drift.yaml');
writeFileSync(file, `version: 1
model: { path: model.onnx }
datasets:
  reference: { path: ${reference.split('/').pop()}, label: y }
  current: { path: ${current.split('/').pop()}, label: y }
checks:
  - { type: drift, reference: reference, current: current }
`);

async function readBoth() {
  const t = performance.now();
  for (const f of [reference, current]) {
    const source = await openDataset(f, f);
    let sum = 0;
    for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'number' })), 4096)) {
      for (const col of b.cells) sum += col.numbers ? col.numbers[0] : 0;
    }
    if (Number.isNaN(sum)) throw new Error('unreachable');
  }
  return (performance.now() - t) / 1000;
}

const results = [];
for (let r = 0; r < Number(process.env.BENCH_REPEAT ?? 3); r++) {
  const floor = await readBoth();
  const t = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const whole = (performance.now() - t) / 1000;
  if (run.status !== 0 && run.status !== 1) throw new Error(run.stderr);
  const check = JSON.parse(run.stdout).checks[0];
  results.push({ floor, whole, message: check.message });
}
results.sort((a, b) => a.whole / a.floor - b.whole / b.floor);
const m = results[Math.floor(results.length / 2)];
console.log(`drift: ${BIG.toLocaleString('en')} rows against ${REF.toLocaleString('en')}, ${FEATURES} numeric columns: ${m.message}`);
console.log(`reading both files ${m.floor.toFixed(2)} s, deploy-check run ${m.whole.toFixed(2)} s: RATIO ${(m.whole / m.floor).toFixed(2)} (target ≤ 2)`);
