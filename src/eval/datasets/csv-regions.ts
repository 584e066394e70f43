import { newLines, parseLines, READ_BUFFER, warmParse, type LineSpec, type Lines } from './csv-lines.js';
import type { ParseThread } from './csv-thread.js';

/** A region of lines taken, in file order, waiting to be placed. */
interface Region {
  /** the region's bytes: a copy of them (from 0), unless it was parsed and placed at once */
  buf: Buffer;
  from: number;
  to: number;
  /** the file offset of buf[0] */
  base: number;
  lines: Lines;
  /** settles once parsed on the thread (undefined: parsed here); never rejects */
  parsing?: Promise<void>;
  parsed: boolean;
  /** why the thread could not parse it (thrown when the region is placed) */
  failed?: Error;
  /** buf is the region's own (a copy, or a reader's buffer given up to it): read into again once the region is placed */
  pooled: boolean;
}

/** regions handed to the thread at most before the reader parses one itself */
const THREAD_QUEUE = 2;
/**
 * regions waiting to be placed at most (a chunk's bytes and its arrays each, ~2 MB): beyond, the
 * reader waits. Room for the reader to parse regions of its own while the thread's oldest is out:
 * at 3 (one beyond the thread's two), the reader waited for the thread ~30% of a 1M-row run's read
 * (its core then idle but for the model host), and parsed a third of the rows; at 6, 0.95 of the
 * run's time (the median of fifteen alternated pairs, eleven under 1), the same peak of the tree.
 */
const MAX_QUEUE = 6;
/** buffers kept for reading chunks into: the regions waiting, the chunk read ahead, the one being taken and one more */
const SPARE_BUFFERS = MAX_QUEUE + 3;

/**
 * The fast path of the CSV reader (csv.ts) for the complete, quote-free lines of each chunk: each
 * region is parsed into typed arrays (parseLines) and then `place`d into the batches, in file
 * order. With a parsing thread, the reader hands a region to it while fewer than THREAD_QUEUE are
 * out and parses the next itself otherwise, so that both cores parse one file and neither waits
 * (and parses every region itself until the thread has loaded: none waits for its start);
 * the regions are placed in order as they are done. A region that is not placed at once (every
 * region while one is out) keeps the buffer its chunk was read into, which the reader gives up to
 * it (`own`: the reader reads into buffers of `chunkBuffer`, and a region gives its buffer back when
 * placed), and that buffer is what goes to the thread; where the reader cannot give its buffer up
 * (lines joined across chunks in a buffer of its own), the region keeps a copy of its bytes. (A
 * copy of every such region took ~65 ms of the reader's thread in a 1M-row file, 224 MB.)
 */
export class Regions {
  private readonly queue: Region[] = [];
  private readonly spareLines: Lines[] = [];
  private readonly spareBytes: Buffer[] = [];
  /** the line number after the regions placed */
  private line = 1;
  /** bytes and rows so far, and cells not given as numbers (sizes the arrays of a region) */
  private bytes = 0;
  private rows = 0;
  private cells = 0;

  constructor(
    private readonly ncols: number,
    private readonly spec: LineSpec,
    /** the number columns, for the arrays' size */
    private readonly blocks: number,
    /** puts a region's rows into the batches; `line` is the line number of its first line, `base` the file offset of buf[0] */
    private readonly place: (lines: Lines, buf: Buffer, base: number, line: number) => void,
    /** whether the file's header is still to come */
    private readonly header: () => boolean,
    private readonly thread: ParseThread | undefined,
    /**
     * a region smaller than this is parsed by the reader, never sent: a file with a quoted field
     * here and there has many small regions (the lines between two quotes), and every quote waits
     * for the regions out
     */
    private readonly threadRegion: number,
  ) {
    warmParse(ncols, spec, (text) => Buffer.from(text));
  }

  /** A buffer to read a chunk into (READ_BUFFER bytes, its own memory): one a region is done with, or a new one. */
  chunkBuffer(): Buffer {
    return this.spareBytes.pop() ?? Buffer.from(new ArrayBuffer(READ_BUFFER));
  }

  /** A buffer (or a view of one) of chunkBuffer's or of a region's copy that is done with: kept whole for the next. */
  release(buf: Buffer): void {
    const whole = buf.buffer as ArrayBuffer;
    if (whole.byteLength >= READ_BUFFER && this.spareBytes.length < SPARE_BUFFERS) this.spareBytes.push(Buffer.from(whole, 0, whole.byteLength));
  }

