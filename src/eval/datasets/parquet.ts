import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../../input/errors.js';
import { exactNumber, numbersOfGroup } from './parquet-numbers.js';
import type { Cell, DatasetSource } from './types.js';

/**
 * Parquet through hyparquet, with hyparquet-compressors for ZSTD, GZIP, Brotli and LZ4. Read one
 * row group at a time, only the columns asked for, so memory follows the row group, not the file.
 */
export async function openParquet(file: string, display: string): Promise<DatasetSource> {
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    throw new InputError(display, `is not a readable Parquet file: ${(err as Error).message}`);
  }
  const schema = parquetSchema(metadata);
  const columns = schema.children.map((c) => c.element.name);
  checkLayout(metadata, schema, display);
  let evidence: { sha256: string; bytes: number; rows: number } | undefined;
  const total = Number(metadata.num_rows);
  let done = 0;
  return {
    path: display,
    columns,
    evidence: () => evidence,
    progress: () => (total ? done / total : 1),
    rowGroups: metadata.row_groups.length,
    rows: metadata.row_groups.reduce((s, g) => s + Number(g.num_rows), 0),
    async *batches(want, batchSize, options) {
      const part = options?.part;
      const names = want.map((w) => columns[w.index]!);
      let rowStart = 0;
      for (const [g, group] of metadata.row_groups.entries()) {
        const groupRows = Number(group.num_rows);
        const groupEnd = rowStart + groupRows;
        // another shard's row group: counted (the evidence is the whole file's), not read
        if (part && g % part.count !== part.index) {
          rowStart = done = groupEnd;
          continue;
        }
        const { data, nans } = await decodeGroup(buffer, metadata, g, names, rowStart, groupEnd, display);
        for (let from = 0; from < groupRows; from += batchSize) {
          const n = Math.min(batchSize, groupRows - from);
          const first = rowStart + from;
          done = first + n;
          const refs = new Int32Array(n);
          for (let i = 0; i < n; i++) refs[i] = first + i + 1;
          yield {
            n,
            cells: data.map((col, k) =>
              col instanceof Float64Array ? { numbers: col.subarray(from, from + n), other: new Map(nans[k]!.filter((r) => r >= from && r < from + n).map((r) => [r - from, 'NaN'] as const)) } : col!.slice(from, from + n),
            ),
            unit: 'row',
            refs,
          };
        }
        rowStart = groupEnd;
      }
      if (rowStart === 0 && !options?.empty) throw new InputError(display, 'has no rows');
      evidence = { ...(await digest(file)), rows: rowStart };
    },
  };
}

/**
 * One decode per row group, column by column. A column of plain numbers is decoded page by page
 * into a Float64Array (parquet-numbers.ts); the others go through hyparquet's reader, whose chunks
 * arrive as typed or plain arrays, and a column whose chunks are all numbers stays in a Float64Array
 * too (no value per row on the heap). NaN in a numeric column is a missing value, as it is anywhere
 * else, kept aside (`nans`) as text.
 */
async function decodeGroup(buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>, metadata: FileMetaData, g: number, names: string[], rowStart: number, groupEnd: number, display: string) {
  const groupRows = groupEnd - rowStart;
  const data: (Cell[] | Float64Array | undefined)[] = names.map(() => undefined);
  const filled = names.map(() => 0);
  const nans = names.map(() => [] as number[]);
  const rest: string[] = [];
  for (const [k, name] of names.entries()) {
    // a page it cannot read, however malformed, is left to hyparquet's reader, which says what is wrong
    const numbers = await numbersOfGroup(buffer, metadata, g, name).catch(() => undefined);
    if (!numbers) {
      rest.push(name);
      continue;
    }
    data[k] = numbers;
    filled[k] = groupRows;
    for (let r = 0; r < groupRows; r++) if (numbers[r] !== numbers[r]) nans[k]!.push(r);
  }
  if (rest.length) {
    try {
      await parquetRead({
        file: buffer,
        metadata,
        columns: rest,
        rowStart,
        rowEnd: groupEnd,
        compressors,
        onChunk: (chunk) => {
          const k = names.indexOf(chunk.columnName);
          if (k < 0) return;
          const values = chunk.columnData as ArrayLike<Cell>;
          const numeric = allNumbers(values);
          let target = data[k];
          if (target === undefined) target = data[k] = numeric ? new Float64Array(groupRows) : new Array<Cell>(groupRows);
          else if (target instanceof Float64Array && !numeric) target = data[k] = Array.from(target);
          const [from, to] = [Math.max(chunk.rowStart, rowStart), Math.min(chunk.rowEnd, groupEnd, chunk.rowStart + values.length)];
          if (target instanceof Float64Array) {
            for (let r = from; r < to; r++) {
              const v = (target[r - rowStart] = Number(values[r - chunk.rowStart]));
              if (v !== v) nans[k]!.push(r - rowStart);
            }
          }
          else for (let r = from; r < to; r++) target[r - rowStart] = values[r - chunk.rowStart];
          filled[k]! += Math.max(0, to - from);
        },
      });
    } catch (err) {
      throw new InputError(display, `rows ${rowStart + 1}-${groupEnd}: cannot be read: ${(err as Error).message}`);
    }
  }
  // a column whose pages hold fewer values than the row group declares would read as missing values
  const short = filled.findIndex((f) => f !== groupRows);
  if (short >= 0) throw new InputError(display, `rows ${rowStart + 1}-${groupEnd}: column "${names[short]}" holds ${filled[short]} values, but its row group declares ${groupRows} rows (a malformed file)`);
  return { data, nans };
}

/**
 * Whether a chunk holds only numbers a double represents exactly: a numeric typed array, or a plain
 * array of numbers and of 64-bit integers within ±2^53 (hyparquet gives INT64 columns as bigints,
 * one heap object per value; they are copied into a Float64Array at once). A null, a string or a
 * larger integer keeps the column as cells.
 */
function allNumbers(values: ArrayLike<unknown>): boolean {
  if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) return true;
  for (let i = 0; i < values.length; i++) if (!exactNumber(values[i])) return false;
  return true;
}

/** Row counts no reader could allocate, or that disagree with what the columns hold, are a malformed file. */
const MAX_ROWS_PER_GROUP = 2 ** 31 - 1;

/**
 * The footer's counts agree with each other before any row is read: every row group's num_rows is a
 * count this reader can hold, the groups add up to the file's num_rows, and each flat column chunk
 * holds exactly one value (or null) per row. Otherwise rows would be dropped or invented silently.
 */
function checkLayout(metadata: FileMetaData, schema: SchemaTree, display: string): void {
  const flat = new Set(schema.children.filter((c) => c.children.length === 0 && c.element.repetition_type !== 'REPEATED').map((c) => c.element.name));
  let sum = 0n;
  metadata.row_groups.forEach((group, g) => {
    const rows = group.num_rows;
    if (rows < 0n || rows > BigInt(MAX_ROWS_PER_GROUP)) throw new InputError(display, `row group ${g + 1} declares ${rows} rows (a malformed file: expected 0 to ${MAX_ROWS_PER_GROUP})`);
    sum += rows;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta || meta.path_in_schema.length !== 1 || !flat.has(meta.path_in_schema[0]!)) continue;
      if (meta.num_values !== rows) {
        throw new InputError(display, `row group ${g + 1}: column "${meta.path_in_schema[0]}" holds ${meta.num_values} values, but the row group declares ${rows} rows (a malformed file)`);
      }
    }
  });
  if (sum !== metadata.num_rows) throw new InputError(display, `its row groups hold ${sum} rows, but the file declares ${metadata.num_rows} (a malformed file)`);
}

async function digest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
