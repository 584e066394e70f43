import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { PACKAGE_ROOT } from './version.js';

/**
 * A thread running one of the package's built files (`file`, from the package's root: 'dist/…', the
 * CSV parsing thread, the sha256 thread, the bootstrap thread; scripts/bundle.mjs), from the sources
 * under a test runner too; undefined where that file is not built, and the caller does the thread's
 * work itself. (The install test finds the files started so, by their 'dist/…' names.)
 */
export function builtWorker(file: string, options?: WorkerOptions): Worker | undefined {
  const path = join(PACKAGE_ROOT, file);
  return existsSync(path) ? new Worker(path, options) : undefined;
}
