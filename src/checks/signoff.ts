import { z } from 'zod';
import { inputPath, sha256 } from '../spec/fields.js';
import { InputError } from '../input/errors.js';
import type { Finding } from '../report/types.js';
import { validateDocument } from '../input/validate.js';
import { parseYaml } from '../input/yaml.js';
import { defineCheck } from './define.js';
import { once } from '../input/once.js';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD', abort: true })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), { error: 'not a calendar date' });

export const approvalsSchema = once(() =>
  z.strictObject({
    approvals: z.array(
      z.strictObject({
        role: z.string().regex(/\S/, { error: 'expected a role, not blank' }),
        name: z.string().regex(/\S/, { error: 'expected the name of the person who approved, not blank' }),
        date: isoDate,
        model_sha256: sha256(),
        note: z.string().optional(),
      }),
    ),
  }),
);

const DAY = 86_400_000;

export default defineCheck({
  type: 'signoff',
  title: 'Sign-offs',
  runsModel: false,
  shards: 'merge',
  htmlPart: 'process',
  mlTestScore: ['M1'],
  description: 'Every required role has approved this exact model file (by sha256), recently enough.',
  options: () => ({
    path: inputPath().describe('Approvals file: approvals: [{ role, name, date, model_sha256 }]'),
    roles: z.array(z.string().min(1)).min(1).describe('Roles that must approve'),
    max_age_days: z.number().int().positive().optional().describe('Oldest acceptable approval, in days before the run date'),
    model: z.enum(['model', 'baseline']).default('model').describe('Which model the approvals must be bound to'),
  }),
  async run(options, ctx) {
    const file = ctx.display(options.path);
    const doc = parseYaml(await ctx.readText(options.path), file);
    if (!doc) throw new InputError(file, 'the approvals file is empty', undefined, 'expected approvals: [{ role, name, date, model_sha256 }]');
    const { approvals } = validateDocument(approvalsSchema(), doc, file);
    const model = await ctx.model(options.model);
    const today = Date.UTC(ctx.now.getUTCFullYear(), ctx.now.getUTCMonth(), ctx.now.getUTCDate());
    const findings: Finding[] = [];
    const accepted: { role: string; name: string; date: string; age_days: number }[] = [];

    for (const role of options.roles) {
      const candidates = approvals.map((a, i) => ({ ...a, i })).filter((a) => a.role.trim().toLowerCase() === role.trim().toLowerCase());
      const where = (i: number) => {
        const p = doc.positionOf(['approvals', i]);
        return p ? `${file}:${p.line}` : file;
      };
      if (candidates.length === 0) {
        findings.push({ code: 'approval-missing', message: `no approval from the ${role} role`, location: file, hint: `the ${role} must sign off on sha256 ${model.sha256}` });
        continue;
      }
      const problems: Finding[] = [];
      let ok = false;
      for (const a of candidates) {
        const age = Math.floor((today - Date.parse(`${a.date}T00:00:00Z`)) / DAY);
        if (a.model_sha256 !== model.sha256) {
          problems.push({
            code: 'approval-other-model',
            message: `${a.name} (${role}) approved another file: sha256 ${a.model_sha256.slice(0, 12)}…, not ${model.path} (${model.sha256.slice(0, 12)}…)`,
            location: where(a.i),
            hint: 'approvals are bound to the exact model file; ask for a new sign-off',
          });
        } else if (age < 0) {
          problems.push({ code: 'approval-future', message: `${a.name} (${role}) dated the approval ${a.date}, in the future`, location: where(a.i) });
        } else if (options.max_age_days !== undefined && age > options.max_age_days) {
          problems.push({
            code: 'approval-expired',
            message: `${a.name} (${role}) approved on ${a.date}, ${age} days ago (at most ${options.max_age_days} allowed)`,
            location: where(a.i),
            hint: 'renew the sign-off',
          });
        } else {
          ok = true;
          accepted.push({ role, name: a.name, date: a.date, age_days: age });
          break;
        }
      }
      if (!ok) findings.push(...problems);
    }
    return {
      findings,
      summary: `${accepted.length} of ${options.roles.length} roles signed off on sha256 ${model.sha256.slice(0, 12)}…`,
      details: { as_of: new Date(today).toISOString().slice(0, 10), model_sha256: model.sha256, approvals: accepted },
    };
  },
});
