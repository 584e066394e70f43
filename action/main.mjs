// The GitHub Action's work (action.yml runs `node action/main.mjs`), as plain code the test suite
// runs (test/action/action.test.ts): run the checklist with deploy-check, write the reports, the step
// outputs and the step summary; on a pull request, run the same checklist on the base commit (or
// read a stored base report), compare the two with `deploy-check diff`, and keep one comment on the
// pull request up to date. It never fails the step itself: the step that follows exits with the
// run's exit code, after the SARIF upload (action.yml).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** GitHub refuses a comment over 65,536 characters. */
export const MAX_COMMENT = 65_000;
/** The step's outputs, as action.yml declares them. */
export const OUTPUTS = ['verdict', 'exit-code', 'report', 'sarif', 'comment'];

/** The first line of the comment of one checklist: how a later run finds it again. */
export const marker = (checklist) => `<!-- deploy-check: ${checklist.replace(/--/g, '-\u200b-')} -->`;

/** The action's inputs, from the environment action.yml sets (INPUT_<NAME>). */
export function inputsFrom(env) {
  const get = (name, fallback) => {
    const v = (env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim();
    return v === '' ? fallback : v;
  };
  const flag = (name, fallback) => {
    const v = get(name, String(fallback)).toLowerCase();
    if (v !== 'true' && v !== 'false') throw new Error(`input ${name}: expected true or false, got "${v}"`);
    return v === 'true';
  };
  return {
    checklist: get('checklist', 'deploy-check.yaml'),
    args: splitArgs(get('args', '')),
    workingDirectory: get('working-directory', '.'),
    sarif: flag('sarif', false),
    comment: flag('comment', true),
    compareBase: flag('compare-base', true),
    baseReport: get('base-report', ''),
  };
}

/** Extra arguments split as a shell would split them (quotes, backslashes), without a shell. */
export function splitArgs(text) {
  const out = [];
  let word = '';
  let quote = '';
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (quote) throw new Error(`input args: unclosed ${quote} quote`);
  if (started) out.push(word);
  return out;
}

/** deploy-check's command line for the run: the checklist, the extra arguments, the reports. */
export function runArgs(inputs, dir) {
  return ['run', inputs.checklist, ...inputs.args, '--format', 'pretty', '--report', `json=${join(dir, 'report.json')}`, '--report', `markdown=${join(dir, 'report.md')}`, '--report', `sarif=${join(dir, 'report.sarif')}`];
}

/** The pull-request comment: its marker, the run's Markdown report, then the comparison with the base. */
export function commentBody({ checklist, markdown, diffMarkdown, baseNote }) {
  const parts = [marker(checklist), markdown.trim()];
  if (diffMarkdown) parts.push('### Compared with the base branch', diffMarkdown.trim());
  else if (baseNote) parts.push(`_${baseNote}_`);
  let body = parts.join('\n\n');
  if (body.length > MAX_COMMENT) body = `${body.slice(0, MAX_COMMENT - 120)}\n\n… (cut to fit a comment: the whole report is in the job's summary and its reports)`;
  return `${body}\n`;
}

/** The URL of the next page in a Link header, if any. */
function nextPage(link) {
  const m = /<([^>]+)>;\s*rel="next"/.exec(link ?? '');
  return m ? m[1] : undefined;
}

/** Creates the comment, or updates the one an earlier run left (the first whose body starts with the marker). */
export async function upsertComment({ api, token, repository, issue, body, checklist, fetchImpl = fetch }) {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json' };
  const mark = marker(checklist);
  let url = `${api}/repos/${repository}/issues/${issue}/comments?per_page=100`;
  let found;
  while (url && !found) {
    const r = await fetchImpl(url, { headers });
    if (!r.ok) throw new Error(`GitHub API: ${r.status} when listing the comments of #${issue}`);
    found = (await r.json()).find((c) => typeof c.body === 'string' && c.body.startsWith(mark));
    url = nextPage(r.headers.get('link'));
  }
  const r = found
    ? await fetchImpl(`${api}/repos/${repository}/issues/comments/${found.id}`, { method: 'PATCH', headers, body: JSON.stringify({ body }) })
    : await fetchImpl(`${api}/repos/${repository}/issues/${issue}/comments`, { method: 'POST', headers, body: JSON.stringify({ body }) });
  if (!r.ok) throw new Error(`GitHub API: ${r.status} when ${found ? 'updating' : 'creating'} the comment on #${issue}`);
  return { action: found ? 'updated' : 'created', id: (await r.json()).id };
}

/** A line of the runner's own syntax for a warning; the message is escaped as workflow commands require. */
const warning = (message) => `::warning title=deploy-check::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`;

/** The base commit's report: a stored one, or the checklist run on the base commit in a worktree. */
function baseReport({ inputs, env, cli, cwd, dir, log, pull }) {
  if (inputs.baseReport) {
    const stored = resolve(cwd, inputs.baseReport);
    return existsSync(stored) ? { path: stored } : { note: `no base report at ${inputs.baseReport}: nothing to compare with` };
  }
  const sha = pull.base?.sha;
  if (!sha) return { note: 'the event names no base commit: nothing to compare with' };
  const git = (...args) => spawnSync('git', args, { cwd, encoding: 'utf8' });
  const top = git('rev-parse', '--show-toplevel').stdout.trim();
  if (!top) return { note: 'not a git checkout: nothing to compare with' };
  if (git('cat-file', '-e', `${sha}^{commit}`).status !== 0 && git('fetch', '--no-tags', '--depth=1', 'origin', sha).status !== 0) {
    return { note: `the base commit ${sha.slice(0, 12)} could not be fetched: nothing to compare with` };
  }
  const tree = mkdtempSync(join(tmpdir(), 'deploy-check-base-'));
  rmSync(tree, { recursive: true, force: true });
  if (git('worktree', 'add', '--detach', tree, sha).status !== 0) return { note: 'the base commit could not be checked out: nothing to compare with' };
  try {
    const baseCwd = join(tree, relative(top, resolve(cwd)));
    if (!existsSync(join(baseCwd, inputs.checklist))) return { note: `the base commit has no ${inputs.checklist}: nothing to compare with` };
    const path = join(dir, 'base.json');
    const r = spawnSync(process.execPath, [cli, 'run', inputs.checklist, ...inputs.args, '--format', 'json', '-o', path], { cwd: baseCwd, encoding: 'utf8', env: { ...env, GITHUB_ACTIONS: '' } });
    log(`deploy-check on the base commit ${sha.slice(0, 12)}: exit ${r.status}\n`);
    return existsSync(path) ? { path } : { note: `the checklist could not be run on the base commit (exit ${r.status}): ${r.stderr.trim().split('\n')[0]}` };
  } finally {
    git('worktree', 'remove', '--force', tree);
  }
}

/** The action, end to end; returns deploy-check's exit code (the step after the SARIF upload exits with it). */
export async function main(env = process.env, log = (s) => process.stdout.write(s), fetchImpl = fetch) {
  const inputs = inputsFrom(env);
  const cli = env.DEPLOY_CHECK_CLI ?? join(import.meta.dirname, '..', 'dist', 'cli.cjs');
  const cwd = resolve(env.GITHUB_WORKSPACE ?? process.cwd(), inputs.workingDirectory);
  const dir = join(env.RUNNER_TEMP ?? tmpdir(), 'deploy-check');
  mkdirSync(dir, { recursive: true });
  const outputs = {};
  const setOutput = (name, value) => {
    outputs[name] = value;
    if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
  };

  const run = spawnSync(process.execPath, [cli, ...runArgs(inputs, dir)], { cwd, encoding: 'utf8', env });
  log(run.stdout);
  process.stderr.write(run.stderr);
  const code = run.status ?? 2;
  const reportPath = join(dir, 'report.json');
  const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : undefined;
  setOutput('exit-code', String(code));
  setOutput('verdict', report?.verdict ?? 'error');
  setOutput('report', report ? reportPath : '');
  setOutput('sarif', existsSync(join(dir, 'report.sarif')) ? join(dir, 'report.sarif') : '');

  const pull = /^pull_request/.test(env.GITHUB_EVENT_NAME ?? '') && env.GITHUB_EVENT_PATH ? JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')).pull_request : undefined;
  if (!pull || !report) {
    setOutput('comment', '');
    return code;
  }
  let diffMarkdown;
  let baseNote;
  if (inputs.compareBase) {
    const base = baseReport({ inputs, env, cli, cwd, dir, log, pull });
    if (base.path) {
      const d = spawnSync(process.execPath, [cli, 'diff', base.path, reportPath, '--format', 'markdown'], { cwd, encoding: 'utf8' });
      if (d.status === 0 || d.status === 1) diffMarkdown = d.stdout;
      else baseNote = `the comparison with the base failed: ${d.stderr.trim().split('\n')[0]}`;
    } else baseNote = base.note;
    if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `\n### Compared with the base branch\n\n${diffMarkdown ?? `_${baseNote}_\n`}`);
  }
  if (!inputs.comment) {
    setOutput('comment', '');
    return code;
  }
  const body = commentBody({ checklist: inputs.checklist, markdown: readFileSync(join(dir, 'report.md'), 'utf8'), diffMarkdown, baseNote });
  try {
    if (!env.GITHUB_TOKEN) throw new Error('no github-token');
    const c = await upsertComment({ api: env.GITHUB_API_URL ?? 'https://api.github.com', token: env.GITHUB_TOKEN, repository: env.GITHUB_REPOSITORY, issue: pull.number, body, checklist: inputs.checklist, fetchImpl });
    setOutput('comment', String(c.id));
    log(`deploy-check: ${c.action} the comment on #${pull.number}\n`);
  } catch (err) {
    // a pull request from a fork gets a read-only token: the gate still holds, only the comment is missing
    setOutput('comment', '');
    log(warning(`the pull-request comment was not written: ${err.message}`));
  }
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => undefined,
    (err) => {
      process.stderr.write(`deploy-check action: ${err.message}\n`);
      if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, 'exit-code=2\nverdict=error\n');
    },
  );
}
