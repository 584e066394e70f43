import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../../errors.js';
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
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  let evidence: { sha256: string; bytes: number; rows: number } | undefined;
  return {
    path: display,
    columns,
    evidence: () => evidence,
    async *batches(want, batchSize) {
      const names = want.map((c) => columns[c]!);
      let rowStart = 0;
      for (const group of metadata.row_groups) {
        const groupRows = Number(group.num_rows);
        for (let from = rowStart; from < rowStart + groupRows; from += batchSize) {
          const to = Math.min(from + batchSize, rowStart + groupRows);
          let rows: Cell[][] = [];
          try {
            await parquetRead({ file: buffer, metadata, columns: names, rowStart: from, rowEnd: to, compressors, onComplete: (r) => (rows = r as Cell[][]) });
          } catch (err) {
            throw new InputError(display, `rows ${from + 1}-${to}: cannot be read: ${(err as Error).message}`);
          }
          const first = from;
          yield { n: rows.length, cells: names.map((_, k) => rows.map((r) => r[k])), unit: 'row', refs: Array.from({ length: rows.length }, (_, i) => first + i + 1) };
        }
        rowStart += groupRows;
      }
      if (rowStart === 0) throw new InputError(display, 'has no rows');
      evidence = { ...(await digest(file)), rows: rowStart };
    },
  };
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
