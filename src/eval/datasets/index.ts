import { extname } from 'node:path';
import { InputError } from '../../input/errors.js';
import { didYouMean } from '../../input/suggest.js';
import { openCsv } from './csv.js';
import { openJsonl } from './jsonl.js';
import type { DatasetSource } from './types.js';

export const DATASET_FORMATS = ['.csv', '.tsv', '.jsonl', '.ndjson', '.parquet'] as const;

/** Chooses the reader by extension. */
export async function openDataset(file: string, display: string): Promise<DatasetSource> {
  const ext = extname(file).toLowerCase();
  switch (ext) {
    case '.csv':
      return openCsv(file, display, ',');
    case '.tsv':
      return openCsv(file, display, '\t');
    case '.jsonl':
    case '.ndjson':
      return openJsonl(file, display);
    case '.parquet':
      // loaded on demand: hyparquet and its codecs cost 40 ms of start-up to every other run
      return (await import('./parquet.js')).openParquet(file, display);
    default:
      throw new InputError(display, `unknown dataset format "${ext}"`, undefined, `expected one of ${DATASET_FORMATS.join(', ')}`);
  }
}

export { cellAt, isNumberColumn, whereOf, type Cell, type Column, type ColumnRequest, type DatasetSource, type NumberColumn, type RawBatch } from './types.js';

/** The index of a column, or an error that names the file, the column, why it is needed, and the closest one. */
export function columnIndex(source: Pick<DatasetSource, 'path' | 'columns'>, name: string, why: string): number {
  const j = source.columns.indexOf(name);
  if (j >= 0) return j;
  // the first and the last columns (a label is often the last one), all of them when they are few
  const c = source.columns;
  const shown = c.length > 16 ? `${c.slice(0, 10).join(', ')}, … (${c.length - 13} more), ${c.slice(-3).join(', ')}` : c.join(', ');
  throw new InputError(source.path, `has no column "${name}" (${why})`, undefined, didYouMean(name, source.columns) ?? `columns: ${shown}`);
}
