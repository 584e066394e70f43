// Text columns and quotes: the penguins fixture (a scikit-learn pipeline with one-hot text inputs)
// on 1,000,000 rows made from its training set, written as a CSV with what real exports carry (a
// byte-order mark, CRLF, a quoted field every 997 rows, padded numbers) and as JSON Lines; one
// run of a metric, slices by two text columns, a data check and drift on each, with the wall time
// and the peak memory of the whole process tree. No floor: the independent floor's parser reads
// numbers only. `npm run bench:text` (after `npm run build`); the files are deleted after.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from './tree.mjs';
import { DATA } from './data.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const [head, ...lines] = readFileSync(join(ROOT, 'fixtures', 'penguins', 'train.csv'), 'utf8').trim().split('\n');
const rows = lines.map((l) => l.split(',')).filter((f) => f.every((x) => x !== '' && x !== 'NA'));
const names = head.split(',');
copyFileSync(join(ROOT, 'fixtures', 'penguins', 'model.onnx'), join(DATA, 'penguins.onnx'));
copyFileSync(join(ROOT, 'fixtures', 'penguins', 'train.csv'), join(DATA, 'penguins-train.csv'));

const csv = ['\ufeff' + head];
const jsonl = [];
for (let k = 0; k < ROWS; k++) {
  const f = [...rows[k % rows.length]];
  jsonl.push(JSON.stringify(Object.fromEntries(names.map((n, j) => [n, j >= 2 && j <= 5 ? Number(f[j]) : f[j]]))));
  if (k % 997 === 0) f[1] = `"${f[1]}"`;
  if (k % 1499 === 0) f[2] = ` ${f[2]} `;
  csv.push(f.join(','));
}
const files = { csv: join(DATA, 'penguins-1m.csv'), jsonl: join(DATA, 'penguins-1m.jsonl') };
writeFileSync(files.csv, csv.join('\r\n') + '\r\n');
writeFileSync(files.jsonl, jsonl.join('\n') + '\n');
csv.length = 0;
jsonl.length = 0;

for (const [format, file] of Object.entries(files)) {
  const checklist = join(DATA, `text-${format}.yaml`);
  writeFileSync(checklist, `version: 1
model: { path: penguins.onnx }
datasets:
  holdout: { path: ${file.split('/').pop()}, label: species }
  train: { path: penguins-train.csv, label: species }
checks:
  - { type: metric, metric: accuracy, min: 0.5 }
  - { type: slices, metric: accuracy, by: [island, sex], min: 0.5 }
  - { type: data, dataset: holdout, columns: { beak_length_mm: { type: number, min: 0 }, island: { type: string, one_of: [Biscoe, Dream, Torgersen] } } }
  - { type: drift, reference: train, current: holdout }
`);
  const r = await measure(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), 'run', checklist, '--format', 'json']);
  if (r.status !== 0) throw new Error(r.stderr || r.stdout.slice(0, 500));
  console.log(`${format}, ${ROWS.toLocaleString('en')} rows (${(readFileSync(file).length / 1e6).toFixed(0)} MB), metric + slices + data + drift: ${r.seconds.toFixed(2)} s, peak memory of the process tree ${r.peakMb.toFixed(0)} MB`);
  rmSync(file);
}
