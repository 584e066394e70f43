// Data-expectations benchmark: a data check over a 1,000,000-row × 30-column CSV (type and range
// of every column, no duplicate rows, disjoint from a 100,000-row set) against an independent floor:
// a cold process that only reads and parses the file with its own parser (bench/read-floor.mjs).
// `npm run bench:data` (after `npm run build`); BENCH_REPEAT rounds, the median shown.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from './tree.mjs';
import { DATA, FEATURES, writeCsv } from './data.mjs';
import { linearModel } from './onnx-builder.mjs';

const BIG = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROOT = new URL('..', import.meta.url).pathname;
const file = writeCsv(BIG);
const other = writeCsv(Math.round(BIG / 10), 0.05);
writeFileSync(join(DATA, 'data-model.onnx'), linearModel({ weights: Array(FEATURES).fill(0.1), bias: 0, sigmoid: true }));
const columns = Array.from({ length: FEATURES }, (_, j) => `      f${j}: { type: number, min: -10, max: 10, max_missing: 0 }`).join('\n');
const checklist = join(DATA, 'data.yaml');
writeFileSync(checklist, `version: 1
model: { path: data-model.onnx }
datasets:
  big: { path: ${file.split('/').pop()}, label: y }
  other: { path: ${other.split('/').pop()}, label: y }
checks:
  - type: data
    dataset: big
    columns:
${columns}
    label: { min_share: { "1": 0.1 } }
`);
const disjoint = join(DATA, 'disjoint.yaml');
writeFileSync(disjoint, `version: 1
model: { path: data-model.onnx }
datasets:
  big: { path: ${file.split('/').pop()}, label: y }
  same: { path: ${file.split('/').pop()}, label: y }
checks:
  - { type: data, dataset: big, disjoint_from: same, no_duplicates: true }
`);

/** The independent floor: a cold process that only reads and parses the file (bench/read-floor.mjs). */
function read() {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'read-floor.mjs'), file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return (performance.now() - t) / 1000;
}
/** A run, with the peak memory of its whole process tree (bench/tree.mjs). */
async function run(path) {
  const r = await measure(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), 'run', path, '--format', 'json']);
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return { seconds: r.seconds, rss: r.peakMb, message: JSON.parse(r.stdout).checks[0].message };
}
// BENCH_REPEAT rounds (3), the floor and the run alternated; the round of the median ratio is shown
// (one round gave 2.11 and 1.37 minutes apart on the shared development machine)
const rounds = [];
for (let r = 0; r < Number(process.env.BENCH_REPEAT ?? 3); r++) {
  const floor = await read();
  rounds.push({ floor, data: await run(checklist) });
}
rounds.sort((a, b) => a.data.seconds / a.floor - b.data.seconds / b.floor);
const { floor, data } = rounds[Math.floor(rounds.length / 2)];
console.log(`data check, ${BIG.toLocaleString('en')} rows × ${FEATURES} columns: ${data.message}`);
console.log(`reading the file ${floor.toFixed(2)} s, deploy-check run ${data.seconds.toFixed(2)} s: RATIO ${(data.seconds / floor).toFixed(2)}, the median of ${rounds.length} alternated rounds (${rounds.map((r) => (r.data.seconds / r.floor).toFixed(2)).join(', ')}) (target ≤ 1.5; the floor is a cold process with its own parser)`);
const d = await run(disjoint);
console.log(`disjoint_from and no_duplicates on two ${BIG.toLocaleString('en')}-row sets: ${d.seconds.toFixed(2)} s, peak memory of the process tree ${d.rss.toFixed(0)} MB (${d.message})`);
