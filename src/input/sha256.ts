import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from './version.js';

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

/** Files smaller than this are hashed on the reading thread: a thread costs more than it saves. */
export const THREAD_FROM = 32 << 20;
/** shared memory the chunks are copied into for the thread, a megabyte each */
const SLOT = 1 << 20;
/** buffers kept once the thread keeps up */
const SLOTS = 4;
/** buffers at most (chunks handed over and not yet hashed) */
const MAX_SLOTS = 8;
const WORKER = join(PACKAGE_ROOT, 'dist', 'input', 'sha256-worker.js');

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
      if (--active === 0 && worker === w) {
        void w.terminate();
        worker = undefined;
      }
      return Buffer.from(result, 0, 32).toString('hex');
    },
  };
}

/** The thread that hashes a file of `size` bytes (undefined: this one), when `thread` allows one. */
export function digestThread(size: number, thread: boolean): Worker | undefined {
  if (!thread || size < THREAD_FROM || !existsSync(WORKER)) return undefined;
  if (!worker) {
    // a small heap: it holds a hash state a file, and the chunks are in shared memory
    worker = new Worker(WORKER, { resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 } });
    worker.unref();
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

/** Blocks until cell `index` no longer holds `value`; a thread silent for a minute has died. */
function waitFor(cells: Int32Array, index: number, value: number): void {
  const start = Date.now();
  while (Atomics.load(cells, index) === value) {
    Atomics.wait(cells, index, value, 1000);
    if (Date.now() - start > 60_000) throw new Error('the sha256 thread stopped answering');
  }
}
