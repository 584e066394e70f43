// The independent floor of the evaluation benchmark: the simplest fast code a user could write
// without deploy-check, sharing no code with src/. A byte-level parser of a numeric CSV (plain
// decimals, a 0/1 label in the last column; bench/numeric-csv.mjs) into one Float32Array per
// batch, a raw session.run loop at deploy-check's batch size, and accuracy, ROC AUC and log loss
// written out here.
// `node bench/floor.mjs data.csv model.onnx 4096` prints {"seconds", "accuracy", "roc_auc", "log_loss"}.
import ort from 'onnxruntime-node';
import { numericBatches } from './numeric-csv.mjs';

const [csv, modelFile, batchArg] = process.argv.slice(2);
const BATCH = Number(batchArg);
if (!(BATCH > 0)) throw new Error('usage: node bench/floor.mjs data.csv model.onnx <rows a batch>');
const start = performance.now();
const session = await ort.InferenceSession.create(modelFile, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', interOpNumThreads: 1, intraOpNumThreads: 1 });
const input = session.inputNames[0];
const output = session.outputNames[0];

let scores = new Float64Array(1 << 20);
let labels = new Uint8Array(1 << 20);
let n = 0;
let x;
for (const { values, rows, width } of numericBatches(csv, BATCH)) {
  const features = width - 1; // the label is the last column
  x ??= new Float32Array(BATCH * features);
  if (n + rows > scores.length) {
    const s = new Float64Array(scores.length * 2);
    s.set(scores);
    scores = s;
    const l = new Uint8Array(labels.length * 2);
    l.set(labels);
    labels = l;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < features; j++) x[i * features + j] = values[i * width + j];
    labels[n + i] = values[i * width + features];
  }
  const out = (await session.run({ [input]: new ort.Tensor('float32', x.subarray(0, rows * features), [rows, features]) }))[output].data;
  for (let i = 0; i < rows; i++) scores[n + i] = out[i];
  n += rows;
}

// metrics, as scikit-learn defines them
let correct = 0;
let ll = 0;
let P = 0;
for (let i = 0; i < n; i++) {
  const p = scores[i];
  const y = labels[i];
  if ((p > 0.5 ? 1 : 0) === y) correct++; // predict: a tie goes to the first class
  const q = Math.min(Math.max(y ? p : 1 - p, 1e-15), 1 - 1e-15);
  ll -= Math.log(q);
  P += y;
}
const pos1 = new Float64Array(P);
const neg1 = new Float64Array(n - P);
for (let i = 0, a = 0, b = 0; i < n; i++) labels[i] ? (pos1[a++] = scores[i]) : (neg1[b++] = scores[i]);
pos1.sort();
neg1.sort();
let pairs = 0;
for (let i = 0, j = 0, k = 0; i < pos1.length; i++) {
  while (j < neg1.length && neg1[j] < pos1[i]) j++;
  k = Math.max(k, j);
  while (k < neg1.length && neg1[k] === pos1[i]) k++;
  pairs += j + (k - j) / 2;
}
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ seconds, rows: n, accuracy: correct / n, roc_auc: pairs / (P * (n - P)), log_loss: ll / n }));
