import { z } from 'zod';
import { registry } from '../checks/index.js';
import { TEST_IDS } from '../run/score.js';
import { inputPath, sha256 } from './fields.js';

const mlTest = z.enum(TEST_IDS as [string, ...string[]], { error: `expected an ML Test Score test: ${TEST_IDS.join(', ')}` });

const label = z.union([z.string(), z.number().int()]);

const modelFields = {
  path: inputPath(),
  sha256: sha256().optional().describe('Pin: a different file is an error'),
  task: z.enum(['binary', 'multiclass', 'regression']).optional(),
  inputs: z
    .union([z.literal('auto'), z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)]))], {
      error: 'expected "auto" or a mapping from model input names to a column or a list of columns',
    })
    .optional()
    .describe('"auto" (default) or { <model input>: column | [columns…] }'),
  outputs: z
    .strictObject({
      scores: z.string().min(1).optional().describe('Output holding class scores or probabilities'),
      label: z.string().min(1).optional().describe('Output holding the predicted label'),
      value: z.string().min(1).optional().describe('Output holding the predicted value (regression)'),
      kind: z.enum(['probabilities', 'logits']).optional().describe('What the scores are: probabilities (default; checked) or logits (a sigmoid or softmax is applied)'),
    })
    .optional(),
  classes: z.array(label).min(2).optional().describe('Order of the score columns'),
  positive: label.optional().describe('The positive class (binary only)'),
  threshold: z.number().min(0).max(1).optional().describe('Decision threshold on the positive score'),
};

export const modelSchema = z.strictObject(modelFields);

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
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

export const datasetsSchema = z.record(
  z.string().regex(ID, { error: 'expected a dataset name of letters, digits, "_", "." or "-"' }),
  z.strictObject({
    path: inputPath().describe('.csv, .tsv, .jsonl or .parquet'),
    label: z.string().min(1).optional().describe('Column holding the true label or value'),
    missing: z.enum(['error', 'nan']).default('error').describe('A missing feature value: an error, or NaN where the model input is float'),
  }),
);

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
export type ModelSpec = z.output<typeof modelSchema>;
export type CheckSpec = z.output<typeof checkSchema>;
export type DatasetSpec = NonNullable<Checklist['datasets']>[string];

export function checklistJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(checklistSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    title: 'deploy-check checklist, version 1',
  };
}
