// Evaluation benchmark (issue: speed and memory). Prints ratios against a floor measured in the same
// run; never used by the tests. `npm run bench` (after `npm run build`); BENCH_ROWS=200000 for a
// quicker run. Data and models are generated under bench/.data (not committed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { openDataset } from '../dist/eval/datasets/index.js';
import { numberAt } from '../dist/eval/cells.js';
import { cellAt } from '../dist/eval/datasets/index.js';
import { METRICS } from '../dist/eval/metrics/index.js';
import { SESSION_OPTIONS } from '../dist/onnx/session.js';
import { BATCH_SIZE } from '../dist/eval/predict.js';
import { linearModel } from './onnx-builder.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const DATA = join(ROOT, 'bench', '.data');
const BIG = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Math.round(BIG / 10);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
mkdirSync(DATA, { recursive: true });

import { writeCsv, trueWeights, FEATURES } from './data.mjs';

function checklist(rows, csv) {
  writeFileSync(join(DATA, 'model.onnx'), linearModel({ weights: trueWeights.map((w) => w * 0.9), bias: 0.05, sigmoid: true }));
  const file = join(DATA, `checklist-${rows}.yaml`);
  writeFileSync(file, `version: 1
model: { path: model.onnx, task: binary, classes: [0, 1] }
datasets:
  holdout: { path: ${csv.split('/').pop()}, label: y }
checks:
  - { id: accuracy, type: metric, metric: accuracy, min: 0.5 }
  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }
  - { id: log-loss, type: metric, metric: log_loss, max: 5 }
`);
  return file;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function runCli(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'rss.mjs'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`deploy-check exited ${r.status}: ${r.stderr}`);
  const rss = Number(/PEAK_RSS_MB ([\d.]+)/.exec(r.stderr)?.[1]);
  return { seconds, rss, stdout: r.stdout };
}

/** The floor: our reader into typed arrays, a raw session.run loop over pre-built tensors, the metrics. */
async function floor(csv, modelFile) {
  let t = performance.now();
  const source = await openDataset(csv, csv);
  const want = source.columns.map((_, index) => ({ index, as: index < FEATURES ? 'number' : 'cell' }));
  const batches = [];
  const labels = [];
  for await (const b of source.batches(want, BATCH_SIZE, { reuse: true })) {
    const x = new Float32Array(b.n * FEATURES);
    for (let j = 0; j < FEATURES; j++) {
      const cells = b.cells[j];
      // the fast path the pipeline uses: plain numbers straight from the reader's number columns
      if (cells.numbers && cells.other.size === 0) for (let i = 0; i < b.n; i++) x[i * FEATURES + j] = cells.numbers[i];
      else for (let i = 0; i < b.n; i++) x[i * FEATURES + j] = numberAt(cells, i).value;
    }
    const ys = b.cells[FEATURES];
    for (let i = 0; i < b.n; i++) labels.push(cellAt(ys, i) === '1' ? 1 : 0);
    batches.push({ x, n: b.n });
  }
  const read = (performance.now() - t) / 1000;
  const session = await ort.InferenceSession.create(modelFile, SESSION_OPTIONS);
  const tensors = batches.map((b) => new ort.Tensor('float32', b.x, [b.n, FEATURES]));
  t = performance.now();
  const scores = new Float64Array(labels.length * 2);
  let at = 0;
  for (const input of tensors) {
    const out = (await session.run({ input })).probability.data;
    for (let i = 0; i < out.length; i++, at++) {
      scores[2 * at + 1] = out[i];
      scores[2 * at] = 1 - out[i];
    }
  }
  const infer = (performance.now() - t) / 1000;
  t = performance.now();
  const truth = Int32Array.from(labels);
  const predicted = Int32Array.from(labels, (_, i) => (scores[2 * i + 1] >= 0.5 ? 1 : 0));
  const d = { n: labels.length, task: 'binary', C: 2, positive: 1, truth, scores, predicted };
  for (const m of ['accuracy', 'roc_auc', 'log_loss']) METRICS[m].compute(d, {});
  const metrics = (performance.now() - t) / 1000;
  await session.release();
  return { read, infer, metrics, total: read + infer + metrics };
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`deploy-check evaluation benchmark: ${BIG.toLocaleString('en')} rows × ${FEATURES} features, ${cpus().length} cores (${cpu}), node ${process.version}, onnxruntime ${ort.env.versions?.common ?? '?'}`);
const bigCsv = writeCsv(BIG);
const smallCsv = writeCsv(SMALL);
const bigChecklist = checklist(BIG, bigCsv);
const smallChecklist = checklist(SMALL, smallCsv);
console.log(`file: ${(statSync(bigCsv).size / 1e6).toFixed(0)} MB`);

