import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../src/load-program.js';
import { FIXTURES, ROOT } from './helpers.js';

/**
 * deploy-check used from another project, as the README tells: `npm pack`, the tarball installed
 * into an empty project (its dependencies from npm's cache when `npm ci` filled it), its bin run
 * on a checklist there, and `init` naming the schema that came with it.
 */
describe('installed into another project', () => {
  it('npm pack, npm install of the tarball, the bin runs a checklist and init writes one whose schema resolves', () => {
    const work = mkdtempSync(join(tmpdir(), 'deploy-check-install-'));
    const env = { ...process.env, npm_config_onnxruntime_node_install: 'skip', NO_COLOR: '1' };
    execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts'], { cwd: ROOT, env, stdio: 'ignore' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    const project = join(work, 'project');
    execFileSync('mkdir', [project]);
    writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "version": "1.0.0", "private": true }\n');
    writeFileSync(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], { cwd: project, env, stdio: 'ignore' });
    copyFileSync(join(FIXTURES, 'breast-cancer', 'model.onnx'), join(project, 'model.onnx'));
    copyFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), join(project, 'holdout.csv'));
    writeFileSync(join(project, 'deploy-check.yaml'), 'version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  holdout: { path: holdout.csv, label: diagnosis }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.9 }\n');
    // the package holds the bundle and the few modules loaded beside it: every file a packaged
    // module imports or starts (a worker, the model host) is in the package
    const installed = join(project, 'node_modules', 'deploy-check');
    const packaged = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? packaged(join(dir, e.name)) : [join(dir, e.name)]));
    const modules = packaged(join(installed, 'dist'));
    expect(modules.length).toBeLessThan(20);
    expect(modules.map((m) => relative(installed, m))).toContain('dist/program.cjs.cache');
    const starts: string[] = [];
    for (const m of modules.filter((f) => f.endsWith('.js') || f.endsWith('.cjs'))) {
      const text = readFileSync(m, 'utf8');
      // static imports at the start of a line, awaited dynamic ones (not the import() of a JSDoc type), the bundle's requires
      const imports = [
        ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']/gm),
        ...text.matchAll(/await import\(\s*["'](\.{1,2}\/[^"']+)["']/g),
        ...text.matchAll(/\brequire\(\s*["'](\.{1,2}\/[^"']+)["']\)/g),
      ];
      // the modules the program shares with the entry are handed to it there (SHARED), not read from files
      const local = imports.filter((x) => !(m.endsWith('program.cjs') && x[1]! in SHARED)).map((x) => join(dirname(m), x[1]!));
      // the entry (one bundle) runs the program beside it
      if (m.endsWith('cli.cjs')) {
        expect(text).toMatch(/["']program\.cjs["']/);
        local.push(join(dirname(m), 'program.cjs'), join(dirname(m), 'program.cjs.cache'));
      }
      // joined to the package's root (the model host), or named from it for builtWorker (a constant 'dist/…')
      const started = [
        ...[...text.matchAll(/join\d*\)?\((?:import_version\d*\.)?PACKAGE_ROOT\d*, ((?:["'][^"']+["'],?\s*)+)\)/g)].map((x) => join(installed, ...x[1]!.split(',').map((p) => p.trim().replace(/^["']|["']$/g, '')))),
        ...[...text.matchAll(/=\s*["'](dist\/[\w/.-]+\.c?js)["']/g)].map((x) => join(installed, x[1]!)),
      ];
      starts.push(...started.map((f) => relative(installed, f)));
      for (const f of [...local, ...started]) expect(existsSync(f), `${relative(installed, m)} needs ${relative(installed, f)}`).toBe(true);
    }
    // the files started as threads and processes were found (the model host, the parsing, hashing and bootstrap threads), among the package's files the modules name
    expect(starts).toEqual(expect.arrayContaining(['dist/onnx/host-child.cjs', 'dist/eval/datasets/csv-worker.cjs', 'dist/input/sha256-worker.js', 'dist/eval/bootstrap-worker.cjs']));
    const bin = join(project, 'node_modules', '.bin', 'deploy-check');
    const run = spawnSync(bin, [], { cwd: project, env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('✔ metric  Metric             n = 171 · accuracy 0.9708 (required ≥ 0.9)');
    const init = spawnSync(bin, ['init', '--model', 'model.onnx', '-o', 'new.yaml'], { cwd: project, env, encoding: 'utf8' });
    expect(init.status).toBe(0);
    expect(readFileSync(join(project, 'new.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=node_modules\/deploy-check\/schema\/checklist\.schema\.json\n/);
    expect(JSON.parse(readFileSync(join(project, 'node_modules', 'deploy-check', 'schema', 'checklist.schema.json'), 'utf8')).title).toBe('deploy-check checklist, version 1');
  }, 180_000);
});
