// `npm run build`, its last step: dist/program.cjs.cache again (scripts/bundle.mjs wrote one of the
// bundle's top level), now made after a run of the example checklist through the bundle, so that it
// holds the bytecode of every function that run compiled: reading the checklist (yaml, zod), the
// model, a CSV, the metrics and the report. V8 otherwise parses and compiles each of them at its
// first call (~50 ms of each run's start on the development machine; src/load-program.ts). The run's
// report is not wanted: bundle.mjs runs this with its output ignored. Whatever happens to the run,
// the cache is written as the process exits; it is checked (and the first one kept) by bundle.mjs.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { compileProgram, PROGRAM_CACHE, runProgram } from '../dist/load-program.js';

const root = new URL('..', import.meta.url).pathname;
const script = compileProgram();
process.argv = [process.execPath, join(root, 'dist', 'cli.cjs'), 'run', join(root, 'checklists', 'example.yaml'), '--format', 'json'];
process.on('exit', () => {
  // the program turns on V8's linear-time regular expressions as it loads (src/input/linear-regexp.ts),
  // after the bundle is compiled: a cache is accepted under the flags it was made with, so it is made
  // under the flags of a start
  setFlagsFromString('--no-enable-experimental-regexp-engine');
  writeFileSync(`${PROGRAM_CACHE}.new`, script.createCachedData());
  renameSync(`${PROGRAM_CACHE}.new`, PROGRAM_CACHE);
});
runProgram(script);
