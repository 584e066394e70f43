// The CSV parsing thread (started by csv-thread.ts): parses the regions of complete, quote-free
// lines the reader hands over and hands their bytes and arrays back. It holds nothing between
// regions.
import { parentPort } from 'node:worker_threads';
import { parseLines, transferList } from './csv-lines.js';
import type { RegionDone, RegionJob, ThreadReady } from './csv-thread.js';

parentPort!.on('message', (m: RegionJob) => {
  const out = { ...m.arrays, capacity: m.capacity, rows: 0, cellInts: 0, stop: 0, lines: 0, dataRows: 0, ragged: -1, header: false };
  parseLines(m.bytes, 0, m.to, m.ncols, m.spec, out);
  parentPort!.postMessage(
    { id: m.id, bytes: m.bytes, arrays: m.arrays, rows: out.rows, cellInts: out.cellInts, stop: out.stop, lines: out.lines, dataRows: out.dataRows, ragged: out.ragged } satisfies RegionDone,
    transferList(m.bytes, m.arrays),
  );
});
parentPort!.postMessage({ ready: true } satisfies ThreadReady);