const floors = [];
const runs = [];
for (let r = 0; r < REPEAT; r++) {
  floors.push(await floor(bigCsv, join(DATA, 'model.onnx')));
  runs.push(runCli(['run', bigChecklist, '--format', 'json']));
}
const f = floors.sort((a, b) => a.total - b.total)[Math.floor(floors.length / 2)];
const whole = median(runs.map((r) => r.seconds));
console.log(`floor (median of ${REPEAT}): read ${f.read.toFixed(2)} s + session.run ${f.infer.toFixed(2)} s + metrics ${f.metrics.toFixed(2)} s = ${f.total.toFixed(2)} s`);
console.log(`deploy-check run, 3 metric checks: ${whole.toFixed(2)} s (median of ${REPEAT}, process start included)`);
console.log(`RATIO whole run / floor = ${(whole / f.total).toFixed(2)}   (target ≤ 1.25)`);
console.log(`read speed: ${(statSync(bigCsv).size / 1e6 / f.read).toFixed(0)} MB/s`);

// The usual Python way, measured in the same run when python3 has pandas and scikit-learn.
const py = spawnSync('/usr/bin/python3', ['-c', 'import pandas, sklearn'], { encoding: 'utf8' });
if (py.status === 0) {
  const times = [];
  let theirs;
  for (let r = 0; r < REPEAT; r++) {
    const t = performance.now();
    const p = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'pandas-baseline.py'), bigCsv, JSON.stringify(trueWeights.map((w) => w * 0.9)), '0.05'], { encoding: 'utf8' });
    times.push((performance.now() - t) / 1000);
    if (p.status !== 0) throw new Error(p.stderr);
    theirs = JSON.parse(p.stdout);
  }
  const ours = Object.fromEntries(JSON.parse(runs[0].stdout).checks.map((c) => [c.id.replace('-', '_').replace('auc', 'roc_auc'), c.measurements[0].value]));
  const agree = ['accuracy', 'roc_auc', 'log_loss'].map((m) => `${m} ${Math.abs(ours[m] - theirs[m]).toExponential(1)}`).join(', ');
  const pandas = median(times);
  console.log(`pandas.read_csv + scikit-learn, same job: ${pandas.toFixed(2)} s (median of ${REPEAT}): deploy-check is ${(pandas / whole).toFixed(2)}× faster (target > 1); metric differences: ${agree}`);
} else console.log('pandas + scikit-learn comparison skipped: /usr/bin/python3 has no pandas or scikit-learn');

const small = runCli(['run', smallChecklist, '--format', 'json']);
const big = median(runs.map((r) => r.rss));
console.log(`peak RSS: ${SMALL.toLocaleString('en')} rows ${small.rss.toFixed(0)} MB, ${BIG.toLocaleString('en')} rows ${big.toFixed(0)} MB: +${(big - small.rss).toFixed(0)} MB   (target ≤ +100 MB)`);

if (!process.env.BENCH_SKIP_FLIGHTS) {
  const flights = join(ROOT, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');
  // A delay model: delay ≈ a + b · distance, fitted here by least squares on the first row group.
  const src = await openDataset(flights, 'flights-3m.parquet');
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for await (const b of src.batches([{ index: src.columns.indexOf('distance'), as: 'number' }, { index: src.columns.indexOf('delay'), as: 'number' }], 65536)) {
    for (let i = 0; i < b.n; i++) {
      const x = Number(cellAt(b.cells[0], i));
      const y = Number(cellAt(b.cells[1], i));
      n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
    }
    if (n > 250_000) break;
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const intercept = (sy - slope * sx) / n;
  writeFileSync(join(DATA, 'delay.onnx'), linearModel({ weights: [slope], bias: intercept, sigmoid: false, input: 'distance' }));
  const file = join(DATA, 'flights.yaml');
  writeFileSync(file, `version: 1
model: { path: delay.onnx, task: regression, inputs: { distance: [distance] } }
datasets:
  flights: { path: ${flights}, label: delay }
checks:
  - { id: mae, type: metric, metric: mae, max: 1000 }
`);
  const r = runCli(['run', file, '--format', 'json']);
  const mae = JSON.parse(r.stdout).checks[0].measurements[0].value;
  console.log(`flights-3m.parquet (3,000,000 rows, ZSTD): ${r.seconds.toFixed(1)} s, peak RSS ${r.rss.toFixed(0)} MB (target < 500 MB), mae ${mae.toFixed(2)} min`);
}
