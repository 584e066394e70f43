import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commentBody, inputsFrom, main, marker, MAX_COMMENT, OUTPUTS, runArgs, splitArgs, upsertComment } from '../../action/main.mjs';
import { cli, MODEL, ROOT } from '../helpers.js';

// The GitHub Action (action.yml, action/main.mjs): its wiring, its pieces, and whole runs against a
// stand-in for GitHub's REST API (issues comments: list with pagination, create, update).

interface Comment {
  id: number;
  body: string;
}

/** GitHub's comment endpoints, in memory; pages of `perPage` with a Link header, as GitHub pages them. */
function fakeGithub(perPage = 100) {
  const comments: Comment[] = [];
  const calls: string[] = [];
  let next = 100;
  const read = (req: IncomingMessage) => new Promise<string>((r) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => r(s));
  });
  const server: Server = createServer(async (req, res) => {
    // one connection per request, as separate runs of the action make: no idle keep-alive socket
    // that the server may close just as a later request reuses it (a race on a busy machine)
    res.setHeader('connection', 'close');
    const url = new URL(req.url!, 'http://x');
    calls.push(`${req.method} ${url.pathname}`);
    if (req.headers.authorization !== 'Bearer t0ken') return void res.writeHead(401).end('{}');
    const list = /^\/repos\/o\/r\/issues\/7\/comments$/.exec(url.pathname);
    const one = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (list && req.method === 'GET') {
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = comments.slice((page - 1) * perPage, page * perPage);
      const more = page * perPage < comments.length;
      const { port } = server.address() as AddressInfo;
      res.writeHead(200, { 'content-type': 'application/json', ...(more ? { link: `<http://127.0.0.1:${port}${url.pathname}?per_page=100&page=${page + 1}>; rel="next"` } : {}) });
      return void res.end(JSON.stringify(slice));
    }
    if (list && req.method === 'POST') {
      const c = { id: next++, body: JSON.parse(await read(req)).body };
      comments.push(c);
      return void res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(c));
    }
    if (one && req.method === 'PATCH') {
      const c = comments.find((x) => x.id === Number(one[1]));
      if (!c) return void res.writeHead(404).end('{}');
      c.body = JSON.parse(await read(req)).body;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(c));
    }
    res.writeHead(404).end('{}');
  });
  return { server, comments, calls, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('action.yml', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
  const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  it('is a composite action whose steps use only the inputs it declares', () => {
    expect(action.runs.using).toBe('composite');
    const used = new Set([...text.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(action.inputs).sort());
  });
  it('passes every input to the script, by the name the script reads', () => {
    const run = action.runs.steps.find((s: { id?: string }) => s.id === 'run');
    const env = Object.fromEntries(Object.keys(action.inputs).filter((k) => k !== 'github-token').map((k) => [`INPUT_${k.toUpperCase().replace(/-/g, '_')}`, `\${{ inputs.${k} }}`]));
    expect(run.env).toMatchObject(env);
    expect(run.run).toContain('action/main.mjs');
  });
  it('declares the outputs the script writes, and gates on its exit code after the SARIF upload', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUTS].sort());
    const steps = action.runs.steps;
    expect(steps.at(-2).uses).toMatch(/^github\/codeql-action\/upload-sarif@/);
    expect(steps.at(-1).if).toBe('always()');
    expect(steps.at(-1).run).toContain('steps.run.outputs.exit-code');
  });
});

describe('the action script', () => {
  it('reads its inputs, with defaults, and refuses a flag that is not true or false', () => {
    expect(inputsFrom({})).toEqual({ checklist: 'deploy-check.yaml', args: [], workingDirectory: '.', sarif: false, comment: true, compareBase: true, baseReport: '' });
    expect(inputsFrom({ INPUT_CHECKLIST: 'ml/c.yaml', INPUT_SARIF: 'TRUE', INPUT_COMPARE_BASE: 'false', INPUT_ARGS: '--skip latency' })).toMatchObject({ checklist: 'ml/c.yaml', sarif: true, compareBase: false, args: ['--skip', 'latency'] });
    expect(() => inputsFrom({ INPUT_COMMENT: 'yes' })).toThrow('input comment: expected true or false, got "yes"');
  });
  it('splits extra arguments as a shell would', () => {
    expect(splitArgs(`--fail-on warn  --as-of "2026-12-01" --only 'a b' x\\ y ""`)).toEqual(['--fail-on', 'warn', '--as-of', '2026-12-01', '--only', 'a b', 'x y', '']);
    expect(() => splitArgs('--only "a')).toThrow('unclosed " quote');
  });
  it('runs the checklist with the reports it needs', () => {
    expect(runArgs(inputsFrom({ INPUT_CHECKLIST: 'c.yaml', INPUT_ARGS: '--fail-on warn' }), '/t')).toEqual(['run', 'c.yaml', '--fail-on', 'warn', '--format', 'pretty', '--report', 'json=/t/report.json', '--report', 'markdown=/t/report.md', '--report', 'sarif=/t/report.sarif']);
  });
  it('writes a comment that starts with its marker and fits GitHub', () => {
    const body = commentBody({ checklist: 'c.yaml', markdown: '### ✅ Ready\n', diffMarkdown: '| worse |\n' });
    expect(body.startsWith(marker('c.yaml'))).toBe(true);
    expect(body).toContain('### Compared with the base branch\n\n| worse |');
    const long = commentBody({ checklist: 'c.yaml', markdown: 'x'.repeat(200_000) });
    expect(long.length).toBeLessThanOrEqual(MAX_COMMENT + 1);
    expect(long).toContain('cut to fit a comment');
    expect(marker('a-->b.yaml')).not.toMatch(/-->b/);
  });
});

