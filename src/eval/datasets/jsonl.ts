import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../input/errors.js';
import { datasetDigest } from './digest.js';
import type { Cell, DatasetSource, RawBatch } from './types.js';
import { inPart } from './part.js';

/**
 * JSON Lines: one object per line; the first object's keys, in order, are the columns. Every
 * other object must have the same keys (a missing key is a missing value, an unknown one an error),
 * and every value must be a scalar. Blank lines are skipped.
 */
export async function openJsonl(file: string, display: string): Promise<DatasetSource> {
  let columns: string[] | undefined;
  for await (const { value, line } of objects(file, display, undefined)) {
    columns = Object.keys(value);
    if (columns.length === 0) throw new InputError(display, `line ${line}: the first object has no keys`);
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
      const hash = datasetDigest(size);
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
      for await (const { value, line, text, end } of objects(file, display, counting)) {
        rows++;
        through = end;
        if (part) {
          // another shard's row: counted (the evidence is the whole file's), not read
          const bytes = Buffer.from(text);
          if (!inPart(part, bytes, 0, bytes.length)) continue;
        }
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
      evidence = { sha256: hash.digest(), bytes: size, rows };
    },
  };
}

/** Each line's object, its line number, its text and about where it ends in the file (a line end counted as one byte: for sizing arrays, not for reading). */
async function* objects(file: string, display: string, hash: { update(chunk: Buffer): unknown } | undefined): AsyncGenerator<{ value: Record<string, unknown>; line: number; text: string; end: number }> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  if (hash) stream.on('data', (chunk) => hash.update(chunk as Buffer));
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  let end = 0;
  for await (const raw of rl) {
    line++;
    end += Buffer.byteLength(raw) + 1;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new InputError(display, `line ${line}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(display, `line ${line}: expected a JSON object`);
    yield { value: value as Record<string, unknown>, line, text, end };
  }
}
