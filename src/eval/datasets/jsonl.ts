import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../../input/errors.js';
import { readBuffer } from '../../input/read-buffer.js';
import { datasetDigest, passEvidence } from './digest.js';
import { MAX_RECORD_BYTES, type Cell, type DatasetSource, type RawBatch } from './types.js';
import { inPart } from './part.js';

/**
 * JSON Lines: one object per line; the first object's keys, in order, are the columns. Every
 * other object must have the same keys (a missing key is a missing value, an unknown one an error),
 * and every value must be a scalar. Blank lines are skipped.
 */
export async function openJsonl(file: string, display: string, /** tests: bytes read at a time */ chunkSize = 1 << 20): Promise<DatasetSource> {
  let columns: string[] | undefined;
  for await (const chunk of objects(file, display, undefined, chunkSize)) {
    const first = chunk[0];
    if (!first) continue;
    columns = Object.keys(first.value);
    if (columns.length === 0) throw new InputError(display, `line ${first.line}: the first object has no keys`);
    break;
  }
  if (!columns) throw new InputError(display, 'is empty (expected one JSON object per line)');
  const cols = columns;
  const index = new Map(cols.map((c, j) => [c, j]));
  let evidence: { sha256: string; bytes: number; rows: number } | undefined;
  const size = statSync(file).size;
  let read = 0;
  return {
    path: display,
    columns: cols,
    evidence: () => evidence,
    progress: () => (size ? read / size : 1),
    async *batches(want, batchSize, options) {
      const part = options?.part;
      const hash = datasetDigest(file, display, size, undefined, false);
      const counting = { update: (chunk: Buffer) => ((read += chunk.length), hash.update(chunk)) };
      let cells: Cell[][] = want.map(() => []);
      let lines: number[] = [];
      let places: number[] = [];
      let rows = 0;
      let through = 0;
      const flush = (): RawBatch => {
        const b: RawBatch = { n: lines.length, cells, unit: 'line', refs: lines, index: places, through: size ? Math.min(1, through / size) : 1 };
        cells = want.map(() => []);
        lines = [];
        places = [];
        return b;
      };
      for await (const chunk of objects(file, display, counting, chunkSize)) for (const { value, line, bytes, from, to, end } of chunk) {
        rows++;
        through = end;
        // another shard's row: counted (the evidence is the whole file's), not read
        if (part && !inPart(part, bytes, from, to)) continue;
        for (const key of Object.keys(value)) {
          if (!index.has(key)) throw new InputError(display, `line ${line}: key "${key}" is not a column of the first line`);
        }
        want.forEach(({ index: c }, k) => {
          const v = Object.hasOwn(value, cols[c]!) ? value[cols[c]!] : undefined;
          if (v !== null && v !== undefined && typeof v === 'object') throw new InputError(display, `line ${line}: column "${cols[c]}" holds ${Array.isArray(v) ? 'a list' : 'an object'}, expected a scalar`);
          cells[k]!.push(v as Cell);
        });
        lines.push(line);
        places.push(rows - 1);
        if (lines.length >= batchSize) yield flush();
      }
      if (lines.length) yield flush();
      evidence = passEvidence(hash.end(), size, rows);
    },
  };
}

/** A line's object, its line number, its bytes (valid while its chunk is read) and the file offset just past its line end. */
interface JsonRow {
  value: Record<string, unknown>;
  line: number;
  bytes: Buffer;
  from: number;
  to: number;
  end: number;
}

/**
 * The objects of the file's lines, a chunk's worth at a time (a megabyte of lines): read and
 * parsed synchronously within a chunk, so that a line costs JSON.parse and no promise. Lines end
 * at LF, CRLF or a lone CR (as readline splits them); a UTF-8 byte-order mark is skipped.
 */
async function* objects(file: string, display: string, hash: { update(chunk: Buffer): unknown } | undefined, chunkSize: number): AsyncGenerator<JsonRow[]> {
  const fh = await open(file, 'r');
  const buf = readBuffer(chunkSize);
  let carry = Buffer.alloc(0);
  // the file offset of data[0]
  let base = 0;
  let line = 0;
  try {
    for (let final = false; !final; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      final = bytesRead === 0;
      hash?.update(buf.subarray(0, bytesRead));
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const rows: JsonRow[] = [];
      let pos = line === 0 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
      // the next CR at or after pos (-1: none in the chunk), found again only once passed
      let cr = data.indexOf(13, pos);
      for (;;) {
        if (cr >= 0 && cr < pos) cr = data.indexOf(13, pos);
        const lf = data.indexOf(10, pos);
        let e = lf < 0 ? (cr < 0 ? data.length : cr) : cr < 0 ? lf : Math.min(lf, cr);
        // a CR at the end of a chunk may be the first half of a CRLF
        if (e >= data.length || (data[e] === 13 && e + 1 >= data.length && !final)) {
          if (!final && data.length - pos > MAX_RECORD_BYTES) throw new InputError(display, `line ${line + 1}: a line longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB`, undefined, 'is this really JSON Lines?');
          if (!final || pos >= data.length) break;
          e = data.length;
        }
        line++;
        const next = e >= data.length ? e : data[e] === 13 && data[e + 1] === 10 ? e + 2 : e + 1;
        const text = data.toString('utf8', pos, e);
        if (text.trim() !== '') {
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (err) {
            throw new InputError(display, `line ${line}: not valid JSON (${(err as Error).message})`);
          }
          if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(display, `line ${line}: expected a JSON object`);
          rows.push({ value: value as Record<string, unknown>, line, bytes: data, from: pos, to: e, end: base + next });
        }
        pos = next;
      }
      base += pos;
      carry = Buffer.from(data.subarray(pos));
      if (rows.length) yield rows;
    }
  } finally {
    await fh.close();
  }
}
