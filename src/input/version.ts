import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * deploy-check's own folder (its package.json, schema/, dist/): two above this module, which is a
 * file of its own in src/input/ (tests) and dist/input/ alike — scripts/bundle.mjs keeps it out of
 * the bundle, so that this depth holds (the install test checks it from an installed package).
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The command line as it is installed (package.json's bin): src/cli.ts and the modules it shares
 * with the program, bundled into one CommonJS file by scripts/bundle.mjs (Node.js starts a CommonJS
 * entry ~25 ms sooner than the same modules as ES modules). `--jobs` starts its shards with it.
 */
export const CLI_FILE = join(PACKAGE_ROOT, 'dist', 'cli.cjs');

/** Read once from package.json. */
export const TOOL = {
  name: 'deploy-check',
  version: (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
};
