import type { AsyncBuffer, ColumnChunk, FileMetaData, ParquetType, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getSchemaPath } from 'hyparquet/src/schema.js';
import { compressors } from 'hyparquet-compressors';

const NUMERIC = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE']);
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A row group's column of plain numbers decoded page by page straight into a Float64Array, with
 * hyparquet's own page readers (header, decompression, levels, PLAIN and dictionary values) but
 * without its assembly into a JavaScript array of one value per row (for INT64, one BigInt object
 * per row: ~100 MB of heap for two columns of a 272,727-row group). Only for what it can read
 * exactly: a top-level INT32, INT64, FLOAT or DOUBLE column without a logical type, every value
 * present, every INT64 within ±2^53. Anything else (a null, a larger integer, a date, a decimal, an
 * encoding it does not know, a short column) returns undefined: the caller reads the row group
 * through hyparquet's general path, which gives the same values or the error.
 */
export async function numbersOfGroup(buffer: AsyncBuffer, metadata: FileMetaData, g: number, name: string): Promise<Float64Array | undefined> {
  const schemaPath = getSchemaPath(metadata.schema, [name]) as SchemaTree[];
  const element = schemaPath.at(-1)!.element;
  if (schemaPath.length !== 2 || schemaPath[1]!.children.length || element.repetition_type === 'REPEATED') return undefined;
  if (!element.type || !NUMERIC.has(element.type) || element.converted_type !== undefined || element.logical_type !== undefined) return undefined;
  const chunk = metadata.row_groups[g]!.columns.find((c: ColumnChunk) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name);
  const meta = chunk?.meta_data;
  // a chunk its writer says holds nulls: read once, by the general path, rather than decoded here up to the first null
  if (!meta || (meta.statistics?.null_count ?? 0n) > 0n) return undefined;
  const rows = Number(metadata.row_groups[g]!.num_rows);
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  const bytes = new Uint8Array(await buffer.slice(start, start + Number(meta.total_compressed_size)));
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const decoder = { pathInSchema: [name], type: element.type, element, schemaPath, codec: meta.codec, parsers: undefined as never, compressors };
  const out = new Float64Array(rows);
  let dictionary: Float64Array | undefined;
  let filled = 0;
  while (filled < rows && reader.offset < bytes.length) {
    const header = parquetHeader(reader);
    const compressed = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(compressed, header.uncompressed_page_size, meta.codec, compressors);
      const values = readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, element.type, header.dictionary_page_header!.num_values, element.type_length);
      dictionary = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) if (!exact(values[i], dictionary, i)) return undefined;
      continue;
    }
    let page: { dataPage: ArrayLike<unknown> } | undefined;
    let count: number;
    let encoding: string;
    if (header.type === 'DATA_PAGE') {
      const h = header.data_page_header!;
      page = pageV1(decompressPage(compressed, header.uncompressed_page_size, meta.codec, compressors), h.num_values, h.encoding, element.repetition_type !== 'REQUIRED', decoder);
      if (!page) return undefined;
      [count, encoding] = [h.num_values, h.encoding];
    } else if (header.type === 'DATA_PAGE_V2') {
      const h = header.data_page_header_v2!;
      page = readDataPageV2(compressed, header, decoder);
      [count, encoding] = [h.num_values, h.encoding];
    } else continue;
    const values = page.dataPage;
    // a null (fewer values than the page's rows), or more rows than the group declares
    if (values.length !== count || filled + count > rows) return undefined;
    if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
      if (!dictionary) return undefined;
      for (let i = 0; i < count; i++) {
        const v = dictionary[values[i] as number];
        if (v === undefined) return undefined;
        out[filled + i] = v;
      }
    } else if (encoding === 'PLAIN' || encoding === 'BYTE_STREAM_SPLIT' || encoding === 'DELTA_BINARY_PACKED') {
      for (let i = 0; i < count; i++) if (!exact(values[i], out, filled + i)) return undefined;
    } else return undefined;
    filled += count;
  }
  return filled === rows ? out : undefined;
}

/**
 * Levels and dictionary indices, reused page after page (a page is decoded without an await, so
 * two reads never share them): hyparquet's own page reader makes a JavaScript array of one number
 * per row for each, several MB of garbage per row group.
 */
let scratch: Int32Array = new Int32Array(0);
let indices: Int32Array = new Int32Array(0);
const room = (a: Int32Array, n: number): Int32Array => (a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2)));

/**
 * A DATA_PAGE (v1) of a flat column: the definition levels (when the column is optional; a null
 * gives undefined), then the values, PLAIN or dictionary indices. The layout is hyparquet's
 * readDataPage's for this case, with its RLE/bit-packed and PLAIN readers.
 */
function pageV1(page: Uint8Array, count: number, encoding: string, optional: boolean, decoder: { type: ParquetType; element: { type_length?: number } }): { dataPage: ArrayLike<unknown> } | undefined {
  const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
  if (optional) {
    scratch = room(scratch, count);
    const levels = scratch.subarray(0, count);
    readRleBitPackedHybrid(reader, 1, levels);
    for (let i = 0; i < count; i++) if (levels[i] !== 1) return undefined;
  }
  if (encoding === 'PLAIN') return { dataPage: readPlain(reader, decoder.type, count, decoder.element.type_length) };
  if (encoding !== 'PLAIN_DICTIONARY' && encoding !== 'RLE_DICTIONARY') return undefined;
  indices = room(indices, count);
  const dataPage = indices.subarray(0, count);
  const width = reader.view.getUint8(reader.offset++);
  if (width) readRleBitPackedHybrid(reader, width, dataPage, page.byteLength - reader.offset);
  else dataPage.fill(0);
  return { dataPage };
}

/** Whether a decoded value is a number a double holds exactly: a number, or a 64-bit integer within ±2^53. */
export function exactNumber(v: unknown): v is number | bigint {
  return typeof v === 'number' || (typeof v === 'bigint' && v <= MAX_EXACT && v >= -MAX_EXACT);
}

/** Writes v into out[i] when a double holds it exactly. */
function exact(v: unknown, out: Float64Array, i: number): boolean {
  if (!exactNumber(v)) return false;
  out[i] = Number(v);
  return true;
}
