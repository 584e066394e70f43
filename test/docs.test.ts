import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseWithYamlLib, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { parseChecklist } from '../src/checklist/load.js';
import { approvalsSchema } from '../src/checks/signoff.js';
import { planSchema } from '../src/checks/monitoring.js';
import { ValidationError } from '../src/input/validate.js';
import { FORMATS } from '../src/report/index.js';
import { parseYaml } from '../src/input/yaml.js';
import { validateDocument } from '../src/input/validate.js';
import { ROOT } from './helpers.js';

// The README and docs/ are the user's manual: every link leads somewhere, every YAML block is valid
// for what it shows, every deploy-check command shown runs.
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (page: string) => readFileSync(join(ROOT, page), 'utf8');

interface Block {
  page: string;
  line: number;
  lang: string;
  body: string;
}

function blocks(page: string): Block[] {
  const out: Block[] = [];
  const lines = text(page).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    out.push({ page, line: start + 1, lang: open[1]!, body: body.join('\n') });
  }
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
const anchors = (page: string) => new Set([...text(page).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]!)));

describe('the manual', () => {
  it('README keeps to the essentials; the reference lives in docs/', () => {
    expect(text('README.md').length).toBeLessThan(20_000);
    expect(PAGES.length).toBeGreaterThan(4);
  });

  it('the options table of run lists every report format', () => {
    const row = text('docs/commands.md').split('\n').find((l) => l.startsWith('| `-f, --format F`'))!;
    for (const f of FORMATS) expect(row).toContain(`\`${f}\``);
  });

  for (const page of PAGES) {
    it(`${page}: every relative link leads to a file and a heading that exist`, () => {
      const outside = text(page).replace(/^```[\s\S]*?^```/gm, '');
      const links = [...outside.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
      const broken = links.filter((link) => {
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path ? relative(ROOT, resolve(dirname(join(ROOT, page)), path)) : page;
        if (!existsSync(join(ROOT, target))) return true;
        return anchor !== undefined && target.endsWith('.md') && !anchors(target).has(anchor);
      });
      expect(broken).toEqual([]);
    });
  }
});

// A fragment (a list of checks, a datasets map, a top-level key) is validated inside a checklist
// that gives it a model, a baseline and datasets, as if it sat in checklists/. Files a fragment
// names for illustration (data/holdout.csv) need not exist; everything else must be right.
const HARNESS = {
  version: 1,
  model: { path: '../fixtures/breast-cancer/model.onnx', task: 'binary', classes: ['B', 'M'], positive: 'M' },
  baseline: { path: '../fixtures/breast-cancer/baseline.onnx' },
  datasets: {
    holdout: { path: '../fixtures/breast-cancer/holdout.csv', label: 'diagnosis' },
    train: { path: '../fixtures/breast-cancer/train.csv', label: 'diagnosis' },
    'production-sample': { path: '../fixtures/breast-cancer/holdout.csv', label: 'diagnosis' },
  },
  checks: [{ type: 'model' }],
};

/** A fragment (a list of checks, or top-level keys) merged into the harness; a whole checklist as it is. */
function asChecklist(body: string): string {
  if (/^version:/m.test(body)) return body;
  const fragment = parseWithYamlLib(body) as unknown[] | Record<string, unknown>;
  return stringifyYaml({ ...HARNESS, ...(Array.isArray(fragment) ? { checks: fragment } : fragment) });
}

// (a glob over illustrative names matches nothing: the same as a file not found)
const notFound = (message: string) => /file not found|no file matches/.test(message);

describe('every YAML block in the manual is valid', () => {
  const all = PAGES.flatMap(blocks).filter((b) => b.lang === 'yaml');
  it('there are blocks to check', () => expect(all.length).toBeGreaterThan(15));
  for (const b of all) {
    it(`${b.page}:${b.line}`, () => {
      const first = b.body.split('\n')[0]!;
      if (/^# approvals\.yaml/.test(first)) return void validateDocument(approvalsSchema(), parseYaml(b.body, 'approvals.yaml')!, 'approvals.yaml');
      if (/^owner:/.test(first)) return void validateDocument(planSchema(), parseYaml(b.body, 'monitoring.yaml')!, 'monitoring.yaml');
      if (/^apiVersion:/m.test(b.body)) {
        // Kubernetes manifests (several documents): each a Job whose containers run deploy-check
        const docs = parseAllDocuments(b.body).map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: { command?: string[] }[] } } } });
        for (const d of docs) {
          expect(d.kind).toBe('Job');
          expect(JSON.stringify(d.spec?.template?.spec?.containers?.map((c) => c.command))).toContain('deploy-check');
        }
        return;
      }
      const parsed = parseWithYamlLib(b.body) as Record<string, unknown>;
      if ('jobs' in parsed || 'include' in parsed || Object.values(parsed).some((v) => typeof v === 'object' && v !== null && 'script' in v)) {
        // CI files: valid YAML whose scripts run deploy-check
        expect(JSON.stringify(parsed)).toContain('deploy-check');
        // a step that uses this repository's action passes only inputs action.yml declares
        const declared = Object.keys((parseWithYamlLib(text('action.yml')) as { inputs: object }).inputs);
        const steps = Object.values((parsed.jobs ?? {}) as Record<string, { steps?: { uses?: string; with?: object }[] }>).flatMap((j) => j.steps ?? []);
        for (const step of steps.filter((st) => /^deploy-check\/deploy-check@/.test(st.uses ?? ''))) expect(declared).toEqual(expect.arrayContaining(Object.keys(step.with ?? {})));
        return;
      }
      const problems: string[] = [];
      try {
        parseChecklist(asChecklist(b.body), join(ROOT, 'checklists', 'docs-block.yaml'));
      } catch (err) {
        if (err instanceof ValidationError) problems.push(...err.problems.map((p) => p.message));
        else throw err;
      }
      expect(problems.filter((p) => !notFound(p) || /^version:/m.test(b.body))).toEqual([]);
    });
  }
});