  /**
   * Takes the complete lines [from, to) of `buf` (`base` the file offset of buf[0]), which follow
   * the regions taken before (or the line `at` gave). With `own` (`buf` a chunkBuffer the reader
   * gives up), a region that is not placed at once keeps `buf` itself, and true is returned: the
   * reader must not touch it again (it may be on the parsing thread). Otherwise `buf` may be read
   * into again once this returns (a region that waits keeps a copy of its lines).
   */
  async take(buf: Buffer, from: number, to: number, base: number, own = false): Promise<boolean> {
    while (this.queue.length >= MAX_QUEUE) {
      await this.queue[0]!.parsing;
      this.placeParsed();
    }
    // the header is skipped here, and its region placed before the next is taken
    const header = this.header();
    const thread = this.thread?.ready() && to - from >= this.threadRegion && this.thread.out() < THREAD_QUEUE ? this.thread : undefined;
    if (this.queue.length === 0 && (header || !thread)) {
      const lines = this.lines(to - from);
      parseLines(buf, from, to, this.ncols, header ? { ...this.spec, header } : this.spec, lines);
      this.queue.push({ buf, from, to, base, lines, parsed: true, pooled: false });
      this.placeParsed();
      return false;
    }
    const length = to - from;
    let region: Region;
    if (own) region = { buf, from, to, base, lines: this.lines(length), parsed: false, pooled: true };
    else {
      const bytes = this.spareBytes.pop() ?? Buffer.from(new ArrayBuffer(Math.max(READ_BUFFER, length)));
      const copy = bytes.length >= length ? bytes : Buffer.from(new ArrayBuffer(length));
      buf.copy(copy, 0, from, to);
      region = { buf: copy, from: 0, to: length, base: base + from, lines: this.lines(length), parsed: false, pooled: true };
    }
    const lines = region.lines;
    if (thread) {
      region.parsing = thread.parse(region.buf, region.from, region.to, this.ncols, this.spec, lines).then(
        (back) => {
          region.buf = Buffer.from(back.bytes.buffer, back.bytes.byteOffset, back.bytes.length);
          region.lines = back.lines;
          region.parsed = true;
        },
        // kept for when the region's turn comes: a rejection no one awaits yet would end the process
        (e: Error) => {
          region.failed = new Error(`the CSV parsing thread failed: ${e.message}`);
          region.parsed = true;
        },
      );
    } else {
      parseLines(region.buf, region.from, region.to, this.ncols, this.spec, lines);
      region.parsed = true;
    }
    this.queue.push(region);
    this.placeParsed();
    return own;
  }

  /**
   * After the reader's record path read lines itself (after `settle`): `line` is the line number
   * the next region begins with.
   */
  at(line: number): void {
    if (this.queue.length) throw new Error('the regions taken are not all placed');
    this.line = line;
  }

  /** The line number after the regions taken, when every one is placed (else undefined: `settle`). */
  placed(): number | undefined {
    return this.queue.length === 0 ? this.line : undefined;
  }

  /** Places every region taken; returns the line number after them. */
  async settle(): Promise<number> {
    while (this.queue.length) {
      await this.queue[0]!.parsing;
      this.placeParsed();
    }
    return this.line;
  }

  close(): void {
    this.thread?.release();
  }

  /** Arrays for a region of `bytes` bytes: as many rows as it should hold, and a little more. */
  private lines(bytes: number): Lines {
    // rounded up, so that the arrays of one region fit the next
    const rows = this.rows ? Math.ceil(((bytes / this.bytes) * this.rows * 1.25 + 64) / 1024) * 1024 : 1024;
    const cells = this.rows ? this.cells / this.rows + 0.25 : this.spec.wanted;
    const i = this.spareLines.findIndex((l) => l.capacity >= rows && l.cells.length >= 4 * rows * cells);
    if (i >= 0) return this.spareLines.splice(i, 1)[0]!;
    if (this.spareLines.length > MAX_QUEUE) this.spareLines.shift();
    return newLines(rows, this.blocks, cells, this.spec.width);
  }

  private placeParsed(): void {
    while (this.queue[0]?.parsed) {
      const region = this.queue.shift()!;
      if (region.failed) throw region.failed;
      let lines = region.lines;
      let from = region.from;
      for (;;) {
        this.place(lines, region.buf, region.base, this.line);
        this.line += lines.lines;
        this.rows += lines.rows;
        this.cells += lines.cellInts / 4;
        this.bytes += lines.stop - from;
        this.spareLines.push(lines);
        if (lines.ragged >= 0 || lines.stop >= region.to) break;
        // the arrays were full: the rest of the region is parsed here
        from = lines.stop;
        lines = this.lines(region.to - from);
        parseLines(region.buf, from, region.to, this.ncols, this.spec, lines);
      }
      if (region.pooled) this.release(region.buf);
    }
  }
}

