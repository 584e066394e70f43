// The sha256 thread (started by sha256.ts): hashes the chunks of one or more files as the reader
// hands them over in shared memory, so that the digest costs the main thread a copy, not a hash.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { DigestMessage } from './sha256.js';

const streams = new Map<number, Hash>();
parentPort!.on('message', (m: DigestMessage) => {
  if (m.op === 'update') {
    let h = streams.get(m.id);
    if (!h) streams.set(m.id, (h = createHash('sha256')));
    h.update(new Uint8Array(m.slot, m.offset, m.length));
    // the slot is the reader's again
    const state = new Int32Array(m.state);
    Atomics.store(state, m.index, 0);
    Atomics.notify(state, m.index);
    return;
  }
  const h = streams.get(m.id) ?? createHash('sha256');
  streams.delete(m.id);
  new Uint8Array(m.result).set(h.digest());
  const done = new Int32Array(m.result, 32, 1);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
