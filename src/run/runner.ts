import type { LoadedChecklist } from '../checklist/load.js';
import { DEFAULT_MEMORY_LIMIT_MB, ModelRunStopped, oneLine, setModelMemoryLimit, startModelHost, stopModelRuns } from '../onnx/session.js';
import { checkDefinition } from '../checks/index.js';
import { runsModelWith, type CheckOutcome } from '../checks/define.js';
import { RunContext, type ProgressSink } from '../checks/context.js';
import { InputError, UsageError } from '../input/errors.js';
import { verdictOf } from '../report/exit-code.js';
import { formatMeasurement, formatNumber } from '../report/format-value.js';
import { STATUSES, type CheckResult, type Report, type Severity, type Status } from '../report/types.js';
import { didYouMean } from '../input/suggest.js';
import { TOOL } from '../input/version.js';

export interface RunOptions {
  /** ids or tags: run only these */
  only?: string[];
  /** ids or tags: do not run these */
  skip?: string[];
  failOn?: Severity;
  /** the date the run is judged at */
  now?: Date;
  progress?: ProgressSink;
  /** called after each check, so that an interrupted run can still report what it did */
  onCheck?: (result: CheckResult) => void;
  /** seconds a check may take unless it sets its own `timeout` */
  timeout?: number;
  /** memory (MB) the model host may use unless a check sets its own `memory_limit_mb` */
  memoryLimitMb?: number;
  /** a context to share with the caller (the profile command reuses its predictions) */
  context?: RunContext;
  /** told when a check is abandoned on its time limit: its JavaScript work may still be going on */
  onAbandoned?: () => void;
}


class TimeoutError extends Error {}

