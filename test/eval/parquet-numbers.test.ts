import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadata, parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { numbersOfGroup } from '../../src/eval/datasets/parquet-numbers.js';
import { FIXTURES } from '../helpers.js';

/** hyparquet's own reading of one row group's column (its general path, the reference). */
async function reference(file: AsyncBuffer, metadata: FileMetaData, g: number, name: string): Promise<unknown[]> {
  const start = metadata.row_groups.slice(0, g).reduce((s, r) => s + Number(r.num_rows), 0);
  const out: unknown[] = [];
  await parquetRead({ file, metadata, columns: [name], rowStart: start, rowEnd: start + Number(metadata.row_groups[g]!.num_rows), compressors, onChunk: (c) => {
      const values = c.columnData as ArrayLike<unknown>;
      for (let i = 0; i < values.length; i++) out.push(values[i]);
    },
  });
  return out;
}

/** Every row group and numeric column: the page decoder's values are hyparquet's, as numbers, bit for bit (NaN included). */
async function expectSameAsHyparquet(file: AsyncBuffer, metadata: FileMetaData, names: string[], groups = metadata.row_groups.length): Promise<number> {
  let decoded = 0;
  for (let g = 0; g < groups; g++) {
    for (const name of names) {
      const fast = await numbersOfGroup(file, metadata, g, name);
      expect(fast, `${name}, row group ${g}`).toBeDefined();
      const want = (await reference(file, metadata, g, name)).map(Number);
      expect(fast!.length).toBe(want.length);
      const diff = want.findIndex((v, i) => !Object.is(v, fast![i]));
      expect(diff, `${name}, row group ${g}, row ${diff}`).toBe(-1);
      decoded++;
    }
  }
  return decoded;
}

const inMemory = (bytes: ArrayBuffer): AsyncBuffer => ({ byteLength: bytes.byteLength, slice: (s, e) => bytes.slice(s, e) });

describe('Parquet numbers decoded page by page (parquet-numbers.ts)', () => {
  it('a file written by Polars (vega-datasets flights, ZSTD, dictionary pages, DATA_PAGE v1): the first two row groups', async () => {
    const file = await asyncBufferFromFile(join(FIXTURES, '..', 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet'));
    const metadata = await parquetMetadataAsync(file);
    expect(metadata.created_by).toMatch(/Polars/);
    expect(await expectSameAsHyparquet(file, metadata, ['delay', 'distance'], 2)).toBe(4);
    // its date column is a timestamp: not plain numbers
    expect(metadata.schema.find((e) => e.name === 'date')!.logical_type?.type).toBe('TIMESTAMP');
    expect(await numbersOfGroup(file, metadata, 0, 'date')).toBeUndefined();
  });

  it("the repository's hold-out written by hyparquet-writer (DATA_PAGE v2)", async () => {
    const file = await asyncBufferFromFile(join(FIXTURES, 'breast-cancer', 'holdout.parquet'));
    const metadata = await parquetMetadataAsync(file);
    const numeric = metadata.schema.slice(1).filter((e) => ['INT32', 'INT64', 'FLOAT', 'DOUBLE'].includes(e.type!) && !e.converted_type && !e.logical_type);
    expect(numeric.length).toBeGreaterThan(10);
    await expectSameAsHyparquet(file, metadata, numeric.map((e) => e.name));
  });

  it('INT32, INT64, FLOAT and DOUBLE (with NaN, ±0, ±Infinity), plain and dictionary pages, several row groups and pages', async () => {
    const n = 5000;
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'i32', data: Int32Array.from({ length: n }, (_, i) => (i * 7919) % 1000 - 500), type: 'INT32' },
        { name: 'i64', data: Array.from({ length: n }, (_, i) => BigInt(i % 3 ? i * 1_000_003 : -9007199254740991)), type: 'INT64' },
        { name: 'f32', data: Float32Array.from({ length: n }, (_, i) => Math.fround(i / 7)), type: 'FLOAT' },
        { name: 'f64', data: Float64Array.from({ length: n }, (_, i) => [NaN, -0, Infinity, -Infinity][i % 50] ?? i / 3), type: 'DOUBLE' },
        { name: 'few', data: Float64Array.from({ length: n }, (_, i) => (i % 4) / 4), type: 'DOUBLE' },
      ],
      rowGroupSize: 1500,
      pageSize: 4096,
    });
    const metadata = parquetMetadata(bytes);
    expect(metadata.row_groups.length).toBe(4);
    const encodings = new Set(metadata.row_groups.flatMap((g) => g.columns.flatMap((c) => c.meta_data!.encodings)));
    expect(encodings).toContain('RLE_DICTIONARY');
    expect(encodings).toContain('PLAIN');
    expect(await expectSameAsHyparquet(inMemory(bytes), metadata, ['i32', 'i64', 'f32', 'f64', 'few'])).toBe(20);
  });

  it('leaves to the general path what it cannot give exactly as numbers: nulls, integers beyond 2^53, timestamps, half floats, booleans, text', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'holes', data: [1n, null, 3n], type: 'INT64' },
        { name: 'large', data: [1n, 9007199254740993n, 3n], type: 'INT64' },
        { name: 'when', data: [new Date(0), new Date(86_400_000), new Date(0)], type: 'TIMESTAMP' },
        { name: 'half', data: [1.25, 2.5, 3.75], type: 'FLOAT16' },
        { name: 'flag', data: [true, false, true], type: 'BOOLEAN' },
        { name: 'text', data: ['a', 'b', 'c'], type: 'STRING' },
        { name: 'plain', data: Float64Array.of(1, 2, 3), type: 'DOUBLE' },
      ],
    });
    const file = inMemory(bytes);
    const metadata = parquetMetadata(bytes);
    for (const name of ['holes', 'large', 'when', 'half', 'flag', 'text']) expect(await numbersOfGroup(file, metadata, 0, name), name).toBeUndefined();
    // a chunk whose statistics declare nulls is not even read (the general path will read it once)
    expect(metadata.row_groups[0]!.columns[0]!.meta_data!.statistics?.null_count).toBe(1n);
    let reads = 0;
    await numbersOfGroup({ byteLength: file.byteLength, slice: (s, e) => (reads++, file.slice(s, e)) }, metadata, 0, 'holes');
    expect(reads).toBe(0);
    expect(Array.from((await numbersOfGroup(file, metadata, 0, 'plain'))!)).toEqual([1, 2, 3]);
  });

  it('a damaged column chunk is left to the general path (which names the problem)', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.parquet')));
    const metadata = parquetMetadata(bytes.buffer);
    const meta = metadata.row_groups[0]!.columns[0]!.meta_data!;
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const broken = bytes.slice();
    broken.fill(0xff, start, start + 16);
    const name = meta.path_in_schema[0]!;
    await expect(numbersOfGroup(inMemory(broken.buffer), metadata, 0, name).catch(() => 'threw')).resolves.not.toBeInstanceOf(Float64Array);
  });
});
