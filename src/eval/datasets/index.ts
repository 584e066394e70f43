import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { InputError } from '../../input/errors.js';
import { didYouMean } from '../../input/suggest.js';
import { openCsv } from './csv.js';
import { openJsonl } from './jsonl.js';
import { datasetFiles } from '../../spec/fields.js';
import { blank, concatenated, emptyPart } from './files.js';
import type { DatasetSource } from './types.js';

export const DATASET_FORMATS = ['.csv', '.tsv', '.jsonl', '.ndjson', '.parquet'] as const;

/**
 * A dataset's `path` from the checklist opened as one source: one file, or several (a glob or a
 * list, even of one file) read as one dataset (files.ts). `displayOf` shows a path as reports do.
 */
export async function openDatasetPath(dir: string, path: string | string[], displayOf: (path: string) => string): Promise<DatasetSource> {
  const files = datasetFiles(dir, path);
  const display = datasetDisplay(path, displayOf);
  if (!Array.isArray(path) && files.length === 1 && files[0] === path) return openDataset(resolve(dir, path), display);
  if (files.length === 0) throw new InputError(display, 'matches no file', undefined, "paths are relative to the checklist's folder");
  const opened = await Promise.all(
    files.map(async (f) => {
      const file = resolve(dir, f);
      const bytes = statSync(file).size;
      // a text file with nothing but white space among several: an empty partition, as Spark writes them
      const source = extname(f).toLowerCase() !== '.parquet' && blank(file, bytes) ? emptyPart(file, displayOf(f)) : await openDataset(file, displayOf(f));
      return { source, display: displayOf(f), bytes };
    }),
  );
  return concatenated(display, opened);
}

/** A dataset's path as reports show it: the file or the glob, or a list's files (the first and last of a long one). */
export function datasetDisplay(path: string | string[], displayOf: (path: string) => string): string {
  if (!Array.isArray(path)) return displayOf(path);
  const shown = path.map(displayOf);
  return shown.length <= 3 ? shown.join(', ') : `${shown[0]}, …, ${shown.at(-1)} (${shown.length} files)`;
}

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
  throw new InputError(source.path, `has no column "${name}" (${why})`, undefined, delimiterHint(source.columns) ?? didYouMean(name, source.columns) ?? `columns: ${columnList(source.columns)}`);
}

/**
 * When a text file's header reads as one column holding a semicolon, a tab or a bar, the file is
 * likely delimited by it (a spreadsheet's "CSV" in many locales): says so, since no column will match.
 */
export function delimiterHint(columns: readonly string[]): string | undefined {
  const found = columns.length === 1 ? /[;\t|]/.exec(columns[0]!)?.[0] : undefined;
  if (found === undefined) return undefined;
  if (found === '\t') return 'the header is one column holding tabs: a tab-separated file is read as such when it is named .tsv';
  return `the header is one column holding "${found}": a .csv file is read as comma-separated; write it with commas (or with tabs, named .tsv)`;
}

/** A file's columns for a message: the first and the last (a label is often the last one), all of them when they are few. */
export function columnList(c: readonly string[]): string {
  return c.length > 16 ? `${c.slice(0, 10).join(', ')}, … (${c.length - 13} more), ${c.slice(-3).join(', ')}` : c.join(', ');
}
