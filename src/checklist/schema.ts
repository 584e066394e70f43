import { z } from 'zod';
import { registry } from '../checks/index.js';
import { TEST_IDS } from '../spec/ml-test-score.js';
import { datasetsSchema, ID, modelSchema } from '../spec/model.js';

const mlTest = z.enum(TEST_IDS as [string, ...string[]], { error: `expected an ML Test Score test: ${TEST_IDS.join(', ')}` });

const commonCheckFields = {
  id: z
    .string()
    .regex(ID, { error: 'expected an id of letters, digits, "_", "." or "-"' })
    .optional()
    .describe('Unique id; defaults to the type'),
  severity: z.enum(['error', 'warn']).default('error').describe('error fails the gate; warn reports only'),
  tags: z.array(z.string().regex(ID, { error: 'expected a tag of letters, digits, "_", "." or "-"' })).default([]),
  timeout: z.number().positive().max(86_400).optional().describe('Seconds this check may take (default: --timeout); past it, it errors'),
  waiver: z
    .strictObject({
      reason: z.string().optional().describe('Why the failure is accepted for now'),
      approved_by: z.string().optional().describe('Who accepted it'),
      expires: z.iso.date({ error: 'expected a date as YYYY-MM-DD' }).optional().describe('Last day the waiver holds (YYYY-MM-DD)'),
    })
    .optional()
    .describe('Accept this check failing until a date: reported as waived, never as passed; all three fields are required for it to hold'),
  ml_test_score: z.array(mlTest).optional().describe('The ML Test Score tests this check automates (default: those of its type; [] for none)'),
  memory_limit_mb: z.number().int().min(64).optional().describe("Resident memory the model host may use while this check runs models (default: --memory-limit, else 80% of the machine's memory); past it, the check errors"),
};

const checkOptions = registry.map((def) =>
  z.strictObject({ ...commonCheckFields, type: z.literal(def.type), ...def.options }).describe(def.description),
);

export const checkSchema = z.discriminatedUnion('type', checkOptions as unknown as [typeof checkOptions[number], ...typeof checkOptions]);

export const checklistSchema = z.strictObject({
  version: z.literal(1, { error: (iss) => `expected 1 (the only checklist format version), received ${JSON.stringify(iss.input)}` }),
  name: z.string().optional(),
  model: modelSchema,
  baseline: modelSchema.optional().describe("The model in production today; unset keys default to the candidate's"),
  datasets: datasetsSchema.optional(),
  checks: z.array(checkSchema).min(1),
  ml_test_score: z
    .partialRecord(mlTest, z.strictObject({ evidence: z.string().trim().min(1, { error: 'expected where the results of the manual test are documented' }) }))
    .optional()
    .describe('ML Test Score tests done by hand, with where their results are documented (half a point each)'),
});

export type Checklist = z.output<typeof checklistSchema>;
export type CheckSpec = z.output<typeof checkSchema>;

export function checklistJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(checklistSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    title: 'deploy-check checklist, version 1',
  };
}
