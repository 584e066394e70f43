import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { parse } from 'yaml';
import { ROOT } from '../helpers.js';

// The GitLab CI template (ci/deploy-check.gitlab-ci.yml): its deploy-check line run by a shell as
// GitLab's runner would (its variables in the environment, `npx deploy-check` the built CLI), and
// the reports it declares checked with the validators GitLab and Jenkins use.
const template = parse(readFileSync(join(ROOT, 'ci', 'deploy-check.gitlab-ci.yml'), 'utf8'))['.deploy-check'];

describe('the GitLab CI template', () => {
  const line = (template.script as string[]).find((l) => l.startsWith('npx deploy-check'))!;
  const work = mkdtempSync(join(tmpdir(), 'deploy-check-gitlab-'));
  const r = spawnSync('sh', ['-c', `mkdir -p reports && ${line.replace(/^npx deploy-check/, `"${process.execPath}" "${join(ROOT, 'dist', 'cli.cjs')}"`)}`], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, ...template.variables, DEPLOY_CHECK_CHECKLIST: join(ROOT, 'checklists', 'unready.yaml'), DEPLOY_CHECK_ARGS: '--fail-on warn', NO_COLOR: '1' },
  });

  it('fails the job when the model is not ready, and writes every report it declares', () => {
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('NOT READY');
    const declared = [template.artifacts.reports.junit, template.artifacts.reports.codequality];
    for (const f of declared) expect(existsSync(join(work, f)), f).toBe(true);
    expect(template.artifacts.when).toBe('always');
  });
  it('the JUnit report passes Jenkins\' schema; the Code Quality report GitLab\'s', async () => {
    const xsd = readFileSync(join(ROOT, 'test', 'vendor', 'junit-10.xsd'), 'utf8');
    const xml = readFileSync(join(work, template.artifacts.reports.junit), 'utf8');
    expect((await validateXML({ xml: [{ fileName: 'r.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: xsd }] })).valid).toBe(true);
    const issue = new AjvDraft04.default({ strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'test', 'vendor', 'gitlab-codeclimate.json'), 'utf8')));
    const issues = JSON.parse(readFileSync(join(work, template.artifacts.reports.codequality), 'utf8'));
    expect(issues.length).toBeGreaterThan(3);
    for (const i of issues) expect(issue(i)).toBe(true);
  });
});
