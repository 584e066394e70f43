import { z } from 'zod';
import { inputPath } from '../spec/fields.js';
import { InputError } from '../input/errors.js';
import type { Finding } from '../report/types.js';
import { validateDocument } from '../input/validate.js';
import { parseYaml } from '../input/yaml.js';
import { defineCheck } from './define.js';
import { once } from '../input/once.js';

/** The monitoring plan's format: every part optional here, so that each gap is a finding, not an error. */
export const planSchema = once(() =>
  z.strictObject({
    owner: z.strictObject({ name: z.string().optional(), contact: z.string().optional() }).optional(),
    metrics: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          min: z.number().optional(),
          max: z.number().optional(),
          window: z.string().optional(),
        }),
      )
      .optional(),
    rollback: z.strictObject({ procedure: z.string().optional(), runbook: z.string().optional() }).optional(),
  }),
);

const LATENCY = /latency|p50|p9\d/i;

export default defineCheck({
  type: 'monitoring',
  title: 'Monitoring plan',
  runsModel: false,
  shards: 'merge',
  htmlPart: 'process',
  mlTestScore: ['MON7'],
  description: 'A monitoring plan watches the metrics this checklist gates and latency, with alert thresholds, an owner to page, and a rollback procedure.',
  options: () => ({
    path: inputPath().describe('The plan: owner { name, contact }, metrics [{ name, min, max, window }], rollback { procedure, runbook }'),
  }),
  async run(o, ctx) {
    const file = ctx.display(o.path);
    const doc = parseYaml(await ctx.readText(o.path), file);
    if (!doc) throw new InputError(file, 'the monitoring plan is empty', undefined, 'expected owner, metrics and rollback');
    const plan = validateDocument(planSchema(), doc, file);
    const findings: Finding[] = [];
    const at = (path: (string | number)[]) => {
      const p = doc.positionOf(path);
      return p ? `${file}:${p.line}` : file;
    };
    if (!plan.owner?.name?.trim()) findings.push({ code: 'owner', message: 'no owner named', location: at(['owner']), hint: 'owner: { name: …, contact: … }' });
    if (!plan.owner?.contact?.trim()) findings.push({ code: 'contact', message: 'no contact to page (owner.contact)', location: at(['owner']) });
    if (!plan.rollback?.procedure?.trim() && !plan.rollback?.runbook?.trim()) {
      findings.push({ code: 'rollback', message: 'no rollback procedure', location: at(['rollback']), hint: 'rollback: { procedure: …, runbook: … }' });
    }
    const watched = plan.metrics ?? [];
    watched.forEach((m, i) => {
      if (m.min === undefined && m.max === undefined) findings.push({ code: 'threshold', message: `metric "${m.name}" has no alert threshold (min or max)`, location: at(['metrics', i]) });
    });
    // Every metric this checklist gates must be watched in production, and latency too.
    // (typed loosely: the checklist's check types include this one)
    const checks = ctx.checklist.checks as unknown as { type: string; metric?: string }[];
    const gated: string[] = [...new Set(checks.filter((c) => c.type === 'metric' || c.type === 'slices').map((c) => c.metric!))];
    const names = new Set(watched.map((m) => m.name.toLowerCase()));
    for (const metric of gated) {
      if (!names.has(metric.toLowerCase())) findings.push({ code: 'uncovered', message: `the checklist gates ${metric}, but the plan does not watch it`, location: at(['metrics']) });
    }
    if (!watched.some((m) => LATENCY.test(m.name))) findings.push({ code: 'latency', message: 'the plan does not watch latency', location: at(['metrics']), hint: 'add a metric such as latency_p95_ms with a max' });
    return { findings, summary: `${watched.length} metrics watched, covering ${gated.length ? gated.join(', ') : 'no gated metric'} and latency`, details: { gated_metrics: gated, watched: watched.map((m) => m.name) } };
  },
});
