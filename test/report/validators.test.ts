import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { ciCommandLines, cli, MODEL_SHA, ROOT, scenario } from '../helpers.js';

// Each format is checked by the program its consumers run, or a faithful port of it: the official
// SARIF 2.1.0 schema (OASIS, vendored in test/vendor) with ajv; Jenkins xUnit's junit-10.xsd
// (vendored) with libxml2 (xmllint-wasm); GitLab's JUnit reader (lib/gitlab/ci/parsers/test/junit.rb)
// ported below; markdown-it for Markdown; GitHub's runner command parser (ActionCommand.TryParseV2 /
// TryParse) ported in test/helpers.ts.
// On a checklist whose strings are hostile: spaces, '%', '#', non-ASCII in paths; "::", "##[" and
// line breaks in every string that reaches an output.

const VENDOR = join(ROOT, 'test', 'vendor');
// CommonJS modules, seen through NodeNext: the class and the plugin are their `default`
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;
const HOSTILE = '::error::pwned ##[error]pwned ##[stop-commands]tok';

const CARD_DIR = 'model docs #1';
const CARD = 'MODEL CARD 50% ü.md';
const files = {
  [`${CARD_DIR}/${CARD}`]: `# Model\n\n## Model Details\n\nA logistic regression for triage, trained in 2026.\n`,
  'hyper params.yaml': `solver: "##[error]lbfgs"\nC: "::warning::1"\n`,
  'checklist.yaml': `version: 1
name: "Triage ${HOSTILE}\\n::error::second line\\r##[warning]third"
model: { path: model.onnx, sha256: ${MODEL_SHA} }
checks:
  - id: card
    type: model-card
    path: "${CARD_DIR}/${CARD}"
    sections: ["Model Details", "Limits ${HOSTILE}"]
  - id: hp
    type: hyperparameters
    path: hyper params.yaml
    rules:
      solver: { one_of: [liblinear] }
      C: { type: number }
  - id: size
    type: model
    max_bytes: 10
    waiver: { reason: "${HOSTILE}", approved_by: "##[error]Ana", expires: 2999-12-31 }
  - id: opset
    type: model
    severity: warn
    max_opset: 1
`,
};

const dir = scenario(files);
const run = (format: string) => cli([join(dir, 'checklist.yaml'), '--format', format], { cwd: dir });
const FORMATS = ['pretty', 'json', 'junit', 'markdown', 'sarif', 'codequality', 'html'] as const;
const outputs = Object.fromEntries(FORMATS.map((f) => [f, run(f)]));

const commandLines = ciCommandLines;

describe('a CI runner reads no command in any output', () => {
  it('the port of the runner parser recognises what the runner would run', () => {
    expect(commandLines('  ::error::x')).toHaveLength(1);
    expect(commandLines('text ##[error]x')).toHaveLength(1);
    expect(commandLines('ok\r::warning::x')).toHaveLength(1);
    expect(commandLines('ok\n\u200b::x ##\u200b[error]')).toHaveLength(0);
  });
  for (const f of FORMATS) {
    it(`${f}: stdout and stderr`, () => {
      const r = outputs[f]!;
      expect(r.code, r.stderr).toBe(1);
      expect(commandLines(r.stdout)).toEqual([]);
      expect(commandLines(r.stderr)).toEqual([]);
    });
  }
  it('the JSON report keeps every string exactly (the escapes are JSON escapes)', () => {
    const report = JSON.parse(outputs.json!.stdout);
    expect(report.checklist.name).toBe(`Triage ${HOSTILE}\n::error::second line\r##[warning]third`);
    expect(JSON.stringify(report)).toContain('##[error]lbfgs');
  });
  it('an exit-2 message naming a hostile value', () => {
    const bad = scenario({ 'c.yaml': `version: 1\nmodel: { path: model.onnx }\nchecks:\n  - { type: "##[error]x" }\n  - { type: "::error::y" }\n` });
    const r = cli([join(bad, 'c.yaml')], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown type/);
    expect(commandLines(r.stderr)).toEqual([]);
  });
});

