import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import * as errors from './input/errors.js';
import * as version from './input/version.js';
import * as protocol from './onnx/host-protocol.js';
import * as session from './onnx/session.js';
import * as parseWorker from './eval/datasets/parse-worker.js';

/**
 * The CLI's program (src/program.ts and everything it imports) is one CommonJS file,
 * dist/program.cjs (scripts/bundle.mjs), compiled here with the V8 code cache written beside it
 * when it was built: compiling its ~1.6 MB took ~80 ms of every command on the development
 * machine, and ~6 ms with the cache. A cache V8 rejects (another Node.js, other V8 flags, a changed
 * file) costs nothing but that time: the source is then compiled as it would be without one.
 * Node.js 20 offers no code cache for ES modules, hence CommonJS loaded through `vm`. The cache is
 * made after a run of the example checklist (scripts/code-cache.mjs), so that it holds the bytecode
 * of every function that run compiled, not only of the bundle's top level: V8 otherwise parses and
 * compiles each function at its first call, ~50 ms of a run's start.
 */
export const PROGRAM_FILE = join(dirname(fileURLToPath(import.meta.url)), 'program.cjs');
export const PROGRAM_CACHE = `${PROGRAM_FILE}.cache`;

/** The bundle in Node's CommonJS wrapper, on its first line, so that line numbers in stack traces hold. */
export function compileProgram(cachedData?: Buffer): Script {
  // the bundle is ASCII (esbuild's charset: ascii): read as Latin-1, it is a one-byte string, no UTF-8 decoding
  const source = readFileSync(PROGRAM_FILE, 'latin1');
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: PROGRAM_FILE, ...(cachedData ? { cachedData } : {}) });
}

/**
 * The modules the bundle leaves out, so that the entry (dist/cli.cjs) and the program share one of each (one model
 * host, one InputError class; version.js finds the package two folders above itself), by the path
 * the bundle requires them with.
 */
export const SHARED: Record<string, unknown> = { './onnx/session.js': session, './onnx/host-protocol.js': protocol, './input/errors.js': errors, './input/version.js': version, './eval/datasets/parse-worker.js': parseWorker };

/** The bundle compiled with its code cache, when there is one. */
export function cachedProgram(): Script {
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(PROGRAM_CACHE);
  } catch {
    // built without one, or removed: compiled from the source alone
  }
  return compileProgram(cache);
}

/** Runs the program (the command in process.argv). */
export function runProgram(script: Script = cachedProgram()): void {
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const load = createRequire(PROGRAM_FILE);
  const module = { exports: {} };
  run.call(module.exports, module.exports, (id: string) => SHARED[id] ?? load(id), module, PROGRAM_FILE, dirname(PROGRAM_FILE));
}