// Commands: each `deploy-check …` line of a sh block is run by the built CLI from the project's root,
// with reports written to a temporary folder. One that names files the repository has must end as
// its comment says (exit N, READY, NOT READY) or, without one, with 0 or 1; one that names files
// only a user has (models/churn.onnx) must get past the command line: it may fail on the file (exit
// 2 naming it), never on its options.
describe('every deploy-check command in the manual runs', () => {
  const cli = join(ROOT, 'dist', 'cli.cjs');
  const commands = PAGES.flatMap(blocks)
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => {
      const joined = b.body.replace(/\\\n\s*/g, ' ');
      return joined
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^(npx )?deploy-check\b/.test(l))
        .map((l) => ({ where: `${b.page}:${b.line}`, line: l }));
    });
  it('there are commands to run', () => expect(commands.length).toBeGreaterThan(8));
  const out = mkdtempSync(join(tmpdir(), 'deploy-check-docs-'));
  for (const { where, line } of commands) {
    it(`${where}: ${line.replace(/\s+#.*$/, '')}`, () => {
      const [command, comment = ''] = line.split(/\s+#\s*/, 2) as [string, string?];
      const words = command.replace(/^npx /, '').split(/\s+/).slice(1);
      // outputs go to the temporary folder; an `init` writes there too
      // (a shard's state too, and a merge reads the states from there)
      const args = words.map((w, i) =>
        ['-o', '--output', '--report', '-r', '--state'].includes(words[i - 1] ?? '') || (words[0] === 'merge' && existsSync(join(out, w.split('/').pop()!)))
          ? w.replace(/[^=]*$/, (file) => join(out, file.split('/').pop()!))
          : w,
      );
      if (words[0] === 'init' && !words.includes('-o')) args.push('-o', join(out, `init-${Math.random().toString(36).slice(2)}.yaml`));
      const r = spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      const output = `${r.stdout}\n${r.stderr}`;
      // never a command-line mistake
      expect(output).not.toMatch(/unknown option|too many arguments|missing required argument|unknown command/);
      const files = words.filter((w) => /\.(ya?ml|onnx|csv|json|jsonl|parquet)$/.test(w) && !['-o', '--output'].includes(words[words.indexOf(w) - 1] ?? ''));
      // without a checklist, the command reads deploy-check.yaml in the user's folder
      const userChecklist = ['run', 'validate', 'score'].includes(words[0] === undefined || words[0].startsWith('-') || words[0].endsWith('.yaml') ? 'run' : words[0]) && !files.some((f) => /\.ya?ml$/.test(f));
      const present = !userChecklist && files.every((f) => existsSync(join(ROOT, f.replace(/^.*=/, ''))));
      if (!present) {
        if (r.status !== 0) expect(output).toMatch(/not found|no such file|cannot read|ENOENT|deploy-check\.yaml/i);
        return;
      }
      const exit = /exit (\d)/.exec(comment)?.[1];
      if (exit !== undefined) expect(r.status, output).toBe(Number(exit));
      else expect([0, 1], output).toContain(r.status);
      if (/NOT READY/.test(comment)) expect(r.status).toBe(1);
      else if (/READY/.test(comment)) expect(r.status).toBe(0);
    }, 60_000);
  }
});
