import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { markdownText, terminalText, xmlText } from '../../src/report/escape.js';
import { blocksGate, exitCode, verdictOf } from '../../src/report/exit-code.js';
import { formatters } from '../../src/report/index.js';
import type { CheckResult, Report, Severity, Status } from '../../src/report/types.js';
import { join } from 'node:path';
import { loadChecklist } from '../../src/checklist/load.js';
import { githubAnnotations } from '../../src/report/github.js';
import { runChecklist } from '../../src/run/runner.js';
import { scenario } from '../helpers.js';
import { FLOAT, model, node, valueInfo } from '../onnx-builder.js';

const HOSTILE = 'x</failure><testcase name="forged"/>\u0000\u001b[2K\r✔ all good | `code` <script>alert(1)</script> & \u0007\n::error::forged';

function check(id: string, status: Status, severity: Severity = 'error', extra: Partial<CheckResult> = {}): CheckResult {
  return { id, type: 'model-card', title: 'Model card', severity, tags: [], status, message: `${id} message`, measurements: [], findings: [], ...extra };
}

function report(checks: CheckResult[], failOn: Severity = 'error'): Report {
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0, waived: 0 };
  for (const c of checks) summary[c.status]++;
  return {
    schema: 'deploy-check/report@1',
    tool: { name: 'deploy-check', version: '0.0.0-test' },
    checklist: { path: 'checklist.yaml', name: HOSTILE, sha256: 'a'.repeat(64) },
    inputs: [{ path: 'model.onnx', sha256: 'b'.repeat(64), bytes: 10 }],
    gate: { fail_on: failOn },
    verdict: verdictOf(checks, failOn),
    summary,
    checks,
  };
}

const MIXED = report([
  check('card', 'pass', 'error', { measurements: [{ name: 'accuracy', value: 0.9712, threshold: { min: 0.9 }, passed: true }] }),
  check('sign', 'fail', 'error', { message: HOSTILE, findings: [{ code: 'x', message: HOSTILE, location: 'a.yaml:3', hint: HOSTILE }] }),
  check('hp', 'warn', 'warn'),
  check('crash', 'error', 'error', { message: 'could not be evaluated: boom' }),
  check('later', 'skip'),
]);

describe('exit code: a pure function of the report', () => {
  it.each([
    ['pass', 'error', 'error', false], ['pass', 'warn', 'warn', false],
    ['fail', 'error', 'error', true], ['fail', 'error', 'warn', true],
    ['warn', 'warn', 'error', false], ['warn', 'warn', 'warn', true],
    ['error', 'error', 'error', true], ['error', 'warn', 'error', false], ['error', 'warn', 'warn', true],
    ['skip', 'error', 'error', false], ['skip', 'error', 'warn', false],
  ] as const)('%s (severity %s) with fail_on %s blocks the gate: %s', (status, severity, failOn, blocks) => {
    expect(blocksGate(check('c', status, severity), failOn)).toBe(blocks);
    const r = report([check('ok', 'pass'), check('c', status, severity)], failOn);
    expect(exitCode(r)).toBe(blocks ? 1 : 0);
  });

  it('nothing run is not a pass', () => {
    expect(verdictOf([check('a', 'skip')], 'error')).toBe('fail');
    expect(exitCode(report([check('a', 'skip')]))).toBe(1);
  });

  it('an interrupted run is never ready, even if every check it ran passed', () => {
    expect(exitCode({ ...report([check('a', 'pass')]), incomplete: true })).toBe(1);
  });

  it('ignores a verdict field that disagrees with the checks', () => {
    const r = report([check('a', 'fail')]);
    expect(exitCode({ ...r, verdict: 'pass' })).toBe(1);
  });
});

