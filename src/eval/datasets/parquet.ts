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
  const total = Number(metadata.num_rows);
  let done = 0;
  return {
    path: display,
    columns,
    evidence: () => evidence,
    progress: () => (total ? done / total : 1),
    async *batches(want, batchSize) {
      const names = want.map((w) => columns[w.index]!);
      let rowStart = 0;
      for (const group of metadata.row_groups) {
        const groupRows = Number(group.num_rows);
        const groupEnd = rowStart + groupRows;
        // One decode per row group, column by column: chunks arrive as typed or plain arrays.
        const data = names.map(() => new Array<Cell>(groupRows));
        try {
          await parquetRead({
            file: buffer,
            metadata,
            columns: names,
            rowStart,
            rowEnd: groupEnd,
            compressors,
            onChunk: (chunk) => {
              const k = names.indexOf(chunk.columnName);
              if (k < 0) return;
              const target = data[k]!;
              const values = chunk.columnData as ArrayLike<Cell>;
              for (let r = Math.max(chunk.rowStart, rowStart); r < Math.min(chunk.rowEnd, groupEnd); r++) target[r - rowStart] = values[r - chunk.rowStart];
            },
          });
        } catch (err) {
          throw new InputError(display, `rows ${rowStart + 1}-${groupEnd}: cannot be read: ${(err as Error).message}`);
        }
        for (let from = 0; from < groupRows; from += batchSize) {
          const n = Math.min(batchSize, groupRows - from);
          const first = rowStart + from;
          done = first + n;
          yield { n, cells: data.map((col) => col.slice(from, from + n)), unit: 'row', refs: Array.from({ length: n }, (_, i) => first + i + 1) };
        }
        rowStart = groupEnd;
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
