import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../../input/errors.js';
import { datasetDigest, passEvidence } from './digest.js';
import { MAX_RECORD_BYTES, packedMap, RowTexts, type Cell, type Column, type DatasetSource, type NumberColumn, type RawBatch } from './types.js';
import { inPart, type Part } from './part.js';
import { CHUNK, CR, LF, READ_BUFFER, ROOM, scanNumber, scannedBox, fastNumber, type LineSpec, type Lines } from './csv-lines.js';
import { Regions } from './csv-regions.js';
import { TextCache } from './text-cache.js';
import { parseThread } from './csv-thread.js';
import { PARSE_THREAD_FROM } from './parse-worker.js';

const QUOTE = 34;
/** the fast path takes over again after a quoted record when the next quote is further than this */
const RESUME_AFTER = 1024;

/**
 * RFC 4180 CSV (or TSV with a tab delimiter), streamed and parsed as bytes: quoted fields with
 * doubled quotes and embedded newlines, CRLF or LF, a UTF-8 byte-order mark, a required header
 * row. Strict: a row with another number of fields than the header, a stray quote or an unclosed
 * quote is an error naming the line. Blank lines are skipped. Columns asked for as numbers are
 * parsed straight from the bytes into a Float64Array when they hold plain decimals, so the common
 * case makes no string at all; those asked for as a matrix (a model's float32 input), straight into
 * the rows the model is sent.
 *
 * Long on purpose (this, its `batches` and `records` below): they are the byte loop every row goes
 * through, and its state (positions, the batch being filled, the line number) lives in local
 * variables that the loop's closures share; cut into functions, that state would be passed through
 * or boxed in objects on the hottest path of a run. The pieces are marked by comments, and a
 * property test holds the fast path and the record path to the same results.
 */
