import { XMLValidator } from 'fast-xml-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../src/report/exit-code.js';
import { FORMATS, formatters } from '../src/report/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChecklist } from '../src/checklist/load.js';
import { InputError } from '../src/input/errors.js';
import { ciCommandLines, scenario } from './helpers.js';
import { STATUSES, type CheckResult, type Report, type Severity } from '../src/report/types.js';

const status = fc.constantFrom(...STATUSES);
const severity = fc.constantFrom<Severity>('error', 'warn');
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('</testcase>', '\u001b[2K\r✔ pass', '::error::x', '| a | b |', '<script>x</script>', '=cmd()', '\u0000\u0007\ud800', ' \t::warning::x', 'a ##[error]b', '###[x]', '\r##[set-output name=a]b'));

const check = fc.record({
  id: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
  type: fc.constantFrom('metric', 'model-card', 'drift'),
  title: fc.constant('Title'),
  severity,
  tags: fc.constant([] as string[]),
  status,
  message: text,
  measurements: fc.array(fc.record({ name: text, value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }) }), { maxLength: 3 }),
  findings: fc.array(fc.record({ code: fc.constant('x'), message: text, location: text, hint: text }), { maxLength: 3 }),
}) as fc.Arbitrary<CheckResult>;

function report(checks: CheckResult[], name: string, failOn: Severity = 'error'): Report {
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0, waived: 0 };
  for (const c of checks) summary[c.status]++;
  return {
    schema: 'deploy-check/report@1', tool: { name: 'deploy-check', version: '0' },
    checklist: { path: name, name, sha256: '0'.repeat(64) }, inputs: [], gate: { fail_on: failOn },
    verdict: verdictOf(checks, failOn), summary, checks,
  };
}

describe('properties of reports', () => {
  it('any text from the inputs leaves every format valid and inert', () => {
    fc.assert(
      fc.property(fc.array(check, { minLength: 1, maxLength: 5 }), text, (checks, name) => {
        const r = report(checks, name);
        expect(JSON.parse(formatters.json(r, { color: false }))).toEqual(JSON.parse(JSON.stringify(r)));
        expect(XMLValidator.validate(formatters.junit(r, { color: false }))).toBe(true);
        expect(JSON.parse(formatters.sarif(r, { color: false })).runs[0].results.length).toBeGreaterThanOrEqual(0);
        expect(formatters.html(r, { color: false })).not.toMatch(/<(script|img|iframe|object)/i);
        const pretty = formatters.pretty(r, { color: false });
        expect(pretty).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
        const md = formatters.markdown(r, { color: false });
        expect(md).not.toMatch(/<script/i);
        expect(md).not.toMatch(/^::/m);
        // no line of any format reads as a CI runner command, whatever the text
        for (const f of FORMATS) expect(ciCommandLines(formatters[f](r, { color: false }))).toEqual([]);
        const rows = md.split('\n').filter((l) => /^\| (✅|❌|⚠️|⏭️|💥|🟦) \|/.test(l));
        expect(rows).toHaveLength(checks.length);
        for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(6);
      }),
      { numRuns: 300 },
    );
  });

  it('adding a passing check never turns a pass into a fail; adding a failing error check always fails', () => {
    fc.assert(
      fc.property(fc.array(check, { minLength: 1, maxLength: 6 }), check, severity, (checks, extra, failOn) => {
        const before = verdictOf(checks, failOn);
        const after = verdictOf([...checks, { ...extra, status: 'pass' }], failOn);
        if (before === 'pass') expect(after).toBe('pass');
        expect(verdictOf([...checks, { ...extra, status: 'fail', severity: 'error' }], failOn)).toBe('fail');
      }),
    );
  });

  it('check order never changes the verdict', () => {
    fc.assert(
      fc.property(fc.array(check, { minLength: 1, maxLength: 8 }), severity, (checks, failOn) => {
        expect(verdictOf([...checks].reverse(), failOn)).toBe(verdictOf(checks, failOn));
      }),
    );
  });
});

describe('properties of checklist loading', () => {
  it('any document is either a valid checklist or refused with an input error (never a crash)', async () => {
    const dir = scenario();
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('type', 'path', 'min', 'max', 'metric', 'id', 'severity', 'tags', 'checks', 'model', 'x', 'constructor'), tie('v'), { maxKeys: 4 })),
    })).v;
    const checklist = fc.record({
      version: fc.oneof(fc.constant(1), value),
      model: fc.oneof(fc.constant({ path: 'model.onnx' }), value),
      checks: fc.oneof(fc.constant([{ type: 'model' }]), fc.array(fc.oneof(fc.record({ type: fc.constantFrom('model', 'metric', 'files', 'drift', 'data', 'nope'), min: value }), value), { maxLength: 3 })),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(checklist, (doc) => {
        const file = join(dir, 'c.yaml');
        writeFileSync(file, JSON.stringify(doc));
        try {
          loadChecklist(file);
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          for (const line of (err as Error).message.split('\n')) expect(line.startsWith(file)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
