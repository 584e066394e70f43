// `npm run build`, after tsc: dist/program.cjs becomes one file holding the CLI's commands, checks,
// reports and their dependencies (zod, yaml, commander, chalk, hyparquet), so that a start loads one
// file instead of about 280 (each found, read and linked on its own: ~150 ms of every command on a
// 2-core machine), and dist/program.cjs.cache the V8 code cache of it (src/load-program.ts: ~80 ms
// of compiling at each start saved; made again at the end after a run, scripts/code-cache.mjs).
// The command line's entry, src/cli.ts, is bundled apart into dist/cli.cjs (package.json's bin)
// with the modules it shares with the program (SHARED in src/load-program.ts: the model host's
// client, the error types, the package root), which the program's bundle leaves out and is handed
// at its start, so that there is one of each: one host, one InputError class. It starts the model
// host (a second process loading onnxruntime) before the program is even compiled, then runs it.
// CommonJS: Node.js starts it ~25 ms sooner than the same eight modules as ES modules (whose loader
// resolves, reads and links each). onnxruntime-node stays outside (a native addon); the other
// modules tsc wrote stay where they are, for the bench and build scripts.
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
/** tsc's dist/<entry>.js and what it imports, into one CommonJS file dist/<entry>.cjs */
const commonJs = (entry, plugins = []) =>
  build({ entryPoints: [`${dist}${entry}.js`], outfile: `${dist}${entry}.cjs`, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['onnxruntime-node'], logLevel: 'warning', plugins });
for (const entry of ['onnx/host-child', 'eval/datasets/csv-worker', 'eval/bootstrap-worker']) await commonJs(entry);
// The entry: tsc's dist/cli.js and what it imports, into dist/cli.cjs. Each module's
// import.meta.url becomes the address its own file had in dist/ (derived from the bundle's folder
// where it runs), so that the paths they derive hold as they did: input/version.js finds
// deploy-check's folder two levels above itself, load-program.js the program beside itself.
await commonJs('cli', [
  {
    name: 'module-address',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const address = `require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(relative(dist, args.path))})).href`;
        return { contents: text.replaceAll('import.meta.url', address), loader: 'js' };
      });
    },
  },
]);
if (readFileSync(dist + 'cli.cjs', 'utf8').includes('import.meta')) throw new Error('dist/cli.cjs still reads import.meta, which CommonJS does not have');
rmSync(dist + 'cli.js');
rmSync(dist + 'cli.js.map', { force: true });
chmodSync(dist + 'cli.cjs', 0o755);

// the code cache again, made after a run of the example checklist (scripts/code-cache.mjs), kept
// if V8 accepts it in a fresh process; else the one of the top level above stays
const topLevel = readFileSync(PROGRAM_CACHE);
spawnSync(process.execPath, [new URL('code-cache.mjs', import.meta.url).pathname], { stdio: 'ignore' });
const check = `const { compileProgram } = await import(${JSON.stringify(dist + 'load-program.js')}); const { readFileSync } = await import('node:fs'); process.stdout.write(String(compileProgram(readFileSync(${JSON.stringify(PROGRAM_CACHE)})).cachedDataRejected));`;
if (spawnSync(process.execPath, ['--input-type=module', '-e', check], { encoding: 'utf8' }).stdout !== 'false') {
  writeFileSync(PROGRAM_CACHE, topLevel);
  console.warn('deploy-check build: the code cache made after a run was not made or not accepted; the one of the bundle\'s top level is kept');
}
