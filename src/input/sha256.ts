import { createHash } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { ABANDONED, type FileDigestJob } from './hash-file.js';
import { builtWorker } from './built-worker.js';

/** A file's sha256, fed chunk by chunk as it is read. */
export interface Digest {
  update(chunk: Uint8Array): void;
  /** the hex digest of every chunk given */
  digest(): string;
}

/** Messages to the sha256 thread (sha256-worker.ts). */
export type DigestMessage =
  // once a stream: its slots' states; once a slot: its memory (posting shared memory costs ~0.5 ms a message)
  | { op: 'open'; id: number; state: SharedArrayBuffer }
  | { op: 'slot'; id: number; index: number; slot: SharedArrayBuffer }
  | { op: 'update'; id: number; index: number; offset: number; length: number }
  | { op: 'digest'; id: number; result: SharedArrayBuffer };

const AT = { state: 8, progress: 9, error: 40 };

/** Files smaller than this are hashed on the reading thread: a thread costs more than it saves. */
export const THREAD_FROM = 32 << 20;
/** shared memory the chunks are copied into for the thread, a megabyte each */
const SLOT = 1 << 20;
/** buffers kept once the thread keeps up */
const SLOTS = 4;
/** buffers at most (chunks handed over and not yet hashed) */
const MAX_SLOTS = 8;
const WORKER = 'dist/input/sha256-worker.js';

let worker: Worker | undefined;
let streams = 0;
/** files being hashed on the thread: when the last is done the thread ends (its memory is given back) */
let active = 0;

/**
 * The sha256 of a file of `size` bytes: a large one is hashed on a thread of its own (started
 * with the first file to read; a file opened only for its header, as `validate` does, starts none),
 * which takes the hash, about a sixth of parsing a numeric CSV, off the
 * thread that parses. Chunks are copied into shared memory for it (the reader's own buffers stay
 * ordinary memory: V8 reads typed arrays over shared memory slower, and the reader parses them).
 * `digest` waits for the thread to finish. The digest is the
 * file's sha256 either way.
 *
 * The thread hashes several times faster than a file is parsed, so a few buffers are enough once
 * it runs; until it does (a thread takes tens of milliseconds to start) more are made, up to
 * MAX_SLOTS, so that the reader does not wait, and they are given back once idle.
 */
export function fileDigest(size: number, thread: boolean): Digest {
  const w = digestThread(size, thread);
  if (!w) return onThisThread();
  const id = ++streams;
  active++;
  const state = new SharedArrayBuffer(4 * MAX_SLOTS);
  w.postMessage({ op: 'open', id, state } satisfies DigestMessage);
  const busy = new Int32Array(state);
  const slots: SharedArrayBuffer[] = [];
  let turn = 0;
  const idle = (i: number) => Atomics.load(busy, i) === 0;
  const take = (): number => {
    while (slots.length > SLOTS && idle(slots.length - 1)) slots.pop();
    for (let i = 0; i < slots.length; i++) if (idle(i)) return i;
    if (slots.length < MAX_SLOTS) {
      const slot = new SharedArrayBuffer(SLOT);
      w.postMessage({ op: 'slot', id, index: slots.length, slot } satisfies DigestMessage);
      return slots.push(slot) - 1;
    }
    // every slot handed over: wait for one (the thread hashes them in the order given)
    const index = turn++ % MAX_SLOTS;
    waitFor(busy, index, 1);
    return index;
  };
  const hand = (index: number, offset: number, length: number) => {
    Atomics.store(busy, index, 1);
    w.postMessage({ op: 'update', id, index, offset, length } satisfies DigestMessage);
  };
  return {
    update(chunk) {
      for (let at = 0; at < chunk.length; at += SLOT) {
        const piece = chunk.subarray(at, Math.min(at + SLOT, chunk.length));
        const index = take();
        new Uint8Array(slots[index]!).set(piece);
        hand(index, 0, piece.length);
      }
    },
    digest() {
      const result = new SharedArrayBuffer(36);
      w.postMessage({ op: 'digest', id, result } satisfies DigestMessage);
      waitFor(new Int32Array(result, 32, 1), 0, 0);
      slots.length = 0;
      release(w);
      return Buffer.from(result, 0, 32).toString('hex');
    },
  };
}

/** A file being hashed on another thread (digestOnThread). */
export interface ThreadDigest {
  /** waits for the thread (blocking) and gives the digest, or throws why the file could not be read */
  digest(): string;
  /** the digest will not be asked for (a read given up): the thread stops hashing the file */
  abandon(): void;
}

/**
 * The sha256 of `file` read whole by another thread: `post` hands the job to it (at once). A thread
 * that has not moved for a minute has died.
 */
export function digestOnThread(file: string, post: (job: FileDigestJob) => void): ThreadDigest {
  const result = new SharedArrayBuffer(AT.error + 512);
  const cells = new Int32Array(result);
  post({ hashFile: file, result, at: AT });
  let outcome: { sha256: string } | { error: Error } | undefined;
  return {
    abandon: () => void Atomics.compareExchange(cells, AT.state, 0, ABANDONED),
    digest: () => {
    if (!outcome) {
      try {
        waitFor(cells, AT.state, 0, AT.progress);
      } catch (e) {
        outcome = { error: e as Error };
        throw e;
      }
      const bytes = new Uint8Array(result);
      outcome = Atomics.load(cells, AT.state) === 1 ? { sha256: Buffer.from(bytes.subarray(0, 32)).toString('hex') } : { error: new Error(Buffer.from(bytes.subarray(AT.error)).toString('utf8').replace(/\0+$/, '')) };
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.sha256;
    },
  };
}

/** A file done with the thread: when it was the last, the thread ends (its memory is given back). */
function release(w: Worker): void {
  if (--active === 0 && worker === w) {
    void w.terminate();
    worker = undefined;
  }
}

/** The thread that hashes a file of `size` bytes (undefined: this one), when `thread` allows one. */
export function digestThread(size: number, thread: boolean): Worker | undefined {
  if (!thread || size < THREAD_FROM) return undefined;
  if (!worker) {
    // a small heap: it holds a hash state a file, and the chunks are in shared memory
    worker = builtWorker(WORKER, { resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 } });
    worker?.unref();
  }
  return worker;
}

function onThisThread(): Digest {
  const h = createHash('sha256');
  return {
    update: (chunk) => void h.update(chunk),
    digest: () => h.digest('hex'),
  };
}

/**
 * Blocks until cell `index` no longer holds `value`; a thread silent for a minute has died (with
 * `progress`, the cell the thread moves as it works: a minute without it moving).
 */
function waitFor(cells: Int32Array, index: number, value: number, progress?: number): void {
  let start = Date.now();
  let moved = progress === undefined ? 0 : Atomics.load(cells, progress);
  while (Atomics.load(cells, index) === value) {
    Atomics.wait(cells, index, value, 1000);
    const now = progress === undefined ? moved : Atomics.load(cells, progress);
    if (now !== moved) {
      moved = now;
      start = Date.now();
    }
    if (Date.now() - start > 60_000) throw new Error('the sha256 thread stopped answering');
  }
}
