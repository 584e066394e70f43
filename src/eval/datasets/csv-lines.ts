import { READ_AT } from '../../input/read-buffer.js';
import { inPart, type Part } from './part.js';

/**
 * The CSV reader's fast path, for complete quote-free lines: fields found and plain decimals parsed
 * straight from the bytes into typed arrays, with no string made for a number. Pure (no Node.js
 * module): the reader's thread runs it (csv.ts) and so does its parsing thread (csv-worker.ts), so
 * that both cores parse one file.
 */

export const LF = 10;
export const CR = 13;
/** bytes read at a time */
export const CHUNK = 1 << 20;
/**
 * Where a chunk is read into its buffer: 64 KiB in, so that the unfinished record of the chunk
 * before can be put in front of it without copying the chunk (when it is no longer than that), and
 * READ_AT bytes more (input/read-buffer.ts: the kernel's copy into a buffer's first page boundary
 * plus 16 bytes is several times slower).
 */
export const ROOM = (1 << 16) + READ_AT;
/** The reader's buffers: ROOM, then a chunk. */
export const READ_BUFFER = ROOM + CHUNK;

/** What to do with each field of a line. */
export interface LineSpec {
  delim: number;
  /**
   * per file column: the index of its block in `Lines.numbers` (0, 1, ...), or -2 - p for place p
   * of a row in `Lines.matrix` (a model's float32 input, parsed straight into its rows), or -1 (not a
   * number column)
   */
  number: Int32Array;
  /** the places of a row in `Lines.matrix` (0: no matrix) */
  width: number;
  /** per file column: its place among the columns asked for, or -1 (not asked for) */
  slot: Int32Array;
  /** the columns asked for */
  wanted: number;
  /** only this shard's rows (the others are counted, not parsed) */
  part?: Part;
  /** the first line that is not blank is the header: skipped (Lines.header says whether it was there) */
  header?: boolean;
}

/**
 * The lines of one region as parseLines leaves them: rows in typed arrays, each in memory of its
 * own, so that a region parsed on another thread comes back without a copy (transferred).
 */
export interface Lines {
  /** rows the arrays hold at most */
  capacity: number;
  /** number column b, row r: numbers[b * capacity + r] (stale where the cell is in `cells`) */
  numbers: Float64Array;
  /** the matrix's place p, row r: matrix[r * width + p], as float32 (stale where the cell is in `cells`) */
  matrix: Float32Array;
  /** per row: lines before it in the region (blank lines count) */
  line: Int32Array;
  /** per row: data rows before it in the region (another shard's rows count) */
  place: Int32Array;
  /** per row: the offset in the buffer just past its line end */
  end: Int32Array;
  /** the cells not given as numbers, in row order: (row, column asked for, start, end) each */
  cells: Int32Array;
  /** results, written by parseLines: rows, cells (ints used), where it stopped, lines and data rows before that */
  rows: number;
  cellInts: number;
  stop: number;
  lines: number;
  dataRows: number;
  /** the number of fields of the row at `stop` when it has another number than the header (-1: none) */
  ragged: number;
  /** whether the header was skipped */
  header: boolean;
}

/** What parseLines writes into a Lines, but for `header`. */
export type LineResults = Pick<Lines, 'rows' | 'cellInts' | 'stop' | 'lines' | 'dataRows' | 'ragged'>;

/** The arrays of a Lines, which go to the parsing thread and come back (transferred, not copied). */
export type LineArrays = Pick<Lines, 'numbers' | 'matrix' | 'line' | 'place' | 'end' | 'cells'>;
const ARRAYS = ['numbers', 'matrix', 'line', 'place', 'end', 'cells'] as const satisfies readonly (keyof LineArrays)[];

/** What postMessage transfers of a region: its bytes' memory and its arrays'. */
export function transferList(bytes: Uint8Array, arrays: LineArrays): ArrayBuffer[] {
  return [bytes.buffer as ArrayBuffer, ...ARRAYS.map((k) => arrays[k].buffer as ArrayBuffer)];
}

let detached = false;

