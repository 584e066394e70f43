import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Field types shared by the checklist and the check option schemas. `inputPath` checks, while a
 * checklist is being validated, that the file exists relative to the checklist's folder; the
 * schema printed by `deploy-check schema` is the same zod schema with no folder set.
 */
let baseDir: string | undefined;
/** every input path the checklist names, as absolute paths (reports are never written over them) */
let named: Set<string> | undefined;

export function withBaseDir<T>(dir: string, fn: () => T, paths?: Set<string>): T {
  const previous = [baseDir, named] as const;
  baseDir = dir;
  named = paths;
  try {
    return fn();
  } finally {
    [baseDir, named] = previous;
  }
}

export const inputPath = () =>
  z
    .string()
    .min(1, { error: 'expected a path, received an empty string' })
    .superRefine((p, ctx) => {
      if (baseDir === undefined) return;
      const full = resolve(baseDir, p);
      named?.add(full);
      if (!existsSync(full)) ctx.addIssue({ code: 'custom', message: `file not found: ${p} (paths are relative to the checklist's folder)` });
      else if (!statSync(full).isFile()) ctx.addIssue({ code: 'custom', message: `not a regular file: ${p}` });
    })
    .describe("Path of an existing file, relative to the checklist's folder");

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
