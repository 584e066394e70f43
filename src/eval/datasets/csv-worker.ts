// The CSV parsing thread (started by csv-thread.ts): parses the regions of complete, quote-free
// lines the reader hands over and hands their bytes and arrays back. It holds nothing between
// regions. When it has no region to parse, it hashes the files it is asked to (a file being read:
// digest.ts), a megabyte a step, the regions that came meanwhile parsed first.
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { hashFileInSteps } from '../../input/hash-file.js';
import { detachOnce, linesOver, parseLines, transferList, warmParse } from './csv-lines.js';
import type { FileHashed, HashJob, RegionDone, RegionJob, ThreadReady } from './csv-thread.js';

detachOnce();
let warm = false;
/** Handles the messages waiting, at once: before each step of a hash, so that no region waits behind it. */
const waiting = () => {
  for (let r = receiveMessageOnPort(parentPort!); r; r = receiveMessageOnPort(parentPort!)) handle(r.message as RegionJob | HashJob);
};
const handle = (m: RegionJob | HashJob) => {
  if ('hashFile' in m) {
    hashFileInSteps(m, () => parentPort!.postMessage({ hashed: m.id } satisfies FileHashed), waiting);
    return;
  }
  if (!warm) {
    warm = true;
    warmParse(m.ncols, m.spec, (text) => new Uint8Array(Buffer.from(text)));
  }
  const out = linesOver(m.arrays, m.capacity);
  parseLines(m.bytes, m.from, m.to, m.ncols, m.spec, out);
  parentPort!.postMessage(
    { id: m.id, bytes: m.bytes, arrays: m.arrays, rows: out.rows, cellInts: out.cellInts, stop: out.stop, lines: out.lines, dataRows: out.dataRows, ragged: out.ragged } satisfies RegionDone,
    transferList(m.bytes, m.arrays),
  );
};
parentPort!.on('message', handle);
parentPort!.postMessage({ ready: true } satisfies ThreadReady);