/**
 * Detaches a throwaway buffer, once per thread, before the first region is parsed. V8 keeps one
 * flag a thread, "no ArrayBuffer has been detached", and while it holds, compiles typed-array code
 * without the checks a detached buffer needs; the first region's buffers transferred to or from the
 * parsing thread cleared it and threw out every optimised function that reads a typed array (the
 * parser, the placing into batches, the interleaving into tensors...) on both threads, to be
 * compiled again on a busy core. Cleared first, each is compiled once, with the checks it needs.
 */
export function detachOnce(): void {
  if (detached) return;
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
  detached = true;
}

/**
 * parseLines over two made-up lines (every field "0.0000", which takes the four-digit step too), a
 * few times, before the first region: a region's loop is hot at once and optimised while it runs,
 * and code compiled then stopped at the first line after the loop it had never seen run (no type
 * feedback), to be compiled again, on both threads. `bytes` makes the lines in the kind of array
 * the thread's regions come in.
 */
export function warmParse(ncols: number, spec: LineSpec, bytes: (text: string) => Uint8Array): void {
  const line = `${Array.from({ length: ncols }, () => '0.0000').join(String.fromCharCode(spec.delim))}\n`;
  const buf = bytes(line + line);
  const blocks = spec.number.reduce((n, b) => (b >= 0 ? n + 1 : n), 0);
  const out = newLines(2, blocks, spec.wanted, spec.width);
  // V8 keeps no type feedback for a function's first calls (it allocates its feedback after 8): a dozen
  for (let k = 0; k < 12; k++) parseLines(buf, 0, buf.length, ncols, spec, out);
}

/**
 * Empty Lines for `capacity` rows of `numbers` number columns, `cells` other cells a row on average
 * and a matrix `width` wide (each array its own memory, to be transferred).
 */
export function newLines(capacity: number, numbers: number, cells: number, width: number): Lines {
  return linesOver(
    {
      numbers: new Float64Array(Math.max(1, numbers * capacity)),
      matrix: new Float32Array(Math.max(1, width * capacity)),
      line: new Int32Array(capacity),
      place: new Int32Array(capacity),
      end: new Int32Array(capacity),
      cells: new Int32Array(4 * Math.ceil(capacity * cells) + 64),
    },
    capacity,
  );
}

/**
 * Lines over arrays of `capacity` rows, with no results yet or the ones given. Every Lines is made
 * here, so that every one has the same shape: parseLines, optimised for one, is not thrown out for
 * another (the parsing thread built its Lines by spreading the arrays it was sent, a new shape each
 * region, and its parseLines left optimised code at every region: ~125 times a 1M-row run). A
 * Lines' arrays are never replaced (a region back from the thread is a new Lines): V8 takes a field
 * written once for a constant, and the first write of another value to it threw out the optimised
 * code that read it (the parser and the placing of rows), to be compiled again.
 */
export function linesOver(arrays: LineArrays, capacity: number, results?: LineResults): Lines {
  return {
    capacity,
    numbers: arrays.numbers,
    matrix: arrays.matrix,
    line: arrays.line,
    place: arrays.place,
    end: arrays.end,
    cells: arrays.cells,
    rows: results?.rows ?? 0,
    cellInts: results?.cellInts ?? 0,
    stop: results?.stop ?? 0,
    lines: results?.lines ?? 0,
    dataRows: results?.dataRows ?? 0,
    ragged: results?.ragged ?? -1,
    header: false,
  };
}

/**
 * Parses the complete, quote-free lines [from, to) of `buf` (`to` just past a line feed) into
 * `out`. Stops early, at the start of a row, when `out` is full or the row has another number of
 * fields than `ncols` (then `out.ragged` is its count); `out.stop` says where. Blank lines are
 * skipped and counted. The same results as the record path in csv.ts (a property test holds them
 * together). Long on purpose: the everyday decimal is read inline, in the loop over fields (as a
 * function of its own, called a field, the parse took ~10% more time).
 */
