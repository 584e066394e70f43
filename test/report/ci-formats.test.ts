import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { data, githubAnnotations, property } from '../../src/report/github.js';
import { formatSarif } from '../../src/report/sarif.js';
import type { CheckResult, Report } from '../../src/report/types.js';
import { cli, ROOT } from '../helpers.js';

function report(checks: Partial<CheckResult>[]): Report {
  const full = checks.map((c, i) => ({ id: `c${i}`, type: 'metric', title: 'Metric', severity: 'error', tags: [], status: 'fail', message: 'm', measurements: [], findings: [], ...c }) as CheckResult);
  return {
    schema: 'deploy-check/report@1', tool: { name: 'deploy-check', version: '0' }, checklist: { path: 'ml/checklist.yaml', sha256: '0'.repeat(64) },
    inputs: [], gate: { fail_on: 'error' }, verdict: 'fail', summary: { pass: 0, fail: 0, warn: 0, skip: 0, error: 0, waived: 0 }, checks: full,
  };
}

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

describe('SARIF', () => {
  it('one result per problem, at its file and line, with the level the gate gives it', () => {
    const log = JSON.parse(
      formatSarif(
        report([
          { id: 'card', type: 'model-card', title: 'Model card', findings: [{ code: 'x', message: 'missing "Limitations"', location: 'MODEL_CARD.md:12', hint: 'add it' }] },
          { id: 'recall', measurements: [{ name: 'recall', value: 0.9, threshold: { min: 0.95 }, passed: false }] },
          { id: 'w', status: 'warn', severity: 'warn', message: 'slow' },
          { id: 'ok', status: 'pass' },
        ]),
        (f) => `ml/${f}`,
      ),
    );
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['metric', 'model-card']);
    expect(run.results).toEqual([
      expect.objectContaining({ ruleId: 'model-card', level: 'error', message: { text: 'card: missing "Limitations" (add it)' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'ml/MODEL_CARD.md' }, region: { startLine: 12 } } }] }),
      expect.objectContaining({ ruleId: 'metric', level: 'error', message: { text: 'recall: recall 0.9 (required ≥ 0.95)' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'ml/checklist.yaml' } } }] }),
      expect.objectContaining({ ruleId: 'metric', level: 'warning', message: { text: 'w: slow' } }),
    ]);
    for (const r of run.results) expect(run.tool.driver.rules.some((x: { id: string }) => x.id === r.ruleId)).toBe(true);
  });
  it('the CLI writes it with paths from the working directory', () => {
    const r = cli([join(ROOT, 'checklists', 'unready.yaml'), '--format', 'sarif']);
    expect(r.code).toBe(1);
    const uris = JSON.parse(r.stdout).runs[0].results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('fixtures/breast-cancer-unready/MODEL_CARD.md');
    expect(uris).toContain('checklists/unready.yaml');
  });
});
