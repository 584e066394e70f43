// `npm run build`, after tsc: dist/cli.js becomes one file holding the CLI, its modules and its
// dependencies (zod, yaml, commander, chalk, hyparquet), so that a start loads one file instead of
// about 280 (each found, read and linked on its own: ~150 ms of every command on a 2-core machine).
// onnxruntime-node stays outside (a native addon); the model host (dist/onnx/host-child.js) and the
// other modules tsc wrote stay where they are (the bench scripts import them).
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
await build({
  entryPoints: [cli],
  outfile: cli,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['onnxruntime-node'],
  // the CommonJS dependencies (commander) require Node's modules, which an ES module has no `require` for
  banner: { js: "import { createRequire as __deployCheckRequire } from 'node:module';\nconst require = __deployCheckRequire(import.meta.url);" },
  legalComments: 'inline',
  logLevel: 'warning',
});
chmodSync(cli, 0o755);
