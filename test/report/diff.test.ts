import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { diffExitCode, diffReports } from '../../src/report/diff.js';
import { formatDiff } from '../../src/report/diff-formats.js';
import { cli, FIXTURES, scenario } from '../helpers.js';

type R = Parameters<typeof diffReports>[0];
const base = (checks: R['checks'], extra: Partial<R> = {}): R => ({ schema: 'deploy-check/report@1', checklist: { path: 'c.yaml', sha256: 'a'.repeat(64) }, inputs: [{ path: 'model.onnx', sha256: '1'.repeat(64), bytes: 10 }], verdict: 'pass', checks, ...extra });
const m = (name: string, value: number | null, more: object = {}) => ({ name, value, ...more });

describe('diff of two reports', () => {
  const old = base([
    { id: 'acc', type: 'metric', status: 'pass', message: '', measurements: [m('accuracy', 0.95, { ci: [0.93, 0.97], threshold: { min: 0.9 } })] },
    { id: 'card', type: 'model-card', status: 'fail', message: 'missing', measurements: [] },
    { id: 'gone', type: 'files', status: 'pass', message: '', measurements: [] },
    { id: 'same', type: 'model', status: 'pass', message: '', measurements: [m('bytes', 100)] },
  ]);
  const now = base(
    [
      { id: 'acc', type: 'metric', status: 'fail', message: 'below', measurements: [m('accuracy', 0.88, { ci: [0.85, 0.91], threshold: { min: 0.9 } })] },
      { id: 'card', type: 'model-card', status: 'pass', message: '', measurements: [] },
      { id: 'same', type: 'model', status: 'pass', message: '', measurements: [m('bytes', 100)] },
      { id: 'new', type: 'latency', status: 'error', message: 'x', measurements: [] },
    ],
    { verdict: 'fail', inputs: [{ path: 'model.onnx', sha256: '2'.repeat(64), bytes: 10 }] },
  );
  const d = diffReports(old, now, ['old.json', 'new.json']);

  it('pairs checks by id: worse, better, added, removed, unchanged; deltas with both intervals', () => {
    expect(d.checks.map((c) => [c.id, c.change, c.direction])).toEqual([
      ['acc', 'status', 'worse'],
      ['card', 'status', 'better'],
      ['same', 'same', undefined],
      ['new', 'added', undefined],
      ['gone', 'removed', undefined],
    ]);
    const acc = d.checks[0]!.measurements[0]!;
    expect(acc).toEqual({ name: 'accuracy', old: 0.95, new: 0.88, delta: 0.88 - 0.95, old_ci: [0.93, 0.97], new_ci: [0.85, 0.91], threshold_changed: false });
    expect(d.summary).toEqual({ worse: 2, better: 1, added: 1, removed: 1, changed: 2, same: 1 });
    expect(d.inputs).toEqual([{ path: 'model.onnx', old: '1'.repeat(64), new: '2'.repeat(64) }]);
    expect(diffExitCode(d)).toBe(1);
    expect(diffExitCode(diffReports(old, old, ['a', 'a']))).toBe(0);
  });
  it('renders in every format', () => {
    expect(formatDiff(d, 'pretty')).toContain('  ▼ acc (metric)  pass → fail\n      accuracy 0.95 [0.93, 0.97] → 0.88 [0.85, 0.91] (-0.07)\n');
    expect(formatDiff(d, 'markdown')).toContain('| 🔻 | acc | pass → fail | accuracy 0.95 \\[0.93, 0.97\\] → 0.88 \\[0.85, 0.91\\] (-0.07) |');
    expect(JSON.parse(formatDiff(d, 'json')).schema).toBe('deploy-check/diff@1');
    const junit = formatDiff(d, 'junit');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).toContain('failures="2"');
    const sarif = JSON.parse(formatDiff(d, 'sarif'));
    expect(sarif.runs[0].results.map((r: { message: { text: string } }) => r.message.text)).toEqual(['acc: pass → fail; accuracy 0.95 [0.93, 0.97] → 0.88 [0.85, 0.91] (-0.07)', 'new: added (error)']);
    const html = formatDiff(d, 'html');
    expect(html).toContain('<tr class="worse"><td>▼</td><td>acc</td><td>metric</td><td>pass → fail</td>');
    expect(html).not.toMatch(/<script/);
    // the verdict first, as a banner
    expect(html).toMatch(/<header class="ko">\n<h1>Worse than before: not ready to deploy<\/h1>/);
  });
  it('the CLI: two real runs, the baseline model against the candidate', () => {
    const checks = 'checks:\n  - { id: auc, type: metric, metric: roc_auc, min: 0.99, confidence: 0.95 }\n  - type: model\n';
    const data = (model: string) => `version: 1\nmodel:\n  path: ${model}\n  classes: [B, M]\n  positive: M\ndatasets:\n  holdout: { path: h.csv, label: diagnosis }\n${checks}`;
    const dir = scenario({ 'h.csv': readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv')), 'a.yaml': data('baseline.onnx'), 'b.yaml': data('model.onnx') });
    const a = cli([join(dir, 'a.yaml'), '--format', 'json']);
    const b = cli([join(dir, 'b.yaml'), '--format', 'json']);
    writeFileSync(join(dir, 'a.json'), a.stdout);
    writeFileSync(join(dir, 'b.json'), b.stdout);
    const r = cli(['diff', join(dir, 'a.json'), join(dir, 'b.json'), '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    const before = JSON.parse(a.stdout).checks[0].measurements[0];
    const after = JSON.parse(b.stdout).checks[0].measurements[0];
    expect(doc.checks[0]).toMatchObject({ id: 'auc', old_status: 'fail', new_status: 'pass', direction: 'better', measurements: [{ name: 'roc_auc', old: before.value, new: after.value, delta: after.value - before.value, old_ci: before.ci, new_ci: after.ci }] });
    expect(r.code).toBe(0);
    expect(cli(['diff', join(dir, 'b.json'), join(dir, 'a.json')]).code).toBe(1);
  });
  it('refuses what is not a report, naming the file and the place (exit 2)', () => {
    const dir = scenario({ 'x.json': '{"schema": "deploy-check/profile@1"}', 'y.json': '{' });
    const r = cli(['diff', join(dir, 'x.json'), join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/x\.json:1:12 {2}schema: expected "deploy-check\/report@1" \(a JSON report of deploy-check run --format json\)/);
    expect(cli(['diff', join(dir, 'y.json'), join(dir, 'x.json')]).stderr).toMatch(/y\.json:1:2/);
    expect(cli(['diff', join(dir, 'x.json'), join(dir, 'x.json'), '--format', 'csv']).stderr).toBe('deploy-check: --format csv: unknown format (expected one of pretty, json, markdown, junit, sarif, html)\n');
  });
});
