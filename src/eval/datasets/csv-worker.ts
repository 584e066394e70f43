// The CSV parsing thread (started by csv-thread.ts): parses the regions of complete, quote-free
// lines the reader hands over and hands their bytes and arrays back. It holds nothing between
// regions. Between them, it hashes the files it is asked to (a file read, hashed after its read:
// digest.ts).
import { parentPort } from 'node:worker_threads';
import { hashFileInSteps } from '../../input/hash-file.js';
import { detachOnce, linesOver, parseLines, transferList, warmParse } from './csv-lines.js';
import type { FileHashed, HashJob, RegionDone, RegionJob, ThreadReady } from './csv-thread.js';

detachOnce();
let warm = false;
parentPort!.on('message', (m: RegionJob | HashJob) => {
  if ('hashFile' in m) {
    hashFileInSteps(m, () => parentPort!.postMessage({ hashed: m.id } satisfies FileHashed));
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
});
parentPort!.postMessage({ ready: true } satisfies ThreadReady);