export async function openCsv(
  file: string,
  display: string,
  delimiter: ',' | '\t',
  /** tests: the record path alone (plainPath false), the parsing thread from this file size on, smaller chunks */
  options: { plainPath?: boolean; threadFrom?: number; chunk?: number } = {},
): Promise<DatasetSource> {
  const { plainPath = true, threadFrom = PARSE_THREAD_FROM, chunk = CHUNK } = options;
  const delim = delimiter.charCodeAt(0);
  let header: string[] | undefined;
  for await (const _ of records(file, display, delim, undefined, (rec) => {
    header = Array.from({ length: rec.count }, (_, j) => rec.text(j));
    return false;
  })) if (header) break;
  if (!header) throw new InputError(display, 'is empty (expected a header row)');
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    if (name.trim() === '') throw new InputError(display, `line 1: column ${j + 1} has an empty name`);
    const prev = seen.get(name);
    if (prev !== undefined) throw new InputError(display, `line 1: duplicate column "${name}" (columns ${prev + 1} and ${j + 1})`);
    seen.set(name, j);
  });
  const columns = header;
  let evidence: { sha256: string; bytes: number; rows: number } | undefined;
  const size = statSync(file).size;
  let read = 0;

  return {
    path: display,
    columns,
    evidence: () => evidence,
    progress: () => (size ? read / size : 1),
    async *batches(want, batchSize, options) {
      // the parsing thread for a large file (csv-regions.ts), which also hashes it unless the caller is light (digest.ts)
      const thread = plainPath && size >= threadFrom ? parseThread() : undefined;
      // for each file column: -1 (not wanted) or the index of its output column
      const slot = new Int32Array(columns.length).fill(-1);
      want.forEach((w, k) => (slot[w.index] = k));
      // the columns asked for as a matrix (a model's float32 input): each one's place in a row of it, or -1
      const spot = new Int32Array(want.length).fill(-1);
      options?.matrix?.forEach((k, p) => {
        if (want[k]?.as !== 'number' || spot[k]! >= 0) throw new Error(`matrix: column ${k} is not a distinct column asked for as numbers`);
        spot[k] = p;
      });
      const width = options?.matrix?.length ?? 0;
      const noNumbers = new Float64Array(0);
      // a batch's arrays; with `reuse`, the sets handed out come back once the next batch is asked for
      interface Arrays {
        cells: Column[];
        matrix: Float32Array;
        lines: Int32Array;
        index: Int32Array;
      }
      const pool: Arrays[] = [];
      const fresh = (): Arrays => {
        const again = pool.pop();
        if (again) {
          for (const c of again.cells) {
            if (Array.isArray(c)) c.length = 0;
            else c.other.clear();
          }
          return again;
        }
        return {
          cells: packedMap(want, (w, k) => (w.as === 'number' ? { numbers: spot[k]! >= 0 ? noNumbers : new Float64Array(batchSize), other: new RowTexts(batchSize) } : new Array<Cell>())),
          matrix: new Float32Array(width * batchSize),
          lines: new Int32Array(batchSize),
          index: new Int32Array(batchSize),
        };
      };
      let arrays = fresh();
      let cells = arrays.cells;
      let matrix = arrays.matrix;
      let lines = arrays.lines;
      let index = arrays.index;
      let n = 0;
      let rows = 0;
      const part = options?.part;
      let first = true;
      // the file offset just past the last row stored: a batch says how far into the file it reaches
      let through = 0;
      const flush = (): { batch: RawBatch; arrays: Arrays } => {
        const batch: RawBatch = {
          n,
          through: size ? through / size : 1,
          cells: packedMap(cells, (c) => (Array.isArray(c) ? c : { numbers: c.numbers.subarray(0, n), other: c.other })),
          unit: 'line',
          refs: lines.subarray(0, n),
          index: index.subarray(0, n),
          ...(width ? { matrix: matrix.subarray(0, n * width) } : {}),
        };
        const done = { batch, arrays };
        arrays = fresh();
        cells = arrays.cells;
        matrix = arrays.matrix;
        lines = arrays.lines;
        index = arrays.index;
        n = 0;
        return done;
      };
      const ready: { batch: RawBatch; arrays: Arrays }[] = [];
      const hand = function* () {
        for (const r of ready) {
          yield r.batch;
          if (options?.reuse) pool.push(r.arrays);
        }
        ready.length = 0;
      };
      const ragged = (line: number, count: number): never => {
        throw new InputError(display, `line ${line}: ${count} field${count === 1 ? '' : 's'}, but the header has ${columns.length}`, undefined, delimiter === ',' ? 'a decimal comma or an unquoted comma splits a field' : undefined);
      };
      const onRecord = (rec: CsvRecord): boolean => {
        if (first) {
          first = false;
          return true;
        }
        rows++;
        // another shard's row: counted (the evidence is the whole file's), not read
        if (part && !rec.inPart(part)) return true;
        if (rec.count !== columns.length) ragged(rec.line, rec.count);
        for (let j = 0; j < rec.count; j++) {
          const k = slot[j]!;
          if (k < 0) continue;
          const out = cells[k]!;
          if (Array.isArray(out)) out.push(rec.text(j));
          else {
            const v = rec.number(j);
            if (v === undefined) (out as NumberColumn).other.set(n, rec.text(j));
            else if (spot[k]! >= 0) matrix[n * width + spot[k]!] = v;
            else (out as NumberColumn).numbers[n] = v;
          }
        }
        index[n] = rows - 1;
        lines[n++] = rec.line;
        through = rec.end;
        if (n >= batchSize) ready.push(flush());
        return true;
      };
      /**
       * The fast path (csv-regions.ts): a region of complete, quote-free lines, parsed into typed
       * arrays (here or on the parsing thread), is put into the batches here, in file order.
       */
      const blocks = new Int32Array(columns.length).fill(-1);
      let numberColumns = 0;
      want.forEach((w, k) => w.as === 'number' && (blocks[w.index] = spot[k]! >= 0 ? -2 - spot[k]! : numberColumns++));
      const spec: LineSpec = { delim, number: blocks, width, slot, wanted: want.length, ...(part && { part }) };
      const textCaches = want.map(() => new TextCache());
      const place = (got: Lines, buf: Buffer, base: number, line: number) => {
        const { capacity, numbers, cells: texts } = got;
        if (got.header) first = false;
        let t = 0;
        for (let r = 0; r < got.rows; ) {
          const take = Math.min(got.rows - r, batchSize - n);
          want.forEach((w, k) => {
            if (w.as !== 'number' || spot[k]! >= 0) return;
            const b = blocks[w.index]! * capacity + r;
            (cells[k] as NumberColumn).numbers.set(numbers.subarray(b, b + take), n);
          });
          if (width) matrix.set(got.matrix.subarray(r * width, (r + take) * width), n * width);
          for (; t < got.cellInts && texts[t]! < r + take; t += 4) {
            const out = cells[texts[t + 1]!]!;
            const text = textCaches[texts[t + 1]!]!.text(buf, texts[t + 2]!, texts[t + 3]!);
            if (Array.isArray(out)) out.push(text);
            else out.other.set(n + texts[t]! - r, text);
          }
          for (let q = 0; q < take; q++) {
            index[n + q] = rows + got.place[r + q]!;
            lines[n + q] = line + got.line[r + q]!;
          }
          n += take;
          r += take;
          if (n >= batchSize) {
            through = base + got.end[r - 1]!;
            ready.push(flush());
          }
        }
        rows += got.dataRows;
        if (got.ragged >= 0) ragged(line + got.lines, got.ragged);
      };
      // a region of a quarter of a chunk or more may go to the thread
      const regions = plainPath ? new Regions(columns.length, spec, numberColumns, place, () => first, thread, chunk / 4) : undefined;
      // Records are handled synchronously chunk by chunk; only whole batches cross an await.
      const numeric = new Uint8Array(columns.length);
      want.forEach((w) => (numeric[w.index] = w.as === 'number' ? 1 : 0));
      const hash = datasetDigest(file, display, size, thread, options?.light ?? false);
      const counting = { update: (chunk: Buffer) => ((read += chunk.length), hash.update(chunk)) };
      let whole = false;
      try {
        try {
          for await (const _ of records(file, display, delim, counting, onRecord, numeric, regions, chunk)) yield* hand();
        } finally {
          regions?.close();
        }
        yield* hand();
        if (rows === 0 && !options?.empty) throw new InputError(display, 'has a header but no rows');
        through = size;
        if (n) yield flush().batch;
        evidence = passEvidence(hash.end(), size, rows);
        whole = true;
      } finally {
        // a read given up (an error, or a caller that wanted a few rows): its hash with it
        if (!whole) hash.abandon();
      }
    },
  };
}