describe('SARIF: the official 2.1.0 schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(VENDOR, 'sarif-schema-2.1.0.json'), 'utf8')));
  it('accepts the report, with every path a percent-encoded URI reference', () => {
    const log = JSON.parse(outputs.sarif!.stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const uris: string[] = log.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('model%20docs%20%231/MODEL%20CARD%2050%25%20%C3%BC.md');
    expect(uris.map(decodeURIComponent)).toContain(`${CARD_DIR}/${CARD}`);
  });
  it('accepts the example checklists', () => {
    for (const name of ['example', 'unready', 'wine', 'pytorch-weather']) {
      const r = cli([join(ROOT, 'checklists', `${name}.yaml`), '--format', 'sarif']);
      expect(validate(JSON.parse(r.stdout)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
  it('rejects what it should (the validator is not a rubber stamp)', () => {
    const log = JSON.parse(outputs.sarif!.stdout);
    log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'model docs #1/x y.md';
    expect(validate(log)).toBe(false);
  });
});

describe("GitLab Code Quality: GitLab's own schema for an issue", () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const issue = ajv.compile(JSON.parse(readFileSync(join(VENDOR, 'gitlab-codeclimate.json'), 'utf8')));
  it('every issue is valid (GitLab stops reading at the first that is not), with a unique fingerprint', () => {
    const issues = JSON.parse(outputs.codequality!.stdout) as { fingerprint: string; severity: string; location: { path: string; lines: { begin: number } }; description: string }[];
    for (const i of issues) expect(issue(i), JSON.stringify(issue.errors)).toBe(true);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    // the same problems as SARIF, at the same places (a plain path here, not a URI)
    const sarif = JSON.parse(outputs.sarif!.stdout).runs[0].results;
    expect(issues.length).toBe(sarif.length);
    expect(issues.map((i) => i.location.path)).toContain(`${CARD_DIR}/${CARD}`);
    expect(issues.map((i) => i.severity).sort()).toEqual(sarif.map((r: { level: string }) => ({ error: 'major', warning: 'minor', note: 'info' })[r.level]).sort());
    // stable across runs
    expect(run('codequality').stdout).toBe(outputs.codequality!.stdout);
  });
  it('rejects what it should', () => {
    expect(issue({ description: 'x', severity: 'major', location: { path: 'a' } })).toBe(false);
    expect(issue({ description: 'x', fingerprint: 'f', severity: 'major', location: { path: 'a', lines: { begin: '1' } } })).toBe(false);
  });
});

describe('JUnit: Jenkins (junit-10.xsd) and GitLab', () => {
  const xsd = readFileSync(join(VENDOR, 'junit-10.xsd'), 'utf8');
  const lint = (xml: string) => validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: xsd }] });
  it('Jenkins schema accepts the report and the examples', async () => {
    const r = await lint(outputs.junit!.stdout);
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    for (const name of ['example', 'unready']) {
      const out = cli([join(ROOT, 'checklists', `${name}.yaml`), '--format', 'junit']);
      expect((await lint(out.stdout)).valid, name).toBe(true);
    }
  });
  it('Jenkins schema rejects what it should', async () => {
    expect((await lint(outputs.junit!.stdout.replace('<testsuites name="deploy-check"', '<testsuites skipped="1" name="deploy-check"'))).valid).toBe(false);
  });
  it("GitLab's reader finds every check with its status", () => {
    // Hash.from_xml, then all_cases / create_test_case as in GitLab's junit.rb
    const root = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: '#text' }).parse(outputs.junit!.stdout);
    const cases: { name: string; status: string }[] = [];
    const all = (node: unknown, parent?: unknown): void => {
      for (const n of [node].flat()) {
        if (!n || typeof n !== 'object') continue;
        const o = n as Record<string, unknown>;
        if (!parent) all(o.testsuites, root);
        if (parent) for (const tc of [o.testcase].flat().filter(Boolean) as Record<string, unknown>[]) cases.push({ name: String(tc.name), status: 'failure' in tc ? 'failed' : 'error' in tc ? 'error' : 'skipped' in tc ? 'skipped' : 'success' });
        all(o.testsuite, root);
      }
    };
    all(root);
    expect(cases).toEqual([
      { name: 'card', status: 'failed' },
      { name: 'hp', status: 'failed' },
      { name: 'size', status: 'skipped' },
      { name: 'opset', status: 'success' },
    ]);
  });
});

describe('Markdown: markdown-it (CommonMark with GFM tables), as GitHub and GitLab render it', () => {
  const md = new MarkdownIt({ html: false });
  it('the report is one table with a row per check and the same cells in every row, hostile text included', () => {
    const tokens = md.parse(outputs.markdown!.stdout, {});
    const tables = tokens.filter((t) => t.type === 'table_open');
    expect(tables.length).toBeGreaterThanOrEqual(1);
    // the first table: one row per check, each with as many cells as the header
    const start = tokens.findIndex((t) => t.type === 'table_open');
    const end = tokens.findIndex((t, i) => i > start && t.type === 'table_close');
    const rows: number[] = [];
    for (let i = start; i < end; i++) if (tokens[i]!.type === 'tr_open') rows.push(0);
    let r = -1;
    for (let i = start; i < end; i++) {
      if (tokens[i]!.type === 'tr_open') r++;
      if (tokens[i]!.type === 'th_open' || tokens[i]!.type === 'td_open') rows[r]!++;
    }
    expect(rows.length).toBe(1 + 4);
    expect(new Set(rows).size).toBe(1);
    // no raw HTML reaches the page, and the checklist's name stays text
    const html = md.render(outputs.markdown!.stdout);
    expect(html).not.toMatch(/<script|<img/);
  });
  it('the example checklists render their tables', () => {
    for (const name of ['example', 'unready', 'wine']) {
      const out = cli([join(ROOT, 'checklists', `${name}.yaml`), '--format', 'markdown']).stdout;
      const checks = JSON.parse(cli([join(ROOT, 'checklists', `${name}.yaml`), '--format', 'json']).stdout).checks.length;
      const tokens = md.parse(out, {});
      const start = tokens.findIndex((t) => t.type === 'table_open');
      const end = tokens.findIndex((t, i) => i > start && t.type === 'table_close');
      expect(tokens.slice(start, end).filter((t) => t.type === 'tr_open').length, name).toBe(1 + checks);
    }
  });
});

const java = spawnSync('java', ['-version']).status === 0;
describe.skipIf(!java)('HTML: the W3C Nu HTML Checker on the hostile report (needs Java)', () => {
  it('no error, no warning', () => {
    const file = join(dir, 'hostile.html');
    writeFileSync(file, outputs.html!.stdout);
    const r = spawnSync('java', ['-jar', join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar'), '--format', 'json', file], { encoding: 'utf8' });
    expect(JSON.parse(r.stderr || r.stdout).messages).toEqual([]);
  }, 60_000);
});
