import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { data, githubAnnotations, property } from '../../src/report/github.js';
import { cli, ROOT } from '../helpers.js';
import { report } from './sample-report.js';

describe('GitHub Actions annotations', () => {
  it('escape workflow-command data and properties', () => {
    expect(data('50%\r\nnext')).toBe('50%25%0D%0Anext');
    expect(property('a: b, c%')).toBe('a%3A b%2C c%25');
  });
  it('one per check that did not pass: error when it blocks the gate, warning when not, notice when waived', () => {
    const lines = githubAnnotations(
      report([
        { id: 'card', type: 'model-card', status: 'fail', message: 'missing section', findings: [{ code: 'x', message: 'missing', location: 'MODEL_CARD.md:12' }] },
        { id: 'opset', type: 'model', status: 'warn', severity: 'warn', message: 'opset 17' },
        { id: 'ok', status: 'pass' },
        { id: 'recall', status: 'waived', message: 'waived until 2026-12-31 by A (x): recall low' },
        { id: 'boom', status: 'error', message: 'could not be evaluated: x' },
      ]),
      (f) => `ml/${f}`,
    );
    expect(lines).toEqual([
      '::error file=ml/MODEL_CARD.md,line=12,title=deploy-check%3A card (model-card)::missing section',
      '::warning title=deploy-check%3A opset (model)::opset 17',
      '::notice title=deploy-check%3A recall (metric)::waived until 2026-12-31 by A (x): recall low',
      '::error title=deploy-check%3A boom (metric)::could not be evaluated: x',
    ]);
  });
  it('no text from the inputs can end a command or start another', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (id, message, location) => {
        const lines = githubAnnotations(report([{ id, message, findings: [{ code: 'x', message, location }] }]), (f) => f);
        expect(lines).toHaveLength(1);
        expect(lines[0]).not.toMatch(/[\r\n]/);
        // the properties end at the first "::", and that is the one the command put there
        const head = lines[0]!.slice(0, lines[0]!.indexOf('::', 2));
        expect(head).toMatch(/^::error (file=[^:,]*,(line=\d+,)?)?title=[^:,]*$/);
      }),
      { numRuns: 500 },
    );
  });
  it('the CLI annotates on stderr and appends the Markdown report to the step summary, only under GitHub Actions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-check-gh-'));
    const summary = join(dir, 'summary.md');
    const r = cli([join(ROOT, 'checklists', 'unready.yaml'), '--format', 'json'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const annotations = r.stderr.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations.length).toBe(5);
    expect(annotations).toContain('::error title=deploy-check%3A recall (metric)::recall 0.9375 is below the minimum 0.95');
    expect(annotations[0]).toMatch(/^::error file=fixtures\/breast-cancer-unready\/MODEL_CARD\.md,line=18,title=deploy-check%3A card \(model-card\)::/);
    expect(JSON.parse(r.stdout).verdict).toBe('fail');
    expect(readFileSync(summary, 'utf8')).toMatch(/^### ❌ Not ready to deploy/);
    const plain = cli([join(ROOT, 'checklists', 'unready.yaml'), '--format', 'json'], { env: { GITHUB_ACTIONS: '' } });
    expect(plain.stderr).not.toMatch(/^::/m);
  });
});
