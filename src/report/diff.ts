import { z } from 'zod';
import { InputError } from '../input/errors.js';
import { readInput } from '../onnx/read-input.js';
import { STATUSES, type Measurement, type Status } from './types.js';
import { validateDocument } from '../input/validate.js';
import { parseYaml } from '../input/yaml.js';
import { once } from '../input/once.js';

/** What a report must hold for a diff (the rest of it is not read). */
const measurementSchema = once(() =>
  z.object({
    name: z.string(),
    value: z.number().nullable(),
    unit: z.string().optional(),
    threshold: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
    ci: z.tuple([z.number(), z.number()]).optional(),
    passed: z.boolean().optional(),
  }),
);
const reportSchema = once(() =>
  z.object({
    schema: z.literal('deploy-check/report@1', { error: 'expected "deploy-check/report@1" (a JSON report of deploy-check run --format json)' }),
    checklist: z.object({ path: z.string(), name: z.string().optional(), sha256: z.string() }),
    inputs: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number(), rows: z.number().optional() })),
    verdict: z.enum(['pass', 'fail']),
    checks: z.array(z.object({ id: z.string(), type: z.string(), status: z.enum(STATUSES), message: z.string(), measurements: z.array(measurementSchema()) })),
    incomplete: z.literal(true).optional(),
  }),
);
type DiffInput = z.output<ReturnType<typeof reportSchema>>;

export function readReport(file: string): DiffInput {
  const doc = parseYaml(readInput(file, file).toString('utf8'), file);
  if (!doc) throw new InputError(file, 'is empty (expected a JSON report)');
  return validateDocument(reportSchema(), doc, file);
}

export interface MeasurementChange {
  name: string;
  unit?: string;
  old: number | null;
  new: number | null;
  delta: number | null;
  old_ci?: [number, number];
  new_ci?: [number, number];
  threshold_changed: boolean;
  /** a measurement only one of the reports has (a gate added or removed within the check) */
  only?: 'old' | 'new';
}

export interface CheckChange {
  id: string;
  type: string;
  change: 'added' | 'removed' | 'status' | 'measurements' | 'same';
  old_status?: Status;
  new_status?: Status;
  /** worse: it passed (or was waived or skipped) and now fails or errors; better: the reverse */
  direction?: 'worse' | 'better';
  message?: string;
  measurements: MeasurementChange[];
}

export interface ReportDiff {
  schema: 'deploy-check/diff@1';
  old: { path: string; verdict: 'pass' | 'fail'; checklist_sha256: string };
  new: { path: string; verdict: 'pass' | 'fail'; checklist_sha256: string };
  checklist_changed: boolean;
  /** inputs whose digest changed, appeared or disappeared (the model, datasets, documents) */
  inputs: { path: string; old?: string; new?: string }[];
  checks: CheckChange[];
  summary: { worse: number; better: number; added: number; removed: number; changed: number; same: number };
}

export const OK: ReadonlySet<Status> = new Set(['pass', 'waived', 'skip']);
export const BAD: ReadonlySet<Status> = new Set(['fail', 'error']);

export function diffReports(a: DiffInput, b: DiffInput, paths: [string, string]): ReportDiff {
  const oldChecks = new Map(a.checks.map((c) => [c.id, c]));
  const newChecks = new Map(b.checks.map((c) => [c.id, c]));
  const checks: CheckChange[] = [];
  for (const n of b.checks) {
    const o = oldChecks.get(n.id);
    if (!o) {
      checks.push({ id: n.id, type: n.type, change: 'added', new_status: n.status, message: n.message, measurements: [] });
      continue;
    }
    const measurements = measurementChanges(o.measurements, n.measurements);
    const statusChanged = o.status !== n.status;
    const direction = statusChanged && OK.has(o.status) && BAD.has(n.status) ? 'worse' : statusChanged && BAD.has(o.status) && OK.has(n.status) ? 'better' : undefined;
    const moved = measurements.some((m) => m.delta !== 0 || m.threshold_changed || m.only);
    checks.push({
      id: n.id,
      type: n.type,
      change: statusChanged ? 'status' : moved ? 'measurements' : 'same',
      old_status: o.status,
      new_status: n.status,
      ...(direction ? { direction } : {}),
      message: n.message,
      measurements,
    });
  }
  for (const o of a.checks) if (!newChecks.has(o.id)) checks.push({ id: o.id, type: o.type, change: 'removed', old_status: o.status, message: o.message, measurements: [] });
  const oldInputs = new Map(a.inputs.map((i) => [i.path, i.sha256]));
  const newInputs = new Map(b.inputs.map((i) => [i.path, i.sha256]));
  const inputs = [...new Set([...oldInputs.keys(), ...newInputs.keys()])]
    .sort()
    .filter((p) => oldInputs.get(p) !== newInputs.get(p))
    .map((p) => ({ path: p, ...(oldInputs.has(p) ? { old: oldInputs.get(p) } : {}), ...(newInputs.has(p) ? { new: newInputs.get(p) } : {}) }));
  const count = (f: (c: CheckChange) => boolean) => checks.filter(f).length;
  return {
    schema: 'deploy-check/diff@1',
    old: { path: paths[0], verdict: a.incomplete ? 'fail' : a.verdict, checklist_sha256: a.checklist.sha256 },
    new: { path: paths[1], verdict: b.incomplete ? 'fail' : b.verdict, checklist_sha256: b.checklist.sha256 },
    checklist_changed: a.checklist.sha256 !== b.checklist.sha256,
    inputs,
    checks,
    summary: {
      worse: count((c) => c.direction === 'worse' || (c.change === 'added' && BAD.has(c.new_status!))),
      better: count((c) => c.direction === 'better'),
      added: count((c) => c.change === 'added'),
      removed: count((c) => c.change === 'removed'),
      changed: count((c) => c.change === 'status' || c.change === 'measurements'),
      same: count((c) => c.change === 'same'),
    },
  };
}

function measurementChanges(olds: Measurement[], news: Measurement[]): MeasurementChange[] {
  const before = new Map(olds.map((m) => [m.name, m]));
  const after = new Set(news.map((m) => m.name));
  const one = (m: Measurement, only: 'old' | 'new'): MeasurementChange => ({
    name: m.name,
    ...(m.unit ? { unit: m.unit } : {}),
    old: only === 'old' ? m.value : null,
    new: only === 'new' ? m.value : null,
    delta: null,
    ...(m.ci ? { [only === 'old' ? 'old_ci' : 'new_ci']: m.ci } : {}),
    threshold_changed: false,
    only,
  });
  return news
    .map((m) => {
      const o = before.get(m.name);
      if (!o) return one(m, 'new');
      return {
        name: m.name,
        ...(m.unit ? { unit: m.unit } : {}),
        old: o.value,
        new: m.value,
        delta: o.value === null || m.value === null ? null : m.value - o.value,
        ...(o.ci ? { old_ci: o.ci } : {}),
        ...(m.ci ? { new_ci: m.ci } : {}),
        threshold_changed: JSON.stringify(o.threshold ?? null) !== JSON.stringify(m.threshold ?? null),
      };
    })
    .concat(olds.filter((m) => !after.has(m.name)).map((m) => one(m, 'old')));
}

/** 1 when the new run is worse (a check that held now fails or errors, or the verdict went from pass to fail), else 0. */
export function diffExitCode(d: ReportDiff): number {
  return d.summary.worse > 0 || (d.old.verdict === 'pass' && d.new.verdict === 'fail') ? 1 : 0;
}