/** One record, valid until the next one is read. */
interface CsvRecord {
  line: number;
  count: number;
  text(j: number): string;
  /** the field as a plain decimal, or undefined when it is anything else (including missing) */
  number(j: number): number | undefined;
  /** whether the record's bytes put it in this shard's part */
  inPart(part: Part): boolean;
  /** the file offset just past the record */
  end: number;
}

/**
 * Calls `onRecord` for each record, synchronously within each chunk read, and yields after each
 * chunk; `onRecord` returns false to stop reading. (Long on purpose: see openCsv.)
 */
async function* records(
  file: string,
  display: string,
  delim: number,
  /** is given each chunk read */
  hash: { update(chunk: Buffer): unknown } | undefined,
  onRecord: (rec: CsvRecord) => boolean,
  /** numeric[j] = 1: column j is wanted as numbers, parsed while the field is scanned */
  numeric: Uint8Array = new Uint8Array(0),
  /** takes the complete lines of a chunk up to its first quote (and gives the buffers to read into) */
  fast?: Regions,
  /** bytes read at a time (at most CHUNK) */
  chunkSize = CHUNK,
): AsyncGenerator<void> {
  // read into two buffers in turn (the unfinished record of one chunk lives on while the next is
  // read): a stream would allocate a fresh megabyte per chunk, and collecting them costs more than
  // reading
  const fh = await open(file, 'r');
  const chunkBuffers: Buffer[] = [];
  let turn = 0;
  // never the buffer of the chunk being parsed: with the fast path, one of its buffers (a chunk's
  // buffer may be given up to the region of its lines, which gives it back once placed)
  const chunkBuffer = () => fast?.chunkBuffer() ?? (chunkBuffers[turn++ & 1] ??= Buffer.allocUnsafe(READ_BUFFER));
  // the unfinished line of a chunk whose buffer was given up, copied out first
  let tail = Buffer.allocUnsafe(0);
  // the buffer of the chunk before, to give back to the fast path once its unfinished line is out of it
  let previous: Buffer | undefined;
  const starts: number[] = [];
  const ends: number[] = [];
  const unquoted: (string | undefined)[] = [];
  const values = new Float64Array(numeric.length);
  const parsed = new Uint8Array(numeric.length);
  let buf: Buffer = Buffer.alloc(0);
  let line = 1;
  let recLine = 1;
  let count = 0;
  const rec: CsvRecord = {
    line: 0,
    count: 0,
    text: (j) => unquoted[j] ?? buf.toString('utf8', starts[j], ends[j]),
    number: (j) => (parsed[j] ? values[j] : unquoted[j] !== undefined ? undefined : fastNumber(buf, starts[j]!, ends[j]!)),
    inPart: (part) => inPart(part, buf, recFrom, recTo),
    end: 0,
  };
  // bytes read so far; `buf` (an unfinished record and the chunk after it) always ends there
  let total = 0;
  let recFrom = 0;
  let recTo = 0;
  let carry: Buffer | undefined;
  // The unfinished record at the end of a chunk is joined to the next chunk in one reused buffer:
  // allocating a fresh buffer per chunk costs more (new pages) than the copy itself.
  let work = Buffer.allocUnsafe(0);
  let bom = true;
  let final = false;
  /** the regions taken were placed, and the record path reads on from `line` */
  let recordPath = false;
  // the next chunk is read while this one is parsed (into the other buffer, once the unfinished
  // record it may hold has been copied out)
  let next = chunkBuffer();
  let pending: Promise<{ bytesRead: number }> | undefined = fh.read(next, ROOM, chunkSize, null);
  try {
  while (!final) {
    const into = next;
    const { bytesRead } = await pending!;
    total += bytesRead;
    pending = undefined;
    if (bytesRead === 0) {
      final = true;
      buf = carry ?? Buffer.alloc(0);
    } else {
      const chunk = into.subarray(ROOM, ROOM + bytesRead);
      hash?.update(chunk);
      if (carry && carry.length && carry.length <= ROOM) {
        // the carry lives in the previous chunk's buffer or in `work`, never in this one
        carry.copy(into, ROOM - carry.length);
        buf = into.subarray(ROOM - carry.length, ROOM + bytesRead);
      } else if (carry && carry.length) {
        const need = carry.length + chunk.length;
        if (work.length < need) {
          const bigger = Buffer.allocUnsafe(Math.max(need, work.length * 2));
          carry.copy(bigger, 0);
          work = bigger;
        } else if (carry.buffer !== work.buffer || carry.byteOffset !== work.byteOffset) {
          // carry lives at the end of `work` (or of the previous chunk): move it to the front
          if (carry.buffer === work.buffer) work.copyWithin(0, carry.byteOffset - work.byteOffset, carry.byteOffset - work.byteOffset + carry.length);
          else carry.copy(work, 0);
        }
        chunk.copy(work, carry.length);
        buf = work.subarray(0, need);
      } else buf = chunk;
      if (previous) fast!.release(previous);
      previous = undefined;
      next = chunkBuffer();
      pending = fh.read(next, ROOM, chunkSize, null);
    }
    let pos = 0;
    // the file offset of buf[0]
    let base = total - buf.length;
    if (bom && (buf.length >= 3 || final)) {
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      bom = false;
    }
    let end = buf.length;
    // whether this reader still holds `into` (not given up to a region of its lines)
    let kept = true;
    // the fast path and the record path in turn: quote-free lines, then the records from a quote on
    for (;;) {
      let quote = -1;
      if (fast && pos < end) {
        quote = buf.indexOf(QUOTE, pos);
        const stop = quote < 0 ? end : quote;
        const last = stop > pos ? buf.lastIndexOf(LF, stop - 1) : -1;
        if (last >= pos) {
          // the chunk's own buffer goes to the region of its lines when nothing is left in it for
          // this reader but an unfinished line, copied out first (the region's buffer may go to
          // the parsing thread at once)
          const own = kept && buf.buffer === into.buffer && quote < 0 && end - (last + 1) <= ROOM;
          if (own) {
            if (tail.length < end - (last + 1)) tail = Buffer.allocUnsafe(ROOM);
            buf.copy(tail, 0, last + 1, end);
          }
          const given = await fast.take(buf, pos, last + 1, base, own);
          pos = last + 1;
          if (given) {
            // the rest of this chunk (its unfinished line) is read from the copy
            kept = false;
            base += pos;
            buf = tail.subarray(0, end - pos);
            end = buf.length;
            pos = 0;
          }
        }
        // the record path below needs the line number: the regions taken are placed first (but for
        // the unfinished line at the end of a chunk, which it leaves for the next, unless too long)
        if (pos < end && (quote >= 0 || final || end - pos > MAX_RECORD_BYTES)) {
          // (no promise when no region is out: a file with a quote a row comes here once a row)
          line = recLine = fast.placed() ?? (await fast.settle());
          recordPath = true;
        }
      }
      // parse complete records; stop at one that may continue in the next chunk
      let resume = false;
      for (;;) {
        if (pos >= end) break;
        count = 0;
        let i = pos;
        let newlines = 0;
        let complete = false;
        for (;;) {
          // one field starting at i
          if (i < end && buf[i] === QUOTE) {
            let j = i + 1;
            let text = '';
            let from = j;
            let closed = false;
            while (j < end) {
              const c = buf[j]!;
              if (c === QUOTE) {
                if (j + 1 < end && buf[j + 1] === QUOTE) {
                  text += buf.toString('utf8', from, j + 1);
                  j += 2;
                  from = j;
                  continue;
                }
                if (j + 1 >= end && !final) break;
                text += buf.toString('utf8', from, j);
                closed = true;
                j++;
                break;
              }
              if (c === LF) newlines++;
              j++;
            }
            if (!closed) {
              if (final) throw new InputError(display, `line ${recLine}: a quoted field is never closed`);
              break;
            }
            const after = j < end ? buf[j]! : -1;
            if (after !== delim && after !== LF && after !== CR && after !== -1) {
              throw new InputError(display, `line ${recLine + newlines}: unexpected character after a closing quote`, undefined, 'a quote inside a quoted field is written ""');
            }
            if (after === CR && j + 1 < end && buf[j + 1] !== LF) throw new InputError(display, `line ${recLine + newlines}: unexpected character after a closing quote`);
            starts[count] = 0;
            ends[count] = 0;
            if (count < parsed.length) parsed[count] = 0;
            unquoted[count++] = text;
            i = after === CR ? j + 1 : j;
          } else {
            // a number column's plain decimal, parsed here; anything else is kept as its bytes
            const stop = count < numeric.length && numeric[count] === 1 ? scanNumber(buf, i, end, delim) : -1;
            if (stop >= 0 && (stop < end || final)) {
              starts[count] = i;
              ends[count] = stop;
              values[count] = scannedBox[0]!;
              parsed[count] = 1;
              unquoted[count++] = undefined;
              // past a CR before the line feed, to the delimiter or line feed the field ends at
              i = stop < end && buf[stop] === CR ? stop + 1 : stop;
            } else {
              if (count < parsed.length) parsed[count] = 0;
              let j = i;
              while (j < end) {
                const c = buf[j]!;
                if (c === delim || c === LF) break;
                if (c === QUOTE) throw new InputError(display, `line ${recLine}: a quote in the middle of an unquoted field`, undefined, 'quote the whole field');
                j++;
              }
              if (j >= end && !final) break;
              let e = j;
              if (e > i && buf[e - 1] === CR && (j >= end || buf[j] === LF)) e--;
              starts[count] = i;
              ends[count] = e;
              unquoted[count++] = undefined;
              i = j;
            }
          }
          if (i >= end) {
            complete = final;
            break;
          }
          if (buf[i] === delim) {
            i++;
            if (i >= end && final) {
              starts[count] = i;
              ends[count] = i;
              if (count < parsed.length) parsed[count] = 0;
              unquoted[count++] = undefined;
              complete = true;
              break;
            }
            continue;
          }
          // LF
          i++;
          complete = true;
          break;
        }
        if (!complete) {
          if (end - pos > MAX_RECORD_BYTES) throw new InputError(display, `line ${recLine}: a record longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB`, undefined, 'is this really a table?');
          break;
        }
        const blank = count === 1 && unquoted[0] === undefined && ends[0] === starts[0];
        if (!blank) {
          rec.line = recLine;
          rec.count = count;
          recFrom = pos;
          recTo = i;
          rec.end = base + i;
          if (!onRecord(rec)) return;
        }
        line += newlines + 1;
        recLine = line;
        pos = i;
        // past the quote that sent the chunk down this path: the fast path takes the lines after
        // it, unless another quote comes within a few lines (a file with a quote a row stays here)
        if (quote >= 0 && pos > quote) {
          quote = buf.indexOf(QUOTE, pos);
          if (quote < 0 || quote - pos > RESUME_AFTER) {
            resume = true;
            break;
          }
        }
      }
      if (!resume) break;
      fast!.at(line);
      recordPath = false;
    }
    // the regions taken next begin where the record path stopped
    if (recordPath) fast!.at(line);
    recordPath = false;
    carry = pos < end ? buf.subarray(pos) : undefined;
    // given back to the fast path once the carry, which may be in it, is copied out (next chunk)
    if (fast && kept) previous = into;
    if (final && fast) line = recLine = await fast.settle();
    if (final && carry) throw new InputError(display, `line ${recLine}: could not be read`);
    yield;
  }
  } finally {
    await pending?.catch(() => undefined);
    await fh.close();
  }
}

