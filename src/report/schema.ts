import { z } from 'zod';
import type { ReportDiff } from './diff.js';
import { STATUSES, type Report } from './types.js';

/**
 * The JSON contracts, `deploy-check/report@1` and `deploy-check/diff@1`, as schemas: published as
 * schema/report.schema.json and schema/diff.schema.json (`deploy-check schema report|diff`) and held
 * equal to the TypeScript types by the compiler (below); `diff` reads reports with a lenient schema
 * of its own (diff.ts). Built when asked for: building them took ~10–20 ms of every command's
 * start, a run's included, which never reads them.
 */
function build() {
  const status = z.enum(STATUSES);
  const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
  const interval = z.tuple([z.number(), z.number()]);

  const measurementSchema = z.strictObject({
    name: z.string(),
    value: z.number().nullable(),
    unit: z.string().optional(),
    threshold: z.strictObject({ min: z.number().optional(), max: z.number().optional() }).optional(),
    ci: interval.optional(),
    passed: z.boolean().optional(),
  });

  const reportSchema = z.strictObject({
    schema: z.literal('deploy-check/report@1'),
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    checklist: z.strictObject({ path: z.string(), name: z.string().optional(), sha256 }),
    inputs: z.array(
      z.strictObject({
        path: z.string(),
        sha256,
        bytes: z.number().int().nonnegative(),
        rows: z.number().int().nonnegative().optional(),
        files: z
          .array(z.strictObject({ path: z.string(), sha256, bytes: z.number().int().nonnegative(), rows: z.number().int().nonnegative() }))
          .optional()
          .describe('A dataset of several files (a glob or a list): each file, in the order read; the sha256 above is that of their manifest, one line "<sha256>  <path>" per file'),
      }),
    ),
    gate: z.strictObject({ fail_on: z.enum(['error', 'warn']) }),
    verdict: z.enum(['pass', 'fail']),
    summary: z.record(status, z.number().int().nonnegative()),
    checks: z.array(
      z.strictObject({
        id: z.string(),
        type: z.string(),
        title: z.string(),
        severity: z.enum(['error', 'warn']),
        tags: z.array(z.string()),
        status,
        message: z.string(),
        measurements: z.array(measurementSchema),
        findings: z.array(z.strictObject({ code: z.string(), message: z.string(), location: z.string().optional(), hint: z.string().optional() })),
        /** per check type; not part of the stable contract beyond being an object */
        details: z.record(z.string(), z.unknown()).optional(),
        waiver: z
          .strictObject({ state: z.enum(['applied', 'expired', 'incomplete', 'unused']), reason: z.string().optional(), approved_by: z.string().optional(), expires: z.string().optional() })
          .optional(),
      }),
    ),
    incomplete: z.literal(true).optional(),
  });

  const side = z.strictObject({ path: z.string(), verdict: z.enum(['pass', 'fail']), checklist_sha256: sha256 });

  const diffSchema = z.strictObject({
    schema: z.literal('deploy-check/diff@1'),
    old: side,
    new: side,
    checklist_changed: z.boolean(),
    inputs: z.array(z.strictObject({ path: z.string(), old: sha256.optional(), new: sha256.optional() })),
    checks: z.array(
      z.strictObject({
        id: z.string(),
        type: z.string(),
        change: z.enum(['added', 'removed', 'status', 'measurements', 'same']),
        old_status: status.optional(),
        new_status: status.optional(),
        direction: z.enum(['worse', 'better']).optional(),
        message: z.string().optional(),
        measurements: z.array(
          z.strictObject({
            name: z.string(),
            unit: z.string().optional(),
            old: z.number().nullable(),
            new: z.number().nullable(),
            delta: z.number().nullable(),
            old_ci: interval.optional(),
            new_ci: interval.optional(),
            threshold_changed: z.boolean(),
            only: z.enum(['old', 'new']).optional(),
          }),
        ),
      }),
    ),
    summary: z.strictObject({ worse: z.number(), better: z.number(), added: z.number(), removed: z.number(), changed: z.number(), same: z.number() }),
  });
  return { report: reportSchema, diff: diffSchema };
}

type Schemas = ReturnType<typeof build>;
let built: Schemas | undefined;

// The compiler holds the schemas and the types together: a field added to one and not the other fails the build.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const reportMatches: Same<z.output<Schemas['report']>, Report> = true;
const diffMatches: Same<z.output<Schemas['diff']>, ReportDiff> = true;
void reportMatches;
void diffMatches;

const TITLES = { report: 'deploy-check report, deploy-check/report@1', diff: 'deploy-check diff, deploy-check/diff@1' } as const;

/** A JSON contract as a JSON Schema (draft 2020-12). */
export function contractJsonSchema(which: 'report' | 'diff'): Record<string, unknown> {
  const schema = (built ??= build())[which];
  return { ...z.toJSONSchema(schema, { target: 'draft-2020-12' }), title: TITLES[which] };
}
