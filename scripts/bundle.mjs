// `npm run build`, after tsc: dist/program.js becomes one file holding the CLI's commands, checks,
// reports and their dependencies (zod, yaml, commander, chalk, hyparquet), so that a start loads one
// file instead of about 280 (each found, read and linked on its own: ~150 ms of every command on a
// 2-core machine). dist/cli.js stays tsc's small module: it starts the model host (a second process
// loading onnxruntime) before the bundle is even parsed, then imports the bundle. The modules the two
// share (the model host's client, the error types, the package root) stay separate files that both
// import, so that there is one of each: one host, one InputError class; and input/version.js finds
// deploy-check's folder two levels above itself, which holds only where it stays a file of its own.
// onnxruntime-node stays outside (a native addon); the other modules tsc wrote stay where they are
// (the model host, dist/onnx/host-child.js, imports them, and so do the bench scripts).
import { chmodSync } from 'node:fs';
import { relative } from 'node:path';
import { build } from 'esbuild';

const dist = new URL('../dist/', import.meta.url).pathname;
const shared = ['onnx/session.js', 'onnx/host-protocol.js', 'input/errors.js', 'input/version.js'].map((f) => dist + f);
await build({
  entryPoints: [dist + 'program.js'],
  outfile: dist + 'program.js',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
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
  ],
  // the CommonJS dependencies (commander) require Node's modules, which an ES module has no `require` for
  banner: { js: "import { createRequire as __deployCheckRequire } from 'node:module';\nconst require = __deployCheckRequire(import.meta.url);" },
  legalComments: 'inline',
  logLevel: 'warning',
});
chmodSync(dist + 'cli.js', 0o755);
