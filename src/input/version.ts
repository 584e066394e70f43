import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * deploy-check's own folder (where its package.json is): the nearest folder above this module
 * holding a package.json named deploy-check. The module may be src/input/version.ts (tests),
 * dist/input/version.js, or part of the bundled dist/cli.js, each at another depth.
 */
export const PACKAGE_ROOT = ((): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'deploy-check') return dir;
    if (dirname(dir) === dir) throw new Error(`deploy-check: no package.json of deploy-check above ${fileURLToPath(import.meta.url)}`);
  }
})();

/** Read once from package.json. */
export const TOOL = {
  name: 'deploy-check',
  version: (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
};
