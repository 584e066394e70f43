// The sha256 thread (started by sha256.ts): hashes the chunks of one or more files as the reader
// hands them over in shared memory, so that the digest costs the main thread a copy, not a hash.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { DigestMessage } from './sha256.js';

interface Stream {
  hash: Hash;
  state: Int32Array;
  slots: SharedArrayBuffer[];
}
const streams = new Map<number, Stream>();
parentPort!.on('message', (m: DigestMessage) => {
  if (m.op === 'open') {
    streams.set(m.id, { hash: createHash('sha256'), state: new Int32Array(m.state), slots: [] });
    return;
  }
  const s = streams.get(m.id)!;
  if (m.op === 'slot') {
    s.slots[m.index] = m.slot;
    return;
  }
  if (m.op === 'update') {
    s.hash.update(new Uint8Array(s.slots[m.index]!, m.offset, m.length));
    // the slot is the reader's again
    Atomics.store(s.state, m.index, 0);
    Atomics.notify(s.state, m.index);
    return;
  }
  streams.delete(m.id);
  new Uint8Array(m.result).set(s.hash.digest());
  const done = new Int32Array(m.result, 32, 1);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
