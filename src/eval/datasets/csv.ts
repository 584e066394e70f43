import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../../errors.js';
import type { Cell, DatasetSource, RawBatch } from './types.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;
/** A record longer than this is refused rather than buffered (a 200 MB line is not a table row). */
export const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * RFC 4180 CSV (or TSV with a tab delimiter), streamed: quoted fields with doubled quotes and
 * embedded newlines, CRLF or LF, a UTF-8 byte-order mark, a required header row. Strict: a row
 * with another number of fields than the header, a stray quote or an unclosed quote is an error
 * naming the line. Blank lines are skipped.
 */
export async function openCsv(file: string, display: string, delimiter: ',' | '\t'): Promise<DatasetSource> {
  let header: string[] | undefined;
  for await (const rec of records(file, display, delimiter.charCodeAt(0), undefined)) {
    header = rec.fields;
    break;
  }
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

  return {
    path: display,
    columns,
    evidence: () => evidence,
    async *batches(want, batchSize) {
      const hash = createHash('sha256');
      const slot = new Int32Array(columns.length).fill(-1);
      want.forEach((c, k) => (slot[c] = k));
      let cells: Cell[][] = want.map(() => []);
      let lines: number[] = [];
      let rows = 0;
      let first = true;
      const flush = (): RawBatch => {
        const batchLines = lines;
        const b: RawBatch = { n: batchLines.length, cells, unit: 'line', refs: batchLines };
        cells = want.map(() => []);
        lines = [];
        return b;
      };
      for await (const rec of records(file, display, delimiter.charCodeAt(0), hash)) {
        if (first) {
          first = false;
          continue;
        }
        if (rec.fields.length !== columns.length) {
          throw new InputError(display, `line ${rec.line}: ${rec.fields.length} field${rec.fields.length === 1 ? '' : 's'}, but the header has ${columns.length}`, undefined, delimiter === ',' ? 'a decimal comma or an unquoted comma splits a field' : undefined);
        }
        for (let j = 0; j < rec.fields.length; j++) {
          const k = slot[j]!;
          if (k >= 0) cells[k]!.push(rec.fields[j]!);
        }
        lines.push(rec.line);
        rows++;
        if (lines.length >= batchSize) yield flush();
      }
      if (rows === 0) throw new InputError(display, 'has a header but no rows');
      if (lines.length) yield flush();
      evidence = { sha256: hash.digest('hex'), bytes: statSync(file).size, rows };
    },
  };
}

interface CsvRecord {
  fields: string[];
  line: number;
}

async function* records(file: string, display: string, delim: number, hash: ReturnType<typeof createHash> | undefined): AsyncGenerator<CsvRecord> {
  const decoder = new StringDecoder('utf8');
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let afterQuote = false;
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let recordChars = 0;
  let bom = true;
  const out: CsvRecord[] = [];
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !quoted)) out.push({ fields, line: recordLine });
    fields = [];
    field = '';
    quoted = false;
    afterQuote = false;
    recordChars = 0;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash?.update(chunk);
    let text = decoder.write(chunk);
    if (bom) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length) bom = false;
    }
    let start = 0;
    const len = text.length;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === QUOTE) {
          field += text.slice(start, i);
          start = i + 1;
          inQuotes = false;
          afterQuote = true;
        } else if (c === LF) line++;
        continue;
      }
      if (afterQuote) {
        if (c === QUOTE) {
          // a doubled quote inside a quoted field
          field += '"';
          start = i + 1;
          inQuotes = true;
          afterQuote = false;
          continue;
        }
        if (c !== delim && c !== LF && c !== CR) {
          throw new InputError(display, `line ${line}: unexpected character after a closing quote`, undefined, 'a quote inside a quoted field is written ""');
        }
        afterQuote = false;
      }
      if (c === delim) {
        field += text.slice(start, i);
        fields.push(field);
        field = '';
        quoted = false;
        start = i + 1;
      } else if (c === LF) {
        let end = i;
        if (end > start && text.charCodeAt(end - 1) === CR) end--;
        field += text.slice(start, end);
        endRecord();
        line++;
        recordLine = line;
        start = i + 1;
      } else if (c === QUOTE) {
        if (field.length > 0 || i > start) throw new InputError(display, `line ${line}: a quote in the middle of an unquoted field`, undefined, 'quote the whole field');
        inQuotes = true;
        quoted = true;
        start = i + 1;
      }
    }
    if (start < len) field += text.slice(start);
    recordChars += len - start;
    if (recordChars > MAX_RECORD_CHARS) throw new InputError(display, `line ${recordLine}: a record longer than ${MAX_RECORD_CHARS / 1024 / 1024} MiB`, undefined, 'is this really a table?');
    if (out.length) {
      yield* out;
      out.length = 0;
    }
  }
  field += decoder.end();
  if (inQuotes) throw new InputError(display, `line ${recordLine}: a quoted field is never closed`);
  if (field.endsWith('\r')) field = field.slice(0, -1);
  if (field.length || fields.length || quoted) endRecord();
  yield* out;
}
