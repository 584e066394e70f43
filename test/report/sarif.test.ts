import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSarif } from '../../src/report/sarif.js';
import { cli, ROOT } from '../helpers.js';
import { report } from './sample-report.js';

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
