import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { checklistJsonSchema } from '../../src/checklist/schema.js';
import { registry } from '../../src/checks/index.js';
import { InputError } from '../../src/input/errors.js';
import { scenario } from '../helpers.js';

/** The error lines for a checklist, with the temporary folder shown as "checklist.yaml". */
function problems(yaml: string, files: Record<string, string> = {}): string[] {
  const dir = scenario({ 'checklist.yaml': yaml, 'card.md': '# card\n', ...files });
  const file = join(dir, 'checklist.yaml');
  try {
    loadChecklist(file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message.split('\n').map((l) => l.replace(file, 'checklist.yaml'));
  }
  throw new Error('expected the checklist to be rejected');
}

const head = 'version: 1\nmodel:\n  path: model.onnx\n';

describe('valid checklists', () => {
  it('loads a minimal checklist, with ids defaulting to the type', () => {
    const dir = scenario({ 'checklist.yaml': `${head}checks:\n  - type: model\n  - id: card\n    type: model-card\n    path: card.md\n`, 'card.md': '# x\n' });
    const loaded = loadChecklist(join(dir, 'checklist.yaml'));
    expect(loaded.checks.map((c) => [c.id, c.type, c.severity])).toEqual([['model', 'model', 'error'], ['card', 'model-card', 'error']]);
    expect(loaded.dir).toBe(dir);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resolves paths against the checklist folder, not the working directory', () => {
    const dir = scenario({ 'sub/checklist.yaml': 'version: 1\nmodel:\n  path: ../model.onnx\nchecks:\n  - type: model\n' });
    expect(() => loadChecklist(join(dir, 'sub', 'checklist.yaml'))).not.toThrow();
  });
});

describe('malformed checklists: one line each, with file:line:col', () => {
  const cases: [string, string, string[], Record<string, string>?][] = [
    ['wrong type for a threshold option',
      `${head}checks:\n  - type: model\n    max_bytes: high\n`,
      ['checklist.yaml:6:16  checks[0].max_bytes: expected number, received string "high"']],
    ['misspelt option key, with a suggestion',
      `${head}checks:\n  - type: model\n    max_byts: 10\n`,
      ['checklist.yaml:6:5  checks[0].max_byts: unknown key "max_byts" (did you mean "max_bytes"?)']],
    ['misspelt top-level key',
      `${head}chekcs:\n  - type: model\n`,
      ['checklist.yaml:1:1  checks: missing (expected a list)', 'checklist.yaml:4:1  chekcs: unknown key "chekcs" (did you mean "checks"?)']],
    ['unknown check type, with a suggestion',
      `${head}checks:\n  - type: model_card\n    path: card.md\n`,
      ['checklist.yaml:5:11  checks[0].type: unknown type "model_card" (did you mean "model-card"?)']],
    ['a required option that takes a string or a list, missing; a short unknown key gets the allowed keys, not a two-edit guess ("by" is not "id")',
      `${head}datasets:\n  h: { path: h.csv, label: y }\nchecks:\n  - { type: fairness, dataset: h, by: sex }\n`,
      ['checklist.yaml:7:5  checks[0].sensitive: missing (expected a string or a list)', 'checklist.yaml:7:35  checks[0].by: unknown key "by" (allowed: id, severity, tags, timeout, waiver, ml_test_score, memory_limit_mb, type, dataset, sensitive, max_demographic_parity_difference, min_demographic_parity_ratio, four_fifths, max_equal_opportunity_difference, max_false_positive_rate_difference, max_equalized_odds_difference, min_group_rows, confidence, resamples, seed)'],
      { 'h.csv': 'sex,y\nf,1\n' }],
    ['a class written as an unquoted YAML boolean: quote it as the dataset writes it',
      'version: 1\nmodel:\n  path: model.onnx\n  classes: [false, true]\n  positive: true\nchecks:\n  - type: model\n',
      [
        'checklist.yaml:4:13  model.classes[0]: YAML reads an unquoted false as a boolean: quote the class as the dataset writes it ("False" or "false"; labels are compared as text)',
        'checklist.yaml:4:20  model.classes[1]: YAML reads an unquoted true as a boolean: quote the class as the dataset writes it ("True" or "true"; labels are compared as text)',
        'checklist.yaml:5:13  model.positive: YAML reads an unquoted true as a boolean: quote the class as the dataset writes it ("True" or "true"; labels are compared as text)',
      ]],
    ['check without a type',
      `${head}checks:\n  - id: x\n`,
      ['checklist.yaml:5:5  checks[0].type: missing (expected one of "model-card", "hyperparameters", "model", "files", "signoff", "metric", "claims", "slices", "fairness", "outputs", "latency", "determinism", "staleness", "monitoring", "drift", "multivariate-drift", "robustness", "data", "leakage")']],
    ['wrong version',
      'version: 2\nmodel:\n  path: model.onnx\nchecks:\n  - type: model\n',
      ['checklist.yaml:1:10  version: expected 1 (the only checklist format version), received 2']],
    ['missing model',
      'version: 1\nchecks:\n  - type: model\n',
      ['checklist.yaml:1:1  model: missing (expected a mapping)']],
    ['model file that does not exist',
      'version: 1\nmodel:\n  path: nope.onnx\nchecks:\n  - type: model\n',
      ["checklist.yaml:3:9  model.path: file not found: nope.onnx (paths are relative to the checklist's folder)"]],
    ['document path that does not exist',
      `${head}checks:\n  - type: model-card\n    path: MODEL_CARD.md\n`,
      ["checklist.yaml:6:11  checks[0].path: file not found: MODEL_CARD.md (paths are relative to the checklist's folder)"]],
    ['a folder where a file is expected',
      'version: 1\nmodel:\n  path: sub\nchecks:\n  - type: model\n',
      ['checklist.yaml:3:9  model.path: not a regular file: sub'], { 'sub/file': 'x' }],
    ['duplicate check ids',
      `${head}checks:\n  - id: a\n    type: model\n  - id: a\n    type: model\n`,
      ['checklist.yaml:7:9  checks[1].id: duplicate id "a" (also checks[0]) (ids must be unique)']],
    ['two checks of one type without ids',
      `${head}checks:\n  - type: model\n  - type: model\n`,
      ['checklist.yaml:6:11  checks[1].type: duplicate id "model" (also checks[0]) (give one of them an id)']],
    ['duplicate YAML key',
      `${head}checks:\n  - type: model\n    max_bytes: 1\n    max_bytes: 2\n`,
      ['checklist.yaml:7:5  duplicate key (each key may appear once in a mapping)']],
    ['unknown severity, with a suggestion',
      `${head}checks:\n  - type: model\n    severity: warning\n`,
      ['checklist.yaml:6:15  checks[0].severity: expected one of "error", "warn", received "warning" (did you mean "warn"?)']],
    ['empty file', '', ['checklist.yaml  the checklist is empty (expected a mapping with version, model and checks)']],
    ['comments only', '# nothing yet\n', ['checklist.yaml  the checklist is empty (expected a mapping with version, model and checks)']],
    ['several YAML documents',
      `${head}checks:\n  - type: model\n---\nversion: 1\n`,
      ['checklist.yaml:6:1  several YAML documents in one file (found a second "---") (put everything in one document)']],
    ['a YAML tag',
      `${head}checks:\n  - type: model\n    max_bytes: !!int 10\n`,
      ['checklist.yaml:6:16  YAML tag !!int is not allowed (write the plain value)']],
    ['a custom tag',
      `${head}checks:\n  - type: !js/function model\n`,
      ['checklist.yaml:5:11  YAML tag !js/function is not allowed (write the plain value)']],
    ['a list at the top level', '- version: 1\n', ['checklist.yaml:1:1  expected a mapping with version, model and checks at the top level']],
    ['no checks',
      `${head}checks: []\n`,
      ['checklist.yaml:4:9  checks: expected at least 1 item, received 0']],
    ['threshold out of range',
      `${head}  threshold: 1.5\nchecks:\n  - type: model\n`,
      ['checklist.yaml:4:14  model.threshold: expected a number <= 1, received 1.5']],
    ['infinite threshold',
      `${head}  threshold: .inf\nchecks:\n  - type: model\n`,
      ['checklist.yaml:4:14  number .inf is not finite (use a finite number, or quote it if it is text)']],
    ['integer beyond 2^53',
      `${head}checks:\n  - type: model\n    max_bytes: 9007199254740993\n`,
      ['checklist.yaml:6:16  integer 9007199254740993 is beyond 2^53 and cannot be represented exactly (quote it if it is text, such as a digest)']],
    ['__proto__ key',
      `${head}checks:\n  - type: model\n    __proto__: { max_bytes: 1 }\n`,
      ['checklist.yaml:6:5  key "__proto__" is not allowed']],
    ['malformed sha256 pin',
      `${head}  sha256: abc123\nchecks:\n  - type: model\n`,
      ['checklist.yaml:4:11  model.sha256: expected a sha256 digest (64 hexadecimal digits)']],
    ['positive class not among the classes',
      `${head}  classes: [B, M]\n  positive: m\nchecks:\n  - type: model\n`,
      ['checklist.yaml:5:13  model.positive: "m" is not one of classes ["B","M"] (did you mean "M"?)']],
    ['a misspelt key beside a positive class not among the classes: both in one pass',
      `${head}  outputz: { scores: probabilities }\n  classes: [B, M]\n  positive: m\nchecks:\n  - type: model\n`,
      ['checklist.yaml:4:3  model.outputz: unknown key "outputz" (did you mean "outputs"?)', 'checklist.yaml:6:13  model.positive: "m" is not one of classes ["B","M"] (did you mean "M"?)']],
    ['a check on the baseline when there is none',
      `${head}checks:\n  - type: model\n    model: baseline\n`,
      ['checklist.yaml:6:12  checks[0].model: the checklist has no baseline (add a "baseline:" section)']],
    ['unclosed flow sequence',
      `${head}checks: [\n`,
      ['checklist.yaml:5:1  Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['alias expansion bomb',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n`,
      ['checklist.yaml  aliases expand beyond the allowed size (alias expansion is bounded)']],
    ['an unquoted glob that starts with * (a YAML alias with no anchor)',
      `${head}datasets:\n  holdout: { path: *.csv, label: y }\nchecks:\n  - type: model\n`,
      ['checklist.yaml:5:20  *.csv is a YAML alias, and no anchor &.csv comes before it (quote a value that starts with * (a glob such as "*.csv"))']],
    ['invalid tag name',
      `${head}checks:\n  - type: model\n    tags: [ok, "not ok"]\n`,
      ['checklist.yaml:6:16  checks[0].tags[1]: expected a tag of letters, digits, "_", "." or "-"']],
  ];
  it.each(cases)('%s', (_name, yaml, expected, files) => {
    expect(problems(yaml, files)).toEqual(expected);
  });

  it('reports every problem, not just the first', () => {
    const lines = problems(`${head}checks:\n  - type: model\n    max_bytes: -1\n  - type: files\n`);
    expect(lines).toEqual([
      'checklist.yaml:6:16  checks[0].max_bytes: expected a number > 0, received -1',
      'checklist.yaml:7:5  checks[1].files: missing (expected a list)',
    ]);
  });

  it('names a missing checklist file', () => {
    expect(() => loadChecklist('no/such/checklist.yaml')).toThrow('no/such/checklist.yaml  checklist not found');
  });
});

describe('JSON Schema', () => {
  it('describes every check type and refuses unknown keys', () => {
    const schema = checklistJsonSchema() as { properties: { checks: { items: { oneOf?: unknown[]; anyOf?: unknown[] } } }; additionalProperties: boolean };
    const options = schema.properties.checks.items.oneOf ?? schema.properties.checks.items.anyOf ?? [];
    const types = options.map((o) => (o as { properties: { type: { const: string } } }).properties.type.const);
    expect(types).toEqual(registry.map((d) => d.type));
    expect(types).toEqual(expect.arrayContaining(['model-card', 'hyperparameters', 'model', 'files', 'signoff', 'metric']));
    expect(schema.additionalProperties).toBe(false);
  });
});
