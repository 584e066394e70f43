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

type Definition = (typeof registry)[number];

function checkObject(def: Definition) {
  return z.strictObject({ ...commonCheckFields, type: z.literal(def.type), ...def.options() }).describe(def.description);
}

function checkUnion(defs: readonly Definition[]) {
  const options = defs.map(checkObjectOf);
  return z.discriminatedUnion('type', options as unknown as [ReturnType<typeof checkObject>, ...ReturnType<typeof checkObject>[]]);
}

function checklistOf(checkSchema: ReturnType<typeof checkUnion>) {
  return z.strictObject({
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
}

export type Checklist = z.output<ReturnType<typeof checklistOf>>;
export type CheckSpec = z.output<ReturnType<typeof checkUnion>>;

/** each check type's schema, built the first time a checklist names the type (CheckDefinition.options) */
const checkObjects = new Map<string, ReturnType<typeof checkObject>>();
function checkObjectOf(def: Definition): ReturnType<typeof checkObject> {
  let schema = checkObjects.get(def.type);
  if (!schema) checkObjects.set(def.type, (schema = checkObject(def)));
  return schema;
}

const bySet = new Map<string, { checklist: ReturnType<typeof checklistOf>; check: ReturnType<typeof checkUnion> }>();

/**
 * The schemas that validate a checklist (`checklist`) and one of its checks (`check`), given the
 * checklist's `checks` as written: built with the check types they name (zod builds every schema it
 * is given, and all nineteen types took ~30 ms of each start), and with every type when one is not
 * a type (its message names the known ones) or the checks are not a list of mappings. Either way a
 * checklist is valid or not, with the same messages, as against the schema of every type.
 */
export function checklistSchemas(checks: unknown): { checklist: ReturnType<typeof checklistOf>; check: ReturnType<typeof checkUnion> } {
  const named = Array.isArray(checks) ? checks.map((c) => (typeof c === 'object' && c !== null && !Array.isArray(c) ? (c as { type?: unknown }).type : undefined)) : [];
  const all = !Array.isArray(checks) || named.length === 0 || named.some((t) => !registry.some((d) => d.type === t));
  const defs = all ? registry : registry.filter((d) => named.includes(d.type));
  const key = defs.map((d) => d.type).join(' ');
  let schemas = bySet.get(key);
  if (!schemas) {
    const check = checkUnion(defs);
    bySet.set(key, (schemas = { checklist: checklistOf(check), check }));
  }
  return schemas;
}

export function checklistJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(checklistSchemas(undefined).checklist, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    title: 'deploy-check checklist, version 1',
  };
}
