import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { z } from 'zod';
import { glob, isGlob } from '../input/glob.js';

/**
 * Field types shared by the checklist and the check option schemas. `inputPath` checks, while a
 * checklist is being validated, that the file exists relative to the checklist's folder; the
 * schema printed by `deploy-check schema` is the same zod schema with no folder set. The folder
 * reaches the refinement through the call that validates, which is synchronous (zod's `parse`):
 * the folder is set for the call and put back after it, so two validations never see each other's
 * folder. (An AsyncLocalStorage did this before; on Node 20 its first use turns on promise hooks for
 * the rest of the process, a call on every promise of a run's read loop.)
 */
let validating: { dir: string; named?: Set<string> } | undefined;

/** Runs `fn` (a synchronous validation) with paths resolved against `dir`, each named path added to `paths`. */
export function withBaseDir<T>(dir: string, fn: () => T, paths?: Set<string>): T {
  const outer = validating;
  validating = { dir, named: paths };
  try {
    return fn();
  } finally {
    validating = outer;
  }
}

/** What is wrong with a path the checklist names (it is added to the paths named), if anything. */
function fileProblem(at: { dir: string; named?: Set<string> }, p: string): string | undefined {
  const full = resolve(at.dir, p);
  at.named?.add(full);
  if (!existsSync(full)) return `file not found: ${p} (paths are relative to the checklist's folder)`;
  if (!statSync(full).isFile()) return `not a regular file: ${p}`;
  return undefined;
}

export const inputPath = () =>
  z
    .string()
    .min(1, { error: 'expected a path, received an empty string' })
    .superRefine((p, ctx) => {
      const at = validating;
      if (at === undefined) return;
      const problem = fileProblem(at, p);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe("Path of an existing file, relative to the checklist's folder");

/**
 * The files a dataset's `path` names: one file, a glob (sorted by code point), or a list (in its
 * order); relative to `dir` as written. A path that exists as a file is that file even when it
 * holds a glob character.
 */
export function datasetFiles(dir: string, path: string | string[]): string[] {
  if (Array.isArray(path)) return path;
  return isGlob(path) && !existsSync(resolve(dir, path)) ? glob(dir, path) : [path];
}

/** A dataset's `path`: a file, a glob of files or a list of files, all of one format. */
export const datasetPath = () =>
  z
    .union([z.string().min(1, { error: 'expected a path, received an empty string' }), z.array(inputPath()).min(1, { error: 'expected at least one file' })])
    .superRefine((p, ctx) => {
      const at = validating;
      if (at === undefined) return;
      // the glob is walked once: a folder of many files is listed once
      const files = datasetFiles(at.dir, p);
      if (typeof p === 'string') {
        if (isGlob(p) && files.length === 0) return ctx.addIssue({ code: 'custom', message: `no file matches ${p} (paths are relative to the checklist's folder)` });
        const problem = files.length === 1 && files[0] === p ? fileProblem(at, p) : undefined;
        if (problem) return ctx.addIssue({ code: 'custom', message: problem });
        for (const f of files) at.named?.add(resolve(at.dir, f));
      }
      const formats = [...new Set(files.map((f) => extname(f).toLowerCase()))];
      if (formats.length > 1) ctx.addIssue({ code: 'custom', message: `the files are of ${formats.length} formats (${formats.join(', ')}): a dataset's files are all of one format` });
      const seen = new Set<string>();
      const twice = files.find((f) => seen.size === seen.add(resolve(at.dir, f)).size);
      if (twice) ctx.addIssue({ code: 'custom', message: `${twice} is listed twice` });
    })
    .describe("A file, a glob (`*`, `?`, `[…]`, `**`) or a list of files of one format, relative to the checklist's folder; several files are read as one dataset, in the order listed (a glob's in code-point order)");

export const sha256 = () =>
  z
    .string({
      error: (issue) =>
        typeof issue.input === 'number' ? 'expected a sha256 digest, received a number (quote the digest: YAML reads an all-digit value as a number)' : undefined,
    })
    .regex(/^[0-9a-fA-F]{64}$/, { error: 'expected a sha256 digest (64 hexadecimal digits)' })
    .transform((s) => s.toLowerCase());

export const positiveNumber = () => z.number().positive();
export const share = () => z.number().min(0).max(1);

/** A numeric or string value compared exactly, as hyperparameters and class labels are. */
export const scalar = () => z.union([z.string(), z.number(), z.boolean()]);