describe('the pull-request comment, against a stand-in for the GitHub API', () => {
  const gh = fakeGithub(2);
  beforeAll(() => new Promise<void>((r) => gh.server.listen(0, '127.0.0.1', r)));
  afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));
  const upsert = (body: string, checklist = 'c.yaml') => upsertComment({ api: gh.url(), token: 't0ken', repository: 'o/r', issue: 7, body, checklist });

  it('creates one, then updates the same one, past other comments and across pages', async () => {
    gh.comments.push({ id: 1, body: 'a reviewer' }, { id: 2, body: 'another' }, { id: 3, body: `${marker('other.yaml')}\nx` });
    const first = await upsert(`${marker('c.yaml')}\nfirst`);
    expect(first.action).toBe('created');
    const second = await upsert(`${marker('c.yaml')}\nsecond`);
    expect(second).toEqual({ action: 'updated', id: first.id });
    expect(gh.comments.map((c) => c.body.split('\n')[1] ?? c.body)).toEqual(['a reviewer', 'another', 'x', 'second']);
  });
  it('says what the API refused', async () => {
    await expect(upsertComment({ api: gh.url(), token: 'wrong', repository: 'o/r', issue: 7, body: 'x', checklist: 'c.yaml' })).rejects.toThrow('GitHub API: 401 when listing the comments of #7');
  });
});

describe('whole runs of the action', () => {
  const gh = fakeGithub();
  beforeAll(() => new Promise<void>((r) => gh.server.listen(0, '127.0.0.1', r)));
  afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));

  function env(extra: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-check-action-'));
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7, base: { sha: extra.BASE_SHA ?? '0'.repeat(40) } } }));
    return {
      dir,
      env: {
        PATH: process.env.PATH,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_OUTPUT: join(dir, 'output'),
        GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
        GITHUB_API_URL: gh.url(),
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_TOKEN: 't0ken',
        RUNNER_TEMP: dir,
        DEPLOY_CHECK_CLI: join(ROOT, 'dist', 'cli.cjs'),
        ...extra,
      } as Record<string, string>,
    };
  }
  const outputs = (dir: string) => Object.fromEntries(readFileSync(join(dir, 'output'), 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));

  it('a pull request compared with a stored base report: outputs, summary, one comment kept up to date', async () => {
    const stored = join(mkdtempSync(join(tmpdir(), 'deploy-check-base-')), 'base.json');
    writeFileSync(stored, cli([join(ROOT, 'checklists', 'example.yaml'), '--format', 'json']).stdout);
    const { dir, env: e } = env({ GITHUB_WORKSPACE: ROOT, INPUT_CHECKLIST: 'checklists/unready.yaml', INPUT_BASE_REPORT: stored });
    const logs: string[] = [];
    expect(await main(e, (s) => logs.push(s))).toBe(1);
    expect(outputs(dir)).toMatchObject({ 'exit-code': '1', verdict: 'fail', report: join(dir, 'deploy-check', 'report.json'), sarif: join(dir, 'deploy-check', 'report.sarif') });
    const comment = gh.comments.find((c) => c.body.startsWith(marker('checklists/unready.yaml')))!;
    expect(comment.body).toContain('Not ready to deploy');
    expect(comment.body).toContain('### Compared with the base branch');
    expect(comment.body).toMatch(/recall.*pass → fail/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('### Compared with the base branch');
    // a second run updates the same comment
    const count = gh.comments.length;
    expect(await main(e, () => undefined)).toBe(1);
    expect(gh.comments.length).toBe(count);
    expect(outputs(dir).comment).toBe(String(comment.id));
  });

  it('a pull request compared with its base commit, run in a worktree', async () => {
    // a repository of two commits: the base passes the size budget, the head does not
    const repo = mkdtempSync(join(tmpdir(), 'deploy-check-repo-'));
    const git = (...args: string[]) => {
      const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    if (spawnSync('git', ['--version']).status !== 0) return void console.warn('skipped: git is not installed');
    mkdirSync(join(repo, 'ml'));
    copyFileSync(MODEL, join(repo, 'ml', 'model.onnx'));
    const checklist = (max: number) => `version: 1\nmodel: { path: model.onnx }\nchecks:\n  - { id: size, type: model, max_bytes: ${max} }\n`;
    writeFileSync(join(repo, 'ml', 'deploy-check.yaml'), checklist(10_000_000));
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'ml', 'deploy-check.yaml'), checklist(10));
    git('commit', '-qam', 'head');
    const { dir, env: e } = env({ GITHUB_WORKSPACE: repo, INPUT_WORKING_DIRECTORY: 'ml', BASE_SHA: base });
    const logs: string[] = [];
    expect(await main(e, (s) => logs.push(s))).toBe(1);
    expect(logs.join('')).toMatch(/deploy-check on the base commit [0-9a-f]{12}: exit 0/);
    const comment = gh.comments.find((c) => c.body.startsWith(marker('deploy-check.yaml')))!;
    expect(comment.body).toMatch(/size.*pass → fail/);
    expect(git('worktree', 'list').split('\n')).toHaveLength(1); // the base worktree is gone
    expect(existsSync(join(dir, 'deploy-check', 'base.json'))).toBe(true);
  });

  it('without a token (a fork): the gate holds, the comment is a warning', async () => {
    const { dir, env: e } = env({ GITHUB_WORKSPACE: ROOT, INPUT_CHECKLIST: 'checklists/example.yaml', INPUT_COMPARE_BASE: 'false', GITHUB_TOKEN: '' });
    const logs: string[] = [];
    expect(await main(e, (s) => logs.push(s))).toBe(0);
    expect(outputs(dir)).toMatchObject({ 'exit-code': '0', verdict: 'pass', comment: '' });
    expect(logs.join('')).toContain('::warning title=deploy-check::the pull-request comment was not written: no github-token');
  });
});
