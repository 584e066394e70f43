import type { Worker } from 'node:worker_threads';
import { builtWorker } from '../../input/built-worker.js';

/** A file larger than this is parsed on two threads: below it, starting the thread costs more than it saves. */
export const PARSE_THREAD_FROM = 16 << 20;

/**
 * Where the CSV parsing thread comes from: dist/eval/datasets/csv-worker.cjs (csv-worker.ts,
 * bundled), started by csv-thread.ts when a reader wants it — or by the command line's entry
 * (src/cli.ts) before the program is even compiled, for a `run` with no model to run whose
 * checklist names a large CSV (a data or drift check alone): the second core is then idle while
 * this process compiles the program and reads the checklist, and the thread loads there (~0.1-0.2 s
 * of a core) instead of beside the read. With a model host starting on that core, it took the host's
 * turns (1.009 of the time in the twenty-third session, 1.002 in the twenty-fifth), so it waits for
 * the reader there.
 * Shared by the entry and the program (SHARED in src/load-program.ts): one thread either way.
 */
const WORKER = 'dist/eval/datasets/csv-worker.cjs';

/** A parsing thread started early and not yet taken: whether it has sent its ready message, whether it has ended. */
interface Early {
  worker: Worker;
  ready: boolean;
  ended: boolean;
  off(): void;
}
let early: Early | undefined;

/** A new parsing thread, or undefined when its file is not built (the sources run under a test runner). */
function newWorker(): Worker | undefined {
  // no limit on its young generation: at 1 MB, collecting it slowed the parsing by a third
  return builtWorker(WORKER, { resourceLimits: { maxOldGenerationSizeMb: 16 } });
}

/** Starts the parsing thread now, for the reader to take later (`takeParseWorker`); it does not keep the process alive. */
export function startParseWorkerEarly(): void {
  if (early) return;
  const worker = newWorker();
  if (!worker) return;
  worker.unref();
  const e: Early = { worker, ready: false, ended: false, off: () => worker.off('message', onMessage).off('error', onEnd).off('exit', onEnd) };
  // its first message says it has loaded (csv-worker.ts's ThreadReady)
  const onMessage = (m: unknown) => {
    if (typeof m === 'object' && m !== null && 'ready' in m) e.ready = true;
  };
  const onEnd = () => (e.ended = true);
  worker.on('message', onMessage).on('error', onEnd).on('exit', onEnd);
  early = e;
}

/** Whether a thread started early, not yet taken, has loaded (tests). */
export function earlyParseWorkerLoaded(): boolean {
  return early?.ready === true;
}

/**
 * The thread started early, if one was and it still runs (then whether it has loaded), else a new
 * one; undefined when the thread's file is not built. The caller listens to it from then on.
 */
export function takeParseWorker(): { worker: Worker; loaded: boolean } | undefined {
  const e = early;
  early = undefined;
  if (e) {
    e.off();
    if (!e.ended) return { worker: e.worker, loaded: e.ready };
  }
  const worker = newWorker();
  return worker && { worker, loaded: false };
}
