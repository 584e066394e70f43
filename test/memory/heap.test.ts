import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { FLOAT, floatConstant, model, node, valueInfo } from '../onnx-builder.js';

/**
 * Heap that does not grow with rows, tested deterministically: the built CLI runs under a small
 * --max-old-space-size on a generated hold-out of ROWS rows, then of twice as many, with every binary
 * and multiclass metric, a bootstrap interval, slices, drift and a data check. Per-row data lives
 * in typed arrays (outside the JavaScript heap); one JavaScript object per row (an array, a boxed
 * number in a Set, a string kept per row) would need more heap at twice the rows than the limit
 * allows. No timing is measured.
 */
const ROWS = 100_000;
const HEAP_MB = 24;

/** Seeded rows: two features, a category, a binary label from a logistic model and a three-class one. */
function writeData(file: string, rows: number, shift: number): void {
  let seed = 12345 + shift;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const fd = openSync(file, 'w');
  writeSync(fd, 'id,x1,x2,group,y,k\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const x1 = Math.round((random() * 4 - 2 + shift) * 1e4) / 1e4;
    const x2 = Math.round((random() * 4 - 2) * 1e4) / 1e4;
    const y = random() < 1 / (1 + Math.exp(-(1.5 * x1 - x2))) ? 1 : 0;
    const k = x1 + random() - 0.5 < -0.7 ? 0 : x1 + random() - 0.5 < 0.7 ? 1 : 2;
    chunk += `${shift ? 'r' : 'h'}${i},${x1},${x2},${'ABCD'[i % 4]},${y},${k}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

const binaryModel = () =>
  Buffer.from(model([floatConstant('w', [2, 1], [1.5, -1]), node('MatMul', ['x', 'w'], ['z']), node('Sigmoid', ['z'], ['p'])], [valueInfo('x', FLOAT, ['N', 2])], [valueInfo('p', FLOAT, ['N', 1])]));
const multiclassModel = () =>
  Buffer.from(model([floatConstant('w', [2, 3], [-2, 0, 2, 0.1, 0.8, -0.1]), node('MatMul', ['x', 'w'], ['z']), node('Softmax', ['z'], ['p'])], [valueInfo('x', FLOAT, ['N', 2])], [valueInfo('p', FLOAT, ['N', 3])], [['', 13]]));

const BINARY = ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'specificity', 'mcc', 'roc_auc', 'average_precision', 'log_loss', 'brier', 'ece'];
const MULTICLASS = ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss', 'top_k_accuracy'];
const LOSSES = new Set(['log_loss', 'brier', 'ece']);

function checklist(task: 'binary' | 'multiclass', rows: number): string {
  const metrics = (task === 'binary' ? BINARY : MULTICLASS).map((m) => `  - { id: ${m.replace(/_/g, '-')}, type: metric, metric: ${m}, ${LOSSES.has(m) ? `max: ${m === 'log_loss' ? 10 : 1}` : 'min: 0'} }`);
  return [
    'version: 1',
    'model:',
    `  path: ${task}.onnx`,
    `  task: ${task}`,
    `  classes: [${task === 'binary' ? '0, 1' : '0, 1, 2'}]`,
    '  inputs: { x: [x1, x2] }',
    'datasets:',
    `  holdout: { path: d${rows}.csv, label: ${task === 'binary' ? 'y' : 'k'} }`,
    `  reference: { path: r${rows}.csv, label: ${task === 'binary' ? 'y' : 'k'} }`,
    'checks:',
    ...metrics,
    `  - { id: interval, type: metric, metric: ${task === 'binary' ? 'roc_auc' : 'f1'}, min: 0, confidence: 0.95, resamples: 100 }`,
    '  - { type: slices, metric: accuracy, by: [group], bins: { x1: [-1, 0, 1] }, min: 0 }',
    '  - { type: drift, reference: reference, current: holdout, columns: [x1, x2, group], drift_share: 0.3 }',
    '  - { type: data, columns: { x1: { type: number, min: -10, max: 10 }, group: { one_of: [A, B, C, D] } }, no_duplicates: [id] }',
    '  - type: outputs',
    '',
  ].join('\n');
}

describe(`memory: the heap does not grow with rows (--max-old-space-size=${HEAP_MB})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-check-heap-'));
  writeFileSync(join(dir, 'binary.onnx'), binaryModel());
  writeFileSync(join(dir, 'multiclass.onnx'), multiclassModel());
  for (const rows of [ROWS, 2 * ROWS]) {
    writeData(join(dir, `d${rows}.csv`), rows, 0);
    writeData(join(dir, `r${rows}.csv`), rows / 2, 0.2);
  }

  for (const task of ['binary', 'multiclass'] as const) {
    it.each([ROWS, 2 * ROWS])(`${task}: every metric, an interval, slices, drift and a data check on %i rows`, (rows) => {
      writeFileSync(join(dir, `${task}-${rows}.yaml`), checklist(task, rows));
      const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, join(ROOT, 'dist', 'cli.cjs'), join(dir, `${task}-${rows}.yaml`), '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1); // the drift between the two files fails the gate; everything else passes
      const report = JSON.parse(r.stdout) as { checks: { id: string; status: string }[]; inputs: { rows?: number }[] };
      expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['drift']);
      expect(report.inputs.map((i) => i.rows)).toContain(rows);
    }, 120_000);
  }
});
