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
const CLI = join(ROOT, 'dist', 'cli.js');

writeFileSync(join(DATA, 'model.onnx'), linearModel({ weights: trueWeights.map((w) => w * 0.9), bias: 0.05, sigmoid: true }));
const csv = writeCsv(ROWS);
const checklist = join(DATA, `checklist-shards-${ROWS}.yaml`);
writeFileSync(checklist, `version: 1
model: { path: model.onnx, task: binary, classes: [0, 1] }
datasets:
  holdout: { path: ${csv.split('/').pop()}, label: y }
checks:
  - { id: accuracy, type: metric, metric: accuracy, min: 0.5, confidence: 0.95 }
  - { id: auc, type: metric, metric: roc_auc, min: 0.5 }
  - { id: log-loss, type: metric, metric: log_loss, max: 5 }
`);
const ok = (r, what) => {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr}`);
  return r;
};
const cli = async (args, what) => ok(await measure(process.execPath, [CLI, ...args]), what);

const whole = await cli([checklist, '--format', 'json', '--as-of', '2026-01-01'], 'unsharded run');
const shards = [];
for (let i = 0; i < SHARDS; i++) shards.push(await cli([checklist, '--shard', `${i}/${SHARDS}`, '--state', join(DATA, `state-${i}.json`)], `shard ${i}`));
const states = shards.map((_, i) => join(DATA, `state-${i}.json`));
const stateBytes = states.map((f) => statSync(f).size);
const merge = await cli(['merge', ...states, '--format', 'json', '--as-of', '2026-01-01'], 'merge');
const jobs = await cli([checklist, '--jobs', '2', '--format', 'json', '--as-of', '2026-01-01'], 'run --jobs 2');
// decision metrics alone: the shards count their rows by label and decision (docs/scale-out.md)
const decisions = join(DATA, `checklist-shards-decisions-${ROWS}.yaml`);
writeFileSync(decisions, `version: 1
model: { path: model.onnx, task: binary, classes: [0, 1] }
datasets:
  holdout: { path: ${csv.split('/').pop()}, label: y }
checks:
  - { id: accuracy, type: metric, metric: accuracy, min: 0.5, confidence: 0.95 }
  - { id: recall, type: metric, metric: recall, min: 0.5 }
  - { id: f1, type: metric, metric: f1, min: 0.5 }
  - { id: mcc, type: metric, metric: mcc, min: 0 }
`);
const dWhole = await cli([decisions, '--format', 'json', '--as-of', '2026-01-01'], 'unsharded run (decisions)');
const dShards = [];
for (let i = 0; i < SHARDS; i++) dShards.push(await cli([decisions, '--shard', `${i}/${SHARDS}`, '--state', join(DATA, `state-d-${i}.json`)], `shard ${i} (decisions)`));
const dStates = dShards.map((_, i) => join(DATA, `state-d-${i}.json`));
const dBytes = dStates.reduce((a, f) => a + statSync(f).size, 0);
const dMerge = await cli(['merge', ...dStates, '--format', 'json', '--as-of', '2026-01-01'], 'merge (decisions)');
const identical = merge.stdout === whole.stdout && jobs.stdout === whole.stdout && dMerge.stdout === dWhole.stdout;
for (const f of [...states, ...dStates]) rmSync(f);
if (ROWS >= 10_000_000) rmSync(csv);

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { cwd: ROOT, encoding: 'utf8' }).trim() ? ' (with uncommitted changes)' : '';
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const s = (x) => x.toFixed(2);
const mb = (x) => Math.round(x);
const total = stateBytes.reduce((a, b) => a + b, 0);
const text = `# Shards benchmark (bench/shards.mjs)

- commit: ${commit}${dirty}
- date: ${new Date().toISOString().slice(0, 10)}
- machine: ${machine}
- data: ${ROWS.toLocaleString('en')} rows × 30 features (${Math.round(statSync(join(DATA, 'model.onnx')).size)} B model), three metric checks (accuracy with a 95% Wilson interval, ROC AUC, log loss)
- merged reports and \`--jobs 2\` report byte-identical to the unsharded runs': **${identical ? 'yes' : 'NO'}**

| run | wall time (s) | peak memory, whole process tree (MB) |
| --- | ---: | ---: |
| unsharded | ${s(whole.seconds)} | ${mb(whole.peakMb)} |
${shards.map((r, i) => `| shard ${i}/${SHARDS} | ${s(r.seconds)} | ${mb(r.peakMb)} |`).join('\n')}
| merge of the ${SHARDS} states | ${s(merge.seconds)} | ${mb(merge.peakMb)} |
| \`run --jobs 2\` | ${s(jobs.seconds)} | ${mb(jobs.peakMb)} |

States: ${(total / 2 ** 20).toFixed(1)} MB in all (${(total / ROWS).toFixed(1)} bytes a row; the CSV is ${(statSync(csv, { throwIfNoEntry: false })?.size ?? 0) > 0 ? `${(statSync(csv).size / ROWS).toFixed(0)} bytes a row` : 'deleted'}).

Decision metrics alone (accuracy with a Wilson interval, recall, F1, MCC): the shards count their rows by label and decision.

| run | wall time (s) | peak memory, whole process tree (MB) |
| --- | ---: | ---: |
| unsharded | ${s(dWhole.seconds)} | ${mb(dWhole.peakMb)} |
${dShards.map((r, i) => `| shard ${i}/${SHARDS} | ${s(r.seconds)} | ${mb(r.peakMb)} |`).join('\n')}
| merge of the ${SHARDS} states | ${s(dMerge.seconds)} | ${mb(dMerge.peakMb)} |

States: ${dBytes.toLocaleString('en')} bytes in all, for ${ROWS.toLocaleString('en')} rows.
`;
const name = ROWS === 1_000_000 ? 'SHARDS.md' : ROWS === 10_000_000 ? 'SHARDS-10M.md' : `SHARDS-${ROWS}.md`;
writeFileSync(join(ROOT, 'bench', name), text);
console.log(text);
if (!identical) process.exitCode = 1;
