import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers.js';

// The JSON contracts, deploy-check/report@1 and deploy-check/diff@1, as shipped JSON Schemas
// (schema/report.schema.json, schema/diff.schema.json), checked by ajv, a validator we did not write.
const shipped = (name: string) => readFileSync(join(ROOT, 'schema', `${name}.schema.json`), 'utf8');
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const report = ajv.compile(JSON.parse(shipped('report')));
const diff = ajv.compile(JSON.parse(shipped('diff')));

describe('the JSON contracts', () => {
  it('the shipped schemas are what `deploy-check schema report|diff` prints', () => {
    for (const which of ['report', 'diff']) expect(cli(['schema', which]).stdout).toBe(shipped(which));
    expect(cli(['schema', 'nope']).code).toBe(2);
  });

  const out = mkdtempSync(join(tmpdir(), 'deploy-check-contracts-'));
  const runs = Object.fromEntries(
    ['example', 'unready', 'wine', 'diabetes', 'penguins', 'drift', 'pytorch-weather'].map((name) => {
      const r = cli([join(ROOT, 'checklists', `${name}.yaml`), '--format', 'json']);
      writeFileSync(join(out, `${name}.json`), r.stdout);
      return [name, JSON.parse(r.stdout)];
    }),
  );

  it('every example checklist\'s report is a valid deploy-check/report@1', () => {
    for (const [name, r] of Object.entries(runs)) expect(report(r), `${name}: ${JSON.stringify(report.errors)}`).toBe(true);
  });

  it('a diff of two runs is a valid deploy-check/diff@1', () => {
    const r = cli(['diff', join(out, 'example.json'), join(out, 'unready.json'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(diff(JSON.parse(r.stdout)), JSON.stringify(diff.errors)).toBe(true);
  });

  it('the schemas refuse what the contract does not allow', () => {
    const r = structuredClone(runs.example);
    expect(report({ ...r, surprise: 1 })).toBe(false);
    expect(report({ ...r, verdict: 'maybe' })).toBe(false);
    expect(report({ ...r, checks: [{ ...r.checks[0], status: 'passed' }] })).toBe(false);
    expect(report({ ...r, inputs: [{ ...r.inputs[0], sha256: 'abc' }] })).toBe(false);
    expect(report({ ...r, schema: 'deploy-check/report@2' })).toBe(false);
  });
});
