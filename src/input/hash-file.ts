import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { readBuffer } from './read-buffer.js';

/** FileDigestJob's state once its reader has given the digest up (digestOnThread): the thread stops */
export const ABANDONED = 3;

/**
 * A file to hash whole on another thread, which reads it itself (hashFileInSteps; digestOnThread in
 * sha256.ts makes the job): the digest's 32 bytes go to `result`, then two Int32 cells (by index
 * `at`: the state, 0 hashing, 1 done, 2 failed, 3 abandoned by the reader; the chunks hashed so far),
 * then the error's UTF-8 from byte `at.error`. (The layout travels with the job: the thread's bundle
 * holds none of sha256.ts.)
 */
export interface FileDigestJob {
  hashFile: string;
  result: SharedArrayBuffer;
  at: { state: number; progress: number; error: number };
}

/** bytes read and hashed a step */
const STEP = 1 << 20;

/**
 * The thread's side of digestOnThread (sha256.ts): reads and hashes the job's file a megabyte a
 * step, each step an event-loop turn of its own (setImmediate), so that the thread's other messages
 * (regions to parse) are not held up behind a large file; writes the digest, or why the file could
 * not be read, into the job's result and wakes the waiting thread; then calls `done`. A job its
 * reader abandoned stops at its next step (`done` is called, nothing written). `beforeStep` runs
 * before each step: the parsing thread handles there the regions that came meanwhile, so that the
 * file is hashed in the time it has no region to parse (csv-worker.ts).
 */
export function hashFileInSteps(job: FileDigestJob, done: () => void, beforeStep?: () => void): void {
  const cells = new Int32Array(job.result);
  const bytes = new Uint8Array(job.result);
  const finish = (state: 1 | 2, error?: Error) => {
    settleDigest(job, state, error);
    done();
  };
  let fd: number;
  try {
    fd = openSync(job.hashFile, 'r');
  } catch (e) {
    finish(2, e as Error);
    return;
  }
  const reader = fileHasher(fd);
  const step = () => {
    beforeStep?.();
    if (Atomics.load(cells, job.at.state) === ABANDONED) {
      closeSync(fd);
      done();
      return;
    }
    try {
      if (reader.step()) {
        Atomics.add(cells, job.at.progress, 1);
        setImmediate(step);
        return;
      }
      closeSync(fd);
      bytes.set(reader.digest());
      finish(1);
    } catch (e) {
      closeSync(fd);
      finish(2, e as Error);
    }
  };
  step();
}

/** Reads an open file a megabyte a `step` (false: at its end) into a sha256. */
function fileHasher(fd: number): { step(): boolean; digest(): Buffer } {
  const hash = createHash('sha256');
  const chunk = readBuffer(STEP);
  return {
    step() {
      const n = readSync(fd, chunk, 0, STEP, null);
      if (n > 0) hash.update(chunk.subarray(0, n));
      return n > 0;
    },
    digest: () => hash.digest(),
  };
}

/** A file's sha256 (hex), read here, a megabyte at a time (the reader's way when no thread can). */
export function hashFileNow(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const reader = fileHasher(fd);
    while (reader.step());
    return reader.digest().toString('hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * Ends a job: its state (1 done, the digest already written; 2 failed, with `error`'s message) and
 * the waiting thread woken. Also the reader's, for the jobs of a thread that ended before them.
 */
export function settleDigest(job: FileDigestJob, state: 1 | 2, error?: Error): void {
  const cells = new Int32Array(job.result);
  const bytes = new Uint8Array(job.result);
  if (error) bytes.set(Buffer.from(error.message, 'utf8').subarray(0, bytes.length - job.at.error), job.at.error);
  Atomics.store(cells, job.at.state, state);
  Atomics.notify(cells, job.at.state);
}
