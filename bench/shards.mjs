// Shards benchmark: `npm run bench:shards` (after `npm run build`). The evaluation benchmark's data
// and model (bench/eval.mjs: N rows × 30 features, a logistic regression, three metric checks) run
// unsharded, then as BENCH_SHARDS shards (one after another: each as a cold process, as a CI job
// would run it) and a merge; and `run --jobs 2`. Measures each one's wall time and whole-tree peak
// memory (bench/tree.mjs), the states' size, and checks that the merged report is the unsharded one
// byte for byte. Writes bench/SHARDS.md (bench/SHARDS-10M.md for BENCH_ROWS=10000000, a 2.3 GB
// file, deleted after; another N: bench/SHARDS-<N>.md).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { DATA, trueWeights, writeCsv } from './data.mjs';
import { linearModel } from './onnx-builder.mjs';
import { measure } from './tree.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);
const CLI = join(ROOT, 'dist', 'cli.cjs');

writeFileSync(join(DATA, 'model.onnx'), linearModel({ weights: trueWeights.map((w) => w * 0.9), bias: 0.05, sigmoid: true }));
// the same model with its probability rounded to hundredths: 101 distinct scores, as a quantised model or a small forest gives
writeFileSync(join(DATA, 'model-rounded.onnx'), linearModel({ weights: trueWeights.map((w) => w * 0.9), bias: 0.05, sigmoid: true, round: 100 }));
const csv = writeCsv(ROWS);
/** A checklist of metric checks (YAML lines) on the benchmark's data and a model of it. */
const checklistOf = (name, checks, model = 'model.onnx') => {
  const file = join(DATA, `checklist-${name}-${ROWS}.yaml`);
  writeFileSync(file, `version: 1
model: { path: ${model}, task: binary, classes: [0, 1] }
datasets:
  holdout: { path: ${csv.split('/').pop()}, label: y }
checks:
${checks.map((c) => `  - ${c}`).join('\n')}
`);
  return file;
};
const ok = (r, what) => {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr}`);
  return r;
};
const cli = async (args, what) => ok(await measure(process.execPath, [CLI, ...args]), what);

/** A checklist run unsharded, as SHARDS shards one after another, and their merge: each one's measure, the states' bytes, whether the merge is the unsharded report. */
async function sharded(checklist, tag) {
  const whole = await cli([checklist, '--format', 'json', '--as-of', '2026-01-01'], `unsharded run (${tag})`);
  const states = Array.from({ length: SHARDS }, (_, i) => join(DATA, `state-${tag}-${i}.json`));
  const shards = [];
  for (let i = 0; i < SHARDS; i++) shards.push(await cli([checklist, '--shard', `${i}/${SHARDS}`, '--state', states[i]], `shard ${i} (${tag})`));
  const bytes = states.reduce((a, f) => a + statSync(f).size, 0);
  const merge = await cli(['merge', ...states, '--format', 'json', '--as-of', '2026-01-01'], `merge (${tag})`);
  for (const f of states) rmSync(f);
  return { whole, shards, merge, bytes, identical: merge.stdout === whole.stdout };
}

const checklist = checklistOf('shards', ['{ id: accuracy, type: metric, metric: accuracy, min: 0.5, confidence: 0.95 }', '{ id: auc, type: metric, metric: roc_auc, min: 0.5 }', '{ id: log-loss, type: metric, metric: log_loss, max: 5 }']);
const rows = await sharded(checklist, 'rows');
const jobs = await cli([checklist, '--jobs', '2', '--format', 'json', '--as-of', '2026-01-01'], 'run --jobs 2');
// decision metrics alone: the shards count their rows by label and decision (docs/scale-out.md)
const decisions = await sharded(
  checklistOf('shards-decisions', ['{ id: accuracy, type: metric, metric: accuracy, min: 0.5, confidence: 0.95 }', '{ id: recall, type: metric, metric: recall, min: 0.5 }', '{ id: f1, type: metric, metric: f1, min: 0.5 }', '{ id: mcc, type: metric, metric: mcc, min: 0 }']),
  'decisions',
);
// metrics that read the scores, of a model with few distinct scores: the shards count their rows by label and score
const scores = await sharded(
  checklistOf('shards-scores', ['{ id: auc, type: metric, metric: roc_auc, min: 0.5 }', '{ id: ap, type: metric, metric: average_precision, min: 0.5 }', '{ id: log-loss, type: metric, metric: log_loss, max: 5 }', '{ id: brier, type: metric, metric: brier, max: 0.5 }', '{ id: outputs, type: outputs }'], 'model-rounded.onnx'),
  'scores',
);
const identical = rows.identical && jobs.stdout === rows.whole.stdout && decisions.identical && scores.identical;
if (ROWS >= 10_000_000) rmSync(csv);

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { cwd: ROOT, encoding: 'utf8' }).trim() ? ' (with uncommitted changes)' : '';
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const s = (x) => x.toFixed(2);
const mb = (x) => Math.round(x);
const table = (r, extra = '') => `| run | wall time (s) | peak memory, whole process tree (MB) |
| --- | ---: | ---: |
| unsharded | ${s(r.whole.seconds)} | ${mb(r.whole.peakMb)} |
${r.shards.map((x, i) => `| shard ${i}/${SHARDS} | ${s(x.seconds)} | ${mb(x.peakMb)} |`).join('\n')}
| merge of the ${SHARDS} states | ${s(r.merge.seconds)} | ${mb(r.merge.peakMb)} |
${extra}`;
const text = `# Shards benchmark (bench/shards.mjs)

- commit: ${commit}${dirty}
- date: ${new Date().toISOString().slice(0, 10)}
- machine: ${machine}
- data: ${ROWS.toLocaleString('en')} rows × 30 features (${Math.round(statSync(join(DATA, 'model.onnx')).size)} B model), three metric checks (accuracy with a 95% Wilson interval, ROC AUC, log loss)
- merged reports and \`--jobs 2\` report byte-identical to the unsharded runs': **${identical ? 'yes' : 'NO'}**

${table(rows, `| \`run --jobs 2\` | ${s(jobs.seconds)} | ${mb(jobs.peakMb)} |\n`)}
States: ${(rows.bytes / 2 ** 20).toFixed(1)} MB in all (${(rows.bytes / ROWS).toFixed(1)} bytes a row; the CSV is ${(statSync(csv, { throwIfNoEntry: false })?.size ?? 0) > 0 ? `${(statSync(csv).size / ROWS).toFixed(0)} bytes a row` : 'deleted'}).

Decision metrics alone (accuracy with a Wilson interval, recall, F1, MCC): the shards count their rows by label and decision.

${table(decisions)}
States: ${decisions.bytes.toLocaleString('en')} bytes in all, for ${ROWS.toLocaleString('en')} rows.

Metrics that read the scores (ROC AUC, average precision, log loss, Brier) and an \`outputs\` check, on the same model with its probability rounded to hundredths (101 distinct scores): the shards count their rows by label and score.

${table(scores)}
States: ${scores.bytes.toLocaleString('en')} bytes in all, for ${ROWS.toLocaleString('en')} rows.
`;
const name = ROWS === 1_000_000 ? 'SHARDS.md' : ROWS === 10_000_000 ? 'SHARDS-10M.md' : `SHARDS-${ROWS}.md`;
writeFileSync(join(ROOT, 'bench', name), text);
console.log(text);
if (!identical) process.exitCode = 1;