describe('json', () => {
  it('is the report itself, byte-identical for identical reports', () => {
    const text = formatters.json(MIXED, { color: false });
    expect(JSON.parse(text)).toEqual(MIXED);
    expect(formatters.json(structuredClone(MIXED), { color: false })).toBe(text);
    expect(text).not.toMatch(/"(time|date|duration|timestamp)/i);
  });
});

describe('junit', () => {
  const xml = formatters.junit(MIXED, { color: false });
  it('is valid XML 1.0 even with control characters and markup in the inputs', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
  it('has one testcase per check, with failures, errors and skips counted', () => {
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite.testcase.map((t: { name: string }) => t.name)).toEqual(['card', 'sign', 'hp', 'crash', 'later']);
    expect([suite.tests, suite.failures, suite.errors, suite.skipped]).toEqual(['5', '1', '1', '1']);
    expect(suite.testcase[1].failure.message).toContain('</failure><testcase name="forged"/>');
    expect(suite.testcase[3].error.message).toBe('could not be evaluated: boom');
    expect(suite.testcase[4].skipped).toBeDefined();
  });
  it('a warning that fails the gate (fail_on: warn) is a failure', () => {
    const strict = formatters.junit(report([check('hp', 'warn', 'warn')], 'warn'), { color: false });
    expect(new XMLParser({ ignoreAttributes: false }).parse(strict).testsuites.testsuite.testcase.failure).toBeDefined();
  });
});

describe('markdown', () => {
  const md = formatters.markdown(MIXED, { color: false });
  it('keeps one table row per check, whatever the text', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| |'));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(6);
  });
  it('lets no HTML, code span or workflow command through', () => {
    expect(md).not.toContain('<script>');
    expect(md).not.toMatch(/^::/m);
    expect(md).toContain('&lt;script&gt;');
    expect(md.startsWith('### ❌ Not ready to deploy')).toBe(true);
  });
});

describe('pretty', () => {
  it('has no colour codes when colour is off, and neutralises escape sequences from inputs', () => {
    const text = formatters.pretty(MIXED, { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\r');
    expect(text).toContain('\\u{1b}[2K\\u{d}✔ all good');
    expect(text.trimEnd().split('\n').pop()).toBe('NOT READY  1 failed · 1 errored · 1 warning · 1 passed · 1 skipped  (2 blocking the gate)');
  });
  it('colours when asked', () => {
    expect(formatters.pretty(MIXED, { color: true })).toContain('\u001b[');
  });
});

describe('escaping', () => {
  it('terminal: control and bidi characters become visible', () => {
    expect(terminalText('a\u001b[31mb\u202ec')).toBe('a\\u{1b}[31mb\\u{202e}c');
  });
  it('xml: markup escaped, forbidden characters replaced', () => {
    expect(xmlText('<a b="c">&\u0001\ud800')).toBe('&lt;a b=&quot;c&quot;&gt;&amp;\ufffd\ufffd');
  });
  it('markdown: pipes, backticks and formula prefixes escaped', () => {
    expect(markdownText('=1+1 | `x`')).toBe('\\=1+1 \\| \\`x\\`');
  });
});

describe('the gate, status by status', () => {
  it.each([
    ['pass', 'error', false], ['pass', 'warn', false],
    ['skip', 'error', false], ['skip', 'warn', false],
    ['waived', 'error', false], ['waived', 'warn', false],
    ['fail', 'error', true], ['fail', 'warn', true],
    ['warn', 'error', false], ['warn', 'warn', true],
  ] as const)('%s under fail_on %s blocks: %s', (status, failOn, blocks) => {
    // the same whatever the check's severity (only an error's depends on it)
    for (const severity of ['warn', 'error'] as const) {
      const check = { id: 'a', type: 'files', title: 'T', severity, tags: [], status, message: '', measurements: [], findings: [] };
      expect(blocksGate(check, failOn)).toBe(blocks);
      expect(verdictOf([check, { ...check, id: 'b', status: 'pass' }], failOn)).toBe(blocks ? 'fail' : 'pass');
    }
  });
});

describe('numbers as a person reads them', () => {
  it('four significant digits in every format a person reads; full precision only in JSON', async () => {
    // sigmoid(log x) = x / (1 + x): three rows, two right, accuracy 2/3 below its minimum
    const dir = scenario({
      'model.onnx': Buffer.from(model([node('Log', ['x'], ['l']), node('Sigmoid', ['l'], ['y'])], [valueInfo('x', FLOAT, ['N', 1])], [valueInfo('y', FLOAT, ['N', 1])])),
      'd.csv': 'x,y\n4,1\n0.25,0\n4,0\n',
      'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\n  task: binary\n  classes: [0, 1]\ndatasets:\n  holdout: { path: d.csv, label: y }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.7 }\n',
    });
    const r = await runChecklist(loadChecklist(join(dir, 'c.yaml')));
    expect(r.checks[0]!.message).toBe('accuracy 0.6667 is below the minimum 0.7');
    const texts = { ...Object.fromEntries((['pretty', 'markdown', 'junit', 'sarif', 'html'] as const).map((f) => [f, formatters[f](r, { color: false, root: '.' })])), annotations: githubAnnotations(r, (l) => l).join('\n') };
    for (const [format, text] of Object.entries(texts)) {
      expect(text, format).toContain('0.6667');
      expect(text, format).not.toMatch(/0\.6666\d/);
    }
    expect(formatters.json(r, { color: false, root: '.' })).toContain('0.6666666666666666');
  });
});
