import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Field types shared by the checklist and the check option schemas. `inputPath` checks, while a
 * checklist is being validated, that the file exists relative to the checklist's folder; the
 * schema printed by `deploy-check schema` is the same zod schema with no folder set. The folder
 * reaches the refinement through the call that validates (AsyncLocalStorage, which holds for
 * synchronous code too), not through module state: two validations never see each other's folder.
 */
const validation = new AsyncLocalStorage<{ dir: string; named?: Set<string> }>();

/** Runs `fn` (a validation) with paths resolved against `dir`, each named path added to `paths`. */
export function withBaseDir<T>(dir: string, fn: () => T, paths?: Set<string>): T {
  return validation.run({ dir, named: paths }, fn);
}

export const inputPath = () =>
  z
    .string()
    .min(1, { error: 'expected a path, received an empty string' })
    .superRefine((p, ctx) => {
      const at = validation.getStore();
      if (at === undefined) return;
      const full = resolve(at.dir, p);
      at.named?.add(full);
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
