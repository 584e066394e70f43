// `npm run build`, after tsc: dist/program.cjs becomes one file holding the CLI's commands, checks,
// reports and their dependencies (zod, yaml, commander, chalk, hyparquet), so that a start loads one
// file instead of about 280 (each found, read and linked on its own: ~150 ms of every command on a
// 2-core machine), and dist/program.cjs.cache the V8 code cache of it (src/load-program.ts: ~80 ms
// of compiling at each start saved; made again at the end after a run, scripts/code-cache.mjs). dist/cli.js stays tsc's small module: it starts the model host
// (a second process loading onnxruntime) before the bundle is even compiled, then runs the bundle.
// The modules the two share (the model host's client, the error types, the package root) stay
// separate files (SHARED in src/load-program.ts), so that there is one of each: one host, one
// InputError class; and input/version.js finds deploy-check's folder two levels above itself, which
// holds only where it stays a file of its own. onnxruntime-node stays outside (a native addon); the
// other modules tsc wrote stay where they are, for the bench scripts.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { build } from 'esbuild';
import { compileProgram, PROGRAM_CACHE, PROGRAM_FILE, SHARED } from '../dist/load-program.js';

const dist = new URL('../dist/', import.meta.url).pathname;
const shared = Object.keys(SHARED).map((f) => dist + f.slice(2));
rmSync(PROGRAM_CACHE, { force: true });
const program = await build({
  entryPoints: [dist + 'program.js'],
  metafile: true,
  outfile: PROGRAM_FILE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // read as Latin-1 by the loader: one byte a character, no decoding
  charset: 'ascii',
  external: ['onnxruntime-node'],
  plugins: [
    {
      name: 'shared-with-cli',
      setup(b) {
        b.onResolve({ filter: /\.js$/ }, async (args) => {
          if (args.pluginData === 'inner') return undefined;
          const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
          return shared.includes(r.path) ? { path: './' + relative(dist, r.path), external: true } : undefined;
        });
      },
    },
    {
      // zod's 64 translations of its messages (a fifth of the bundle): the checklist's errors are
      // deploy-check's own, in English; zod's English default stays (classic/schemas.js imports it)
      name: 'no-zod-locales',
      setup(b) {
        b.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export {};', loader: 'js' }));
      },
    },
  ],
  legalComments: 'inline',
  logLevel: 'warning',
});
// src/load-program.ts compiles the bundle with vm.Script, which has no loader for an import() left
// in it (Node.js 20's is experimental and warns on stderr): a dynamic import of a module outside
// the bundle would fail at run time, so it fails the build
const dynamic = Object.values(program.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
if (dynamic.length) throw new Error(`dist/program.cjs would import() ${dynamic.join(', ')} at run time: import it statically, or bundle it`);
// charset: ascii escapes strings, regular expressions and names, not the comments kept in the code
const text = readFileSync(PROGRAM_FILE, 'utf8');
writeFileSync(PROGRAM_FILE, text.replace(/[^\0-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`));
rmSync(dist + 'program.js');
rmSync(dist + 'program.js.map', { force: true });
writeFileSync(PROGRAM_CACHE, compileProgram().createCachedData());
// the model host and the CSV parsing thread (started by src/eval/datasets/csv-thread.ts), one
// CommonJS file each too: Node's CommonJS loader starts one ~20 ms sooner than its ES module
// loader, which also scans every CommonJS file imported for its exports
for (const entry of ['onnx/host-child', 'eval/datasets/csv-worker']) {
  await build({
    entryPoints: [`${dist}${entry}.js`],
    outfile: `${dist}${entry}.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['onnxruntime-node'],
    logLevel: 'warning',
  });
}
chmodSync(dist + 'cli.js', 0o755);

// the code cache again, made after a run of the example checklist (scripts/code-cache.mjs), kept
// if V8 accepts it in a fresh process; else the one of the top level above stays
const topLevel = readFileSync(PROGRAM_CACHE);
spawnSync(process.execPath, [new URL('code-cache.mjs', import.meta.url).pathname], { stdio: 'ignore' });
const check = `const { compileProgram } = await import(${JSON.stringify(dist + 'load-program.js')}); const { readFileSync } = await import('node:fs'); process.stdout.write(String(compileProgram(readFileSync(${JSON.stringify(PROGRAM_CACHE)})).cachedDataRejected));`;
if (spawnSync(process.execPath, ['--input-type=module', '-e', check], { encoding: 'utf8' }).stdout !== 'false') {
  writeFileSync(PROGRAM_CACHE, topLevel);
  console.warn('deploy-check build: the code cache made after a run was not made or not accepted; the one of the bundle\'s top level is kept');
}
