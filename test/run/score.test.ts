import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { band, scoreChecklist, TEST_IDS } from '../../src/run/score.js';
import { cli, ROOT, scenario } from '../helpers.js';

describe('ML Test Score', () => {
  it('has the paper\'s 28 tests, 7 per section', () => {
    expect(TEST_IDS).toHaveLength(28);
    expect(TEST_IDS.filter((t) => t.startsWith('MON'))).toHaveLength(7);
  });
  it('the example checklist: automated tests from its checks, sections summed, the final score the lowest section', () => {
    const s = scoreChecklist(loadChecklist(join(ROOT, 'checklists', 'example.yaml')));
    expect(s.sections).toEqual({ data: 1, model: 2, infrastructure: 3, monitoring: 3 });
    expect(s.final).toBe(1);
    expect(s.tests.find((t) => t.id === 'M1')!.by).toEqual(['check card', 'check signoff']);
    expect(s.uncovered).toEqual(['D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'M2', 'M3', 'M4', 'M5', 'M7', 'I3', 'I5', 'I6', 'I7', 'MON1', 'MON2', 'MON3', 'MON6']);
  });
  it('manual tests count half a point with their evidence; a check automating the same test makes it a full point; a check can name its own tests', () => {
    const dir = scenario({
      'c.yaml': `version: 1
model:
  path: model.onnx
ml_test_score:
  D5: { evidence: "privacy review PR-112, 2026-10-02" }
  I2: { evidence: "unit tests in ci.yml" }
checks:
  - type: model
  - type: files
    files: [model.onnx]
    ml_test_score: [I7, D6]
  - type: model
    id: quiet
    ml_test_score: []
`,
    });
    const s = scoreChecklist(loadChecklist(join(dir, 'c.yaml')));
    const get = (id: string) => s.tests.find((t) => t.id === id)!;
    expect(get('D5')).toMatchObject({ score: 0.5, by: ['manual: privacy review PR-112, 2026-10-02'] });
    expect(get('I2')).toMatchObject({ score: 1, by: ['check model'] });
    expect(get('I7')).toMatchObject({ score: 1, by: ['check files'] });
    expect(s.sections).toEqual({ data: 1.5, model: 0, infrastructure: 2, monitoring: 0 });
    expect(s.final).toBe(0);
  });
  it.each([
    [0, 'more of a research project than a productionized system'],
    [0.5, 'not totally untested'],
    [1, 'not totally untested'],
    [1.5, 'first pass at basic productionization'],
    [3, 'reasonably tested'],
    [5, 'strong levels of automated testing'],
    [5.5, 'exceptional levels'],
  ])('reads %d as the paper does', (score, words) => expect(band(score)).toContain(words));
  it('the CLI prints it; an unknown test or an empty evidence is a checklist error (exit 2)', () => {
    const r = cli(['score', join(ROOT, 'checklists', 'example.yaml'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 'deploy-check/ml-test-score@1', final: 1 });
    const dir = scenario({ 'a.yaml': 'version: 1\nmodel:\n  path: model.onnx\nchecks:\n  - { type: model, ml_test_score: [M9] }\n', 'b.yaml': 'version: 1\nmodel:\n  path: model.onnx\nml_test_score:\n  D5: { evidence: " " }\nchecks:\n  - type: model\n' });
    const a = cli(['score', join(dir, 'a.yaml')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/a\.yaml:5:36 {2}checks\[0\]\.ml_test_score\[0\]: expected an ML Test Score test: D1, D2/);
    const c = cli(['score', join(scenario({ 'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\nml_test_score:\n  d5: { evidence: x }\nchecks:\n  - type: model\n' }), 'c.yaml')]);
    expect(c.stderr).toMatch(/c\.yaml:5:3 {2}ml_test_score\.d5: unknown key "d5" \(did you mean "D5"\?\)/);
    const b = cli(['score', join(dir, 'b.yaml')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/b\.yaml:5:\d+ {2}ml_test_score\.D5\.evidence: expected where the results of the manual test are documented/);
  });
});
