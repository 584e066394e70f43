// Bootstrap benchmark: `npm run bench:bootstrap` (after `npm run build`). The evaluation
// benchmark's data and model (bench/data.mjs: N rows × 30 features, a logistic regression; BENCH_ROWS,
// default 100,000) with two metric checks gated on a 95% bootstrap interval (roc_auc and log_loss,
// 1,000 resamples each), against the same two checks without intervals: the bootstrap's own cost is
// the difference. Medians of 3 cold runs of each, alternated. Writes bench/BOOTSTRAP.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { DATA, trueWeights, writeCsv } from './data.mjs';
import { linearModel } from './onnx-builder.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const CLI = join(ROOT, 'dist', 'cli.cjs');
writeFileSync(join(DATA, 'bootstrap-model.onnx'), linearModel({ weights: trueWeights.map((w) => w * 0.9), bias: 0.05, sigmoid: true }));
const csv = writeCsv(ROWS).split('/').pop();
const checklist = (confidence) => {
  const file = join(DATA, `bootstrap-${ROWS}-${confidence ? 'interval' : 'point'}.yaml`);
  const c = confidence ? ', confidence: 0.95' : '';
  writeFileSync(file, `version: 1
model: { path: bootstrap-model.onnx, task: binary, classes: [0, 1] }
datasets:
  holdout: { path: ${csv}, label: y }
checks:
  - { id: auc, type: metric, metric: roc_auc, min: 0.5${c} }
  - { id: log-loss, type: metric, metric: log_loss, max: 5${c} }
`);
  return file;
};
const files = { interval: checklist(true), point: checklist(false) };

function run(file) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${file} exited ${r.status}: ${r.stderr}`);
  return { seconds: (performance.now() - t) / 1000, report: JSON.parse(r.stdout) };
}

const times = { interval: [], point: [] };
let report;
for (let k = 0; k < 3; k++) {
  for (const kind of ['point', 'interval']) {
    const r = run(files[kind]);
    times[kind].push(r.seconds);
    if (kind === 'interval') report = r.report;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[1];
const [interval, point] = [median(times.interval), median(times.point)];
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() ? ' (with uncommitted changes)' : '';
const cis = report.checks.map((c) => `${c.id} ${c.measurements[0].value.toFixed(4)} [${c.measurements[0].ci.map((x) => x.toFixed(4)).join(', ')}]`).join('; ');
const text = `# Bootstrap benchmark (bench/bootstrap.mjs)

- commit: ${commit}${dirty}
- date: ${new Date().toISOString().slice(0, 10)}
- machine: ${cpus().length} × ${cpus()[0].model.split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}
- data: ${ROWS.toLocaleString('en-US')} rows × 30 features, two metric checks (roc_auc, log_loss); medians of 3 cold runs of each, alternated

| run | wall time (s) |
| --- | ---: |
| both checks, point estimates | ${point.toFixed(2)} |
| both checks, each gated on a 95% bootstrap interval (1,000 resamples) | ${interval.toFixed(2)} |
| the bootstrap's own cost (the difference) | ${(interval - point).toFixed(2)} |

Intervals: ${cis}.
`;
writeFileSync(join(ROOT, 'bench', ROWS === 100_000 ? 'BOOTSTRAP.md' : `BOOTSTRAP-${ROWS}.md`), text);
console.log(text);