function withTimeout<T>(work: Promise<T>, seconds: number | undefined): Promise<T> {
  if (seconds === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * Runs every selected check in checklist order. A check that throws becomes status "error" and the
 * run goes on; a bad input file (InputError) ends the run, since nothing after it can be trusted.
 */
export async function runChecklist(loaded: LoadedChecklist, options: RunOptions = {}): Promise<Report> {
  const selected = selection(loaded, options);
  const ctx = options.context ?? new RunContext(loaded, options.now ?? new Date(), options.progress);
  for (const spec of loaded.checks) {
    if (selected.has(spec.id)) for (const need of checkDefinition(spec.type).needs?.(spec) ?? []) ctx.plan(need);
  }
  // (a merge runs no model for the evaluations its shards made)
  const runsModel = (s: LoadedChecklist['checks'][number]) => runsModelWith(checkDefinition(s.type), s) && !(ctx.merging && checkDefinition(s.type).shards === 'passes');
  if (loaded.checks.some((s) => selected.has(s.id) && runsModel(s))) startModelHost();
  await ctx.verifyPins();
  const checks: CheckResult[] = [];
  for (const spec of loaded.checks) {
    const def = checkDefinition(spec.type);
    const base = { id: spec.id, type: spec.type, title: def.title, severity: spec.severity, tags: spec.tags };
    if (!selected.has(spec.id)) {
      checks.push({ ...base, status: 'skip', message: 'not selected (--only/--skip)', measurements: [], findings: [] });
      continue;
    }
    let outcome: CheckOutcome;
    setModelMemoryLimit(spec.memory_limit_mb ?? options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB);
    try {
      outcome = await withTimeout(def.run(spec, ctx), spec.timeout ?? options.timeout);
    } catch (err) {
      if (err instanceof TimeoutError) {
        // a model run in progress is ended with its host; the check's own JavaScript work cannot be
        // cancelled: it is abandoned, and the run goes on
        stopModelRuns(`check "${spec.id}" went past its time limit`);
        options.onAbandoned?.();
        checks.push({ ...base, status: 'error', message: `could not be evaluated: ${err.message} (its time limit; set timeout on the check or --timeout)`, measurements: [], findings: [] });
        options.onCheck?.(checks[checks.length - 1]!);
        continue;
      }
      if (err instanceof ModelRunStopped) {
        const memory = /memory/.test(err.message);
        checks.push({ ...base, status: 'error', message: `could not be evaluated: ${err.message}${memory ? ' (its memory limit; set memory_limit_mb on the check or --memory-limit)' : ''}`, measurements: [], findings: [] });
        options.onCheck?.(checks[checks.length - 1]!);
        continue;
      }
      // A problem with the checklist found while running names the check it is in.
      if (err instanceof InputError && err.file === loaded.file && !err.position) throw new InputError(err.file, `check "${spec.id}": ${err.detail}`, loaded.doc.positionOf(['checks', loaded.checks.indexOf(spec)]), err.hint);
      if (err instanceof InputError) throw err;
      const message = oneLine(err instanceof Error ? err.message : String(err));
      checks.push({ ...base, status: 'error', message: `could not be evaluated: ${message}`, measurements: [], findings: [] });
      continue;
    }
    checks.push(spec.waiver ? applyWaiver(resultOf(base, outcome), spec.waiver, ctx.now) : resultOf(base, outcome));
    options.onCheck?.(checks[checks.length - 1]!);
  }
  return buildReport(loaded, checks, options.failOn ?? 'error', await ctx.evidence(), false);
}

/** The report: from a whole run, or from the checks an interrupted run finished (incomplete, never a pass). */
export function buildReport(loaded: LoadedChecklist, checks: CheckResult[], failOn: Severity, inputs: Report['inputs'], incomplete: boolean): Report {
  const summary = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const c of checks) summary[c.status]++;
  return {
    schema: 'deploy-check/report@1',
    tool: { ...TOOL },
    checklist: {
      path: loaded.file.split('\\').join('/'),
      ...(loaded.checklist.name !== undefined ? { name: loaded.checklist.name } : {}),
      sha256: loaded.sha256,
    },
    inputs,
    gate: { fail_on: failOn },
    // an interrupted run never passes
    verdict: incomplete ? 'fail' : verdictOf(checks, failOn),
    summary,
    checks: [...checks],
    ...(incomplete ? { incomplete: true as const } : {}),
  };
}

/**
 * A waiver turns a failing check into `waived` while it holds: every field given (reason,
 * approved_by, expires) and the run's date on or before `expires`. An expired or incomplete waiver
 * leaves the check failed, and its message says why. It never touches a check that passed, warned
 * or could not be evaluated (nothing passes because it could not be checked).
 */
export function applyWaiver(result: CheckResult, waiver: { reason?: string; approved_by?: string; expires?: string }, now: Date): CheckResult {
  const given = { ...(waiver.reason !== undefined ? { reason: waiver.reason } : {}), ...(waiver.approved_by !== undefined ? { approved_by: waiver.approved_by } : {}), ...(waiver.expires !== undefined ? { expires: waiver.expires } : {}) };
  if (result.status !== 'fail') return { ...result, waiver: { state: 'unused', ...given } };
  const missing = (['reason', 'approved_by', 'expires'] as const).filter((k) => !waiver[k]?.trim());
  if (missing.length) {
    return { ...result, message: `waiver incomplete (no ${missing.join(', no ')}): ${result.message}`, waiver: { state: 'incomplete', ...given } };
  }
  const today = now.toISOString().slice(0, 10);
  if (today > waiver.expires!) {
    return { ...result, message: `waiver expired on ${waiver.expires} (approved by ${waiver.approved_by}): ${result.message}`, waiver: { state: 'expired', ...given } };
  }
  return { ...result, status: 'waived', message: `waived until ${waiver.expires} by ${waiver.approved_by} (${waiver.reason}): ${result.message}`, waiver: { state: 'applied', ...given } };
}

function resultOf(base: Pick<CheckResult, 'id' | 'type' | 'title' | 'severity' | 'tags'>, outcome: CheckOutcome): CheckResult {
  const measurements = outcome.measurements ?? [];
  const failedMeasurements = measurements.filter((m) => m.passed === false);
  const failing = outcome.findings.length > 0 || failedMeasurements.length > 0;
  const status: Status = failing ? (base.severity === 'warn' ? 'warn' : 'fail') : 'pass';
  // A few measurements read well inline; many (one per slice) are left to the details.
  const inline = measurements.length <= 3 || !outcome.summary ? measurements.map(formatMeasurement) : [];
  let message = [outcome.summary, ...inline].filter(Boolean).join(' · ') || 'passed';
  if (failing) {
    // a value that could not be computed is explained by the check's findings, when it has some
    const unexplained = outcome.findings.length ? failedMeasurements.filter((m) => m.value !== null) : failedMeasurements;
    const problems = [...outcome.findings.map((f) => f.message), ...unexplained.map(describeMeasurementFailure)];
    message = problems[0]! + (problems.length > 1 ? ` (+${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '');
  }
  return {
    ...base,
    status,
    message,
    measurements,
    findings: outcome.findings,
    ...(outcome.details !== undefined ? { details: outcome.details } : {}),
  };
}

function describeMeasurementFailure(m: CheckResult['measurements'][number]): string {
  const unit = m.unit ? ` ${m.unit}` : '';
  if (m.value === null) return `${m.name} could not be computed`;
  const t = m.threshold ?? {};
  const f = formatNumber;
  if (t.min !== undefined && m.value < t.min) return `${m.name} ${f(m.value)}${unit} is below the minimum ${f(t.min)}${unit}`;
  if (t.max !== undefined && m.value > t.max) return `${m.name} ${f(m.value)}${unit} is above the maximum ${f(t.max)}${unit}`;
  return `${m.name} ${f(m.value)}${unit} does not meet its threshold`;
}

/** The ids of the checks --only and --skip select. */
export function selection(loaded: LoadedChecklist, options: Pick<RunOptions, 'only' | 'skip'>): Set<string> {
  const names = new Set(loaded.checks.flatMap((c) => [c.id, ...c.tags]));
  for (const [flag, list] of [['--only', options.only], ['--skip', options.skip]] as const) {
    for (const name of list ?? []) {
      if (!names.has(name)) {
        throw new UsageError(`${flag} ${name}: no check in ${loaded.file} has this id or tag${hintOf(didYouMean(name, names))}`);
      }
    }
  }
  const matches = (c: LoadedChecklist['checks'][number], list: string[]) => list.includes(c.id) || c.tags.some((t) => list.includes(t));
  const chosen = loaded.checks.filter((c) => (!options.only?.length || matches(c, options.only)) && !(options.skip?.length && matches(c, options.skip)));
  if (chosen.length === 0) throw new UsageError('--only/--skip leave no check to run');
  return new Set(chosen.map((c) => c.id));
}

function hintOf(hint: string | undefined): string {
  return hint ? ` (${hint})` : '';
}
