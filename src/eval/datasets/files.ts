import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../../input/errors.js';
import type { Part } from './part.js';
import type { DatasetSource, RawBatch } from './types.js';

/** One file of a dataset of several: its source, its path as reports show it, its size. */
export interface DatasetFile {
  source: DatasetSource;
  display: string;
  bytes: number;
}

/**
 * A dataset's evidence when it is several files: each file's, and their manifest's digest. In a
 * shard that reads whole files (a part by file), a file of another shard has no digest here (`''`),
 * nor has the manifest: the merge takes each file's from the shard that read it.
 */
export interface FilesEvidence {
  sha256: string;
  bytes: number;
  rows: number;
  files: { path: string; sha256: string; bytes: number; rows: number }[];
}

/** The manifest's digest: of one line `<sha256>  <path>` per file, as `sha256sum FILES` prints them. */
export function manifestDigest(files: { path: string; sha256: string }[]): string {
  return createHash('sha256')
    .update(files.map((f) => `${f.sha256}  ${f.path}\n`).join(''))
    .digest('hex');
}

/**
 * Whether a shard's part of these files is whole files: when every file's rows are known without
 * reading it (Parquet's footers) and there are at least as many files as shards. File k is then
 * shard k mod n's, and a shard opens no other file's data. Otherwise a part is taken from every file.
 */
export function partByFile(files: { source: DatasetSource }[], part: Part | undefined): boolean {
  return part !== undefined && files.length >= part.count && files.every((f) => f.source.rows !== undefined);
}

/**
 * Several files of one format read as one dataset, in the order given: the columns are the first
 * file's, and every other file must have the same columns in the same order. Rows are numbered
 * across the files (unit "row": row 1 is the first file's first data row; a file's rows follow the
 * rows of the files before it), so that findings and merged shards have one order; a reader's own
 * errors still name the file and its line. A shard's part is whole files when `partByFile`;
 * otherwise it is taken from each file as from one file (CSV and JSON Lines by the row's content;
 * Parquet by row group, the groups numbered across the files so that fewer files than shards still
 * spread over the shards). The evidence is the manifest
 * of the files — one line `<sha256>  <path>` per file, as `sha256sum` prints it — digested, with
 * every file's own digest, size and rows.
 */
export function concatenated(display: string, files: DatasetFile[]): DatasetSource {
  if (!files.length) throw new InputError(display, 'names no file');
  // the columns are the first file's that has any (an empty partition has none)
  const first = files.find((f) => !f.source.emptyPart);
  if (!first) throw new InputError(display, `has no rows: none of its ${files.length} files holds a row`);
  const columns = first.source.columns;
  for (const f of files) {
    if (f === first || f.source.emptyPart) continue;
    const j = f.source.columns.findIndex((c, i) => c !== columns[i]);
    if (j >= 0 || f.source.columns.length !== columns.length) {
      const at = j >= 0 ? j : Math.min(f.source.columns.length, columns.length);
      throw new InputError(f.display, `has other columns than ${first.display} (column ${at + 1}: ${JSON.stringify(f.source.columns[at] ?? null)} where ${first.display} has ${JSON.stringify(columns[at] ?? null)})`, undefined, `every file of dataset ${display} has the same columns in the same order`);
    }
  }
  const total = files.reduce((s, f) => s + f.bytes, 0);
  let done = 0;
  let current: DatasetFile | undefined;
  let evidence: FilesEvidence | undefined;
  return {
    path: display,
    columns,
    evidence: () => evidence,
    progress: () => (total ? (done + (current ? current.source.progress() * current.bytes : 0)) / total : 1),
    async *batches(want, batchSize, options) {
      evidence = undefined;
      done = 0;
      let rowsBefore = 0;
      let groupsBefore = 0;
      const seen: FilesEvidence['files'] = [];
      const byFile = partByFile(files, options?.part);
      for (const [k, file] of files.entries()) {
        const part = byFile ? undefined : options?.part;
        if (byFile && k % options!.part!.count !== options!.part!.index) {
          // another shard's file: its rows counted from its footer, its bytes not read
          seen.push({ path: file.display, sha256: '', bytes: file.bytes, rows: file.source.rows! });
          rowsBefore += file.source.rows!;
          done += file.bytes;
          continue;
        }
        current = file;
        // Parquet's row groups numbered across the files: group g of this file is group groupsBefore + g
        const groups = file.source.rowGroups;
        const shifted = part && groups !== undefined ? { ...part, index: (((part.index - groupsBefore) % part.count) + part.count) % part.count } : part;
        // an empty file is an empty partition (batch engines write them); the dataset needs a row
        // a model's input as a matrix where the file's reader gives one (renumbered keeps it)
        const matrix = options?.matrix ? { matrix: options.matrix } : {};
        for await (const b of file.source.batches(want, batchSize, { reuse: options?.reuse ?? false, empty: true, light: options?.light ?? false, ...(shifted ? { part: shifted } : {}), ...matrix })) yield renumbered(b, rowsBefore, file.display, b.through === undefined ? undefined : total ? (done + b.through * file.bytes) / total : 1);
        const ev = file.source.evidence();
        if (!ev) throw new Error(`${file.display} was read without evidence`);
        // its digest asked for when the dataset's is (it may still be hashed on a thread: digest.ts)
        seen.push({
          path: file.display,
          get sha256() {
            return ev.sha256;
          },
          bytes: ev.bytes,
          rows: ev.rows,
        });
        rowsBefore += ev.rows;
        groupsBefore += groups ?? 0;
        done += file.bytes;
        current = undefined;
      }
      if (rowsBefore === 0) throw new InputError(display, `has no rows: none of its ${files.length} files holds a row`);
      let manifest: string | undefined;
      evidence = {
        get sha256() {
          return (manifest ??= seen.every((f) => f.sha256) ? manifestDigest(seen) : '');
        },
        bytes: total,
        rows: rowsBefore,
        files: seen,
      };
    },
  };
}

/** Whether a file holds nothing but white space (read only when small). */
export function blank(file: string, bytes: number): boolean {
  return bytes === 0 || (bytes <= 4096 && readFileSync(file, 'utf8').trim() === '');
}

/** A blank text file among a dataset's several: no columns, no rows, and its digest. */
export function emptyPart(file: string, display: string): DatasetSource {
  let evidence: { sha256: string; bytes: number; rows: number } | undefined;
  return {
    path: display,
    columns: [],
    emptyPart: true,
    evidence: () => evidence,
    progress: () => (evidence ? 1 : 0),
    async *batches() {
      const bytes = readFileSync(file);
      evidence = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, rows: 0 };
    },
  };
}

/** A file's batch as the dataset's: rows numbered across the files, and how far into the dataset's bytes it reaches (`through`, of the file's in the batch). */
function renumbered(b: RawBatch, rowsBefore: number, path: string, through: number | undefined): RawBatch {
  const refs = new Int32Array(b.n);
  if (b.unit === 'row') for (let i = 0; i < b.n; i++) refs[i] = rowsBefore + Number(b.refs[i]);
  else {
    const index = b.index;
    if (!index) throw new Error('a text reader gave rows without their index');
    for (let i = 0; i < b.n; i++) refs[i] = rowsBefore + Number(index[i]) + 1;
  }
  const { index: _, through: __, ...rest } = b;
  return { ...rest, ...(through === undefined ? {} : { through }), unit: 'row', refs, origin: { path, unit: b.unit, refs: b.refs } };
}