export function parseLines(buf: Uint8Array, from: number, to: number, ncols: number, spec: LineSpec, out: Lines): void {
  const { delim, number, slot, part, width } = spec;
  const { numbers, matrix, capacity, cells, line: lineOf, place, end } = out;
  // a fraction's digits are read four bytes at a time where four more are in the buffer
  const words = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lastWord = buf.length - 4;
  const room = cells.length - 4 * spec.wanted;
  let i = from;
  let rows = 0;
  let line = 0;
  let data = 0;
  let at = 0;
  let header = spec.header === true;
  out.ragged = -1;
  out.header = false;
  while (i < to) {
    const c0 = buf[i];
    if (c0 === LF || (c0 === CR && buf[i + 1] === LF)) {
      i += c0 === LF ? 1 : 2;
      line++;
      continue;
    }
    if (header) {
      while (buf[i] !== LF) i++;
      i++;
      line++;
      header = false;
      out.header = true;
      continue;
    }
    if (rows === capacity || at > room) break;
    if (part) {
      let e = i;
      while (buf[e] !== LF) e++;
      if (!inPart(part, buf, i, e)) {
        // another shard's row: counted, not parsed
        data++;
        line++;
        i = e + 1;
        continue;
      }
    }
    const start = i;
    const cellsBefore = at;
    // the matrix's place p of this row is matrix[row - 2 - b], where b = -2 - p
    const row = rows * width - 2;
    let count = 0;
    for (;;) {
      let j = -1;
      if (count < ncols) {
        const b = number[count]!;
        if (b !== -1) {
          // the everyday form, -?digits[.digits] with at most 15 digits, then the delimiter or a line
          // feed: read here (exact, as scanNumber); anything else is left to scanNumber
          let k = i;
          let c = buf[k]!;
          const negative = c === 45;
          if (negative) c = buf[++k]!;
          const digitsFrom = k;
          // a digit is d = c − 48 with 0 ≤ d ≤ 9: one unsigned comparison (two took ~10% more of the
          // parse); a byte past the buffer reads as 0 (`| 0`), which ends the digits
          let mantissa = 0;
          let d = c - 48;
          while (d >>> 0 <= 9) {
            mantissa = mantissa * 10 + d;
            d = (buf[++k]! | 0) - 48;
          }
          c = d + 48;
          let digits = k - digitsFrom;
          let fraction = 0;
          if (c === 46) {
            const fractionFrom = ++k;
            // the fraction's digits four at a time while four are digits, then one at a time (the
            // benchmark's 1M rows of 4 decimals a value: 3–6% less time; as a function of its own,
            // not inlined, half that). Four bytes read as one little-endian word are all digits
            // when each byte's high half is 3 and stays 3 once 6 is added (0x30–0x39; no byte can
            // carry into the next, every high half being 3 first); then the digits are joined in
            // pairs, and the pairs, by multiplying within the word.
            while (k <= lastWord) {
              const word = words.getUint32(k, true);
              if ((word & 0xf0f0f0f0) !== 0x30303030 || ((word + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) break;
              const pairs = ((word & 0x0f0f0f0f) * 10 + ((word & 0x0f0f0f0f) >>> 8)) & 0x00ff00ff;
              mantissa = mantissa * 10000 + (pairs & 0xff) * 100 + (pairs >>> 16);
              k += 4;
            }
            d = (buf[k]! | 0) - 48;
            while (d >>> 0 <= 9) {
              mantissa = mantissa * 10 + d;
              d = (buf[++k]! | 0) - 48;
            }
            c = d + 48;
            fraction = k - fractionFrom;
            digits += fraction;
          }
          if (digits !== 0 && digits <= 15 && (c === delim || c === LF || (c === CR && buf[k + 1] === LF))) {
            const v = mantissa / POW10[fraction]!;
            if (b >= 0) numbers[b * capacity + rows] = negative ? -v : v;
            else matrix[row - b] = negative ? -v : v;
            // on to the next field, or past the line's end
            count++;
            if (c === delim) {
              i = k + 1;
              continue;
            }
            i = c === CR ? k + 2 : k + 1;
            break;
          } else {
            const stop = scanNumber(buf, i, to, delim);
            if (stop >= 0) {
              if (b >= 0) numbers[b * capacity + rows] = scannedBox[0]!;
              else matrix[row - b] = scannedBox[0]!;
              j = buf[stop] === CR ? stop + 1 : stop;
            }
          }
        }
      }
      if (j < 0) {
        const k = count < ncols ? slot[count]! : -1;
        j = i;
        for (let c = buf[j]; c !== delim && c !== LF; c = buf[++j]);
        if (k >= 0) {
          cells[at++] = rows;
          cells[at++] = k;
          cells[at++] = i;
          cells[at++] = buf[j] === LF && j > i && buf[j - 1] === CR ? j - 1 : j;
        }
      }
      count++;
      i = j + 1;
      if (buf[j] !== delim) break;
    }
    if (count !== ncols) {
      out.ragged = count;
      i = start;
      at = cellsBefore;
      break;
    }
    lineOf[rows] = line++;
    place[rows] = data++;
    end[rows++] = i;
  }
  out.rows = rows;
  out.cellInts = at;
  out.stop = i;
  out.lines = line;
  out.dataRows = data;
}

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * The value found by the last scanNumber that returned a position. A typed-array cell rather than
 * a variable: storing a double in a module variable allocates a heap number each time.
 */
export const scannedBox = new Float64Array(1);

/**
 * Scans a plain decimal ("-12.5", "3", ".5", "1e-3", spaces around it allowed) from `s`, stopping
 * at a delimiter, a line end or `limit`. Returns the position it stopped at, with the value in
 * `scanned`, exactly as Number() would give it: with at most 15 significant digits and a decimal
 * exponent within ±22, one multiplication or division of exact doubles rounds correctly (Clinger's
 * fast path). Returns -1 for anything else (left to the string path).
 */
export function scanNumber(buf: Uint8Array, s: number, limit: number, delim: number): number {
  let i = s;
  // spaces around the number; a TAB too, unless it is the delimiter (TSV): it would swallow an empty field
  const tab = delim === 9 ? -1 : 9;
  while (i < limit && (buf[i] === 32 || buf[i] === tab)) i++;
  let negative = false;
  if (buf[i] === 45) {
    negative = true;
    i++;
  } else if (buf[i] === 43) i++;
  let mantissa = 0;
  let significant = 0;
  let exponent = 0;
  let digits = 0;
  let c = 0;
  for (; i < limit; i++) {
    c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    digits++;
    if (mantissa === 0 && c === 0) continue;
    if (++significant > 15) return -1;
    mantissa = mantissa * 10 + c;
  }
  if (i < limit && buf[i] === 46) {
    for (i++; i < limit; i++) {
      c = buf[i]! - 48;
      if (c < 0 || c > 9) break;
      digits++;
      exponent--;
      if (mantissa === 0 && c === 0) continue;
      if (++significant > 15) return -1;
      mantissa = mantissa * 10 + c;
    }
  }
  if (digits === 0) return -1;
  if (i < limit && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    let expNegative = false;
    if (buf[i] === 45) {
      expNegative = true;
      i++;
    } else if (buf[i] === 43) i++;
    let value = 0;
    let expDigits = 0;
    for (; i < limit; i++) {
      c = buf[i]! - 48;
      if (c < 0 || c > 9) break;
      if (++expDigits > 4) return -1;
      value = value * 10 + c;
    }
    if (expDigits === 0) return -1;
    exponent += expNegative ? -value : value;
  }
  while (i < limit && (buf[i] === 32 || buf[i] === tab)) i++;
  if (i < limit) {
    const t = buf[i];
    if (t !== delim && t !== LF && !(t === CR && (i + 1 >= limit || buf[i + 1] === LF))) return -1;
  }
  if (mantissa === 0) scannedBox[0] = negative ? -0 : 0;
  else if (exponent < -22 || exponent > 22) return -1;
  else {
    const v = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!;
    scannedBox[0] = negative ? -v : v;
  }
  return i;
}

/** A whole field [s, e) as a plain decimal, or undefined (see scanNumber). */
export function fastNumber(buf: Uint8Array, s: number, e: number): number | undefined {
  return scanNumber(buf, s, e, -1) === e ? scannedBox[0] : undefined;
}
