import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { InvalidChecklist, loadChecklist, partsOf, type LoadedChecklist } from './checklist/load.js';
import { missingColumns } from './checklist/columns.js';
import { checklistJsonSchema } from './checklist/schema.js';
import { DeployCheckError, InputError, UsageError } from './errors.js';
import { sha256Hex } from './hash.js';
import { describeType } from './onnx/model-info.js';
import { readOnnx } from './read-input.js';
import { createSession } from './onnx/session.js';
import { EXIT, exitCode } from './report/exit-code.js';
import { terminalText } from './report/escape.js';
import { FORMATS, formatters, type Format } from './report/index.js';
import { publishToGithub } from './report/github.js';
import { initChecklist } from './init.js';
import { formatScore, scoreChecklist } from './score.js';
import { DIFF_FORMATS, diffExitCode, diffReports, formatDiff, readReport } from './diff.js';
import type { CheckResult, Report, Severity } from './report/types.js';
import { buildReport, runChecklist } from './runner.js';
import { RunContext } from './context.js';
import { buildProfile } from './profile.js';
import { resolveDatasetName } from './checklist/datasets.js';
import type { ProgressSink } from './context.js';
import { didYouMean } from './suggest.js';
import { byPosition, ValidationError } from './validate.js';

/** What the commands may touch of the process: given by cli.ts, replaced in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** colour for stdout: decided by cli.ts from --no-color, NO_COLOR and whether stdout is a terminal */
  color: boolean;
  /** a progress bar for long evaluations, when stderr is a terminal */
  progress?: ProgressSink;
  /** the environment (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY); default process.env */
  env?: NodeJS.ProcessEnv;
  /** stderr as is, for the workflow commands deploy-check means to give (default: stderr) */
  annotate?(text: string): void;
  /** told when a check was abandoned on its time limit (its work may still be running) */
  onAbandoned?(): void;
}

export interface RunCommandOptions {
  format?: string;
  output?: string;
  report?: string[];
  only?: string[];
  skip?: string[];
  failOn?: string;
  asOf?: string;
  timeout?: string;
  memoryLimit?: string;
}

export const DEFAULT_CHECKLIST = 'deploy-check.yaml';

/** load -> run -> report -> write; returns the exit code. */
/**
 * The run in progress, as a signal handler needs it (the reports it would write, the checks so
 * far): owned by the caller (program.ts), filled in by runCommand while it runs.
 */
export interface InFlight {
  run?: { write(report: Report): void; partial(): Report };
}

export function runCommand(checklist: string | undefined, options: RunCommandOptions, io: Io, inFlight: InFlight = {}): Promise<number> {
  return guard(io, async () => {
    const format = parseFormat(options.format ?? 'pretty', '--format');
    const extra = (options.report ?? []).map(parseReportTarget);
    const failOn = parseFailOn(options.failOn ?? 'error');
    const now = options.asOf === undefined ? new Date() : parseDate(options.asOf);
    const timeout = options.timeout === undefined ? undefined : parseSeconds(options.timeout);
    const memoryLimitMb = options.memoryLimit === undefined ? undefined : parseMegabytes(options.memoryLimit);
    const loaded = loadChecklist(checklist ?? DEFAULT_CHECKLIST);
    refuseOverwritingInputs([...(options.output !== undefined ? [{ flag: '--output', file: options.output }] : []), ...extra.map((t) => ({ flag: '--report', file: t.file }))], loaded.inputs);
    // where the checklist's folder is from here: file locations in SARIF and GitHub annotations
    const root = relative(process.cwd(), dirname(resolve(loaded.file))).split('\\').join('/') || '.';
    const write = (report: Report) => {
      for (const target of extra) writeOutput(target.file, formatters[target.format](report, { color: false, root }));
      const main = formatters[format](report, { color: io.color && options.output === undefined, root });
      if (options.output !== undefined) writeOutput(options.output, main);
      else io.stdout(main);
      publishToGithub(report, io.env ?? process.env, io.annotate ?? io.stderr, (file) => posix.normalize(posix.join(root, file)));
    };
    // what to write if the run is interrupted: the checks so far, marked incomplete
    const done: CheckResult[] = [];
    inFlight.run = { write, partial: () => buildReport(loaded, done, failOn, [], true) };
    try {
      const report = await runChecklist(loaded, { only: splitList(options.only), skip: splitList(options.skip), failOn, now, timeout, memoryLimitMb, progress: io.progress, onCheck: (r) => done.push(r), onAbandoned: io.onAbandoned });
      inFlight.run = undefined;
      write(report);
      return exitCode(report);
    } finally {
      inFlight.run = undefined;
    }
  });
}


/**
 * A signal ended the run: write every requested report with the checks done so far, marked
 * incomplete, and return the exit code for the signal (128 + its number). Never 0.
 */
export function interruptRun(signal: 'SIGINT' | 'SIGTERM', io: Io, inFlight: InFlight): number {
  const code = signal === 'SIGINT' ? 130 : 143;
  io.stderr(`deploy-check: interrupted by ${signal}; the report is incomplete\n`);
  const run = inFlight.run;
  inFlight.run = undefined;
  if (run) {
    try {
      run.write(run.partial());
    } catch {
      // the exit code still says the run did not finish
    }
  }
  return code;
}

export function validateCommand(checklist: string | undefined, io: Io): Promise<number> {
  return guard(io, async () => {
    // one pass: the format, the rules across fields, and the datasets' headers (not their rows) for
    // every column the checklist names, of the parts that are valid when others are not
    let loaded: LoadedChecklist;
    try {
      loaded = loadChecklist(checklist ?? DEFAULT_CHECKLIST);
    } catch (err) {
      if (!(err instanceof InvalidChecklist)) throw err;
      throw new ValidationError(byPosition([...err.problems, ...(await missingColumns(err.parts))]));
    }
    const missing = await missingColumns(partsOf(loaded));
    if (missing.length) throw new ValidationError(missing);
    const n = loaded.checks.length;
    io.stdout(`${terminalText(loaded.file)}: valid checklist, ${n} check${n === 1 ? '' : 's'} (${loaded.checks.map((c) => terminalText(c.id)).join(', ')})\n`);
    return EXIT.ready;
  });
}

export function schemaCommand(io: Io): Promise<number> {
  return guard(io, async () => {
    io.stdout(`${JSON.stringify(checklistJsonSchema(), null, 2)}\n`);
    return EXIT.ready;
  });
}

export function diffCommand(oldFile: string, newFile: string, options: { format?: string; output?: string }, io: Io): Promise<number> {
  return guard(io, async () => {
    const format = options.format ?? 'pretty';
    if (!DIFF_FORMATS.includes(format as (typeof DIFF_FORMATS)[number])) throw new UsageError(`--format ${format}: unknown format (expected one of ${DIFF_FORMATS.join(', ')})`);
    if (options.output !== undefined) refuseOverwritingInputs([{ flag: '--output', file: options.output }], [resolve(oldFile), resolve(newFile)]);
    const d = diffReports(readReport(oldFile), readReport(newFile), [oldFile, newFile]);
    const text = formatDiff(d, format as (typeof DIFF_FORMATS)[number], io.color && options.output === undefined);
    if (options.output !== undefined) writeOutput(options.output, text);
    else io.stdout(text);
    return diffExitCode(d);
  });
}

export function scoreCommand(checklist: string | undefined, options: { format?: string }, io: Io): Promise<number> {
  return guard(io, async () => {
    const format = options.format ?? 'pretty';
    if (format !== 'pretty' && format !== 'json') throw new UsageError(`--format ${format}: unknown format (expected pretty or json)`);
    const score = scoreChecklist(loadChecklist(checklist ?? DEFAULT_CHECKLIST));
    io.stdout(format === 'json' ? `${JSON.stringify(score, null, 2)}\n` : formatScore(score, io.color));
    return EXIT.ready;
  });
}

export function initCommand(options: { model: string; dataset?: string; label?: string; inputs?: string; drop?: string; classes?: string; positive?: string; output?: string }, io: Io): Promise<number> {
  return guard(io, async () => {
    const list = (v: string | undefined) => (v === undefined ? undefined : splitList([v]));
    const written = await initChecklist({ ...options, inputs: list(options.inputs), drop: list(options.drop), classes: list(options.classes), output: options.output ?? DEFAULT_CHECKLIST, now: new Date() });
    io.stdout(`wrote ${terminalText(written.file)}: ${written.checks} check${written.checks === 1 ? '' : 's'}. Read it, then run: deploy-check ${terminalText(written.file)}\n`);
    return EXIT.ready;
  });
}

export function inspectCommand(model: string, options: { json?: boolean }, io: Io): Promise<number> {
  return guard(io, async () => {
    const { bytes, info } = readOnnx(resolve(model), model);
    const loads = await createSession(bytes, model).then(
      async (s) => {
        await s.release();
        return { ok: true as const };
      },
      (err: InputError) => ({ ok: false as const, error: err.detail }),
    );
    const data = {
      path: model,
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
      loads_in_onnxruntime: loads.ok,
      ...(loads.ok ? {} : { load_error: loads.error }),
      ir_version: info.irVersion,
      producer: { name: info.producerName, version: info.producerVersion },
      graph: info.graphName,
      opset_imports: info.opsetImports,
      inputs: info.inputs.map((i) => ({ name: i.name, type: describeType(i.type) })),
      outputs: info.outputs.map((o) => ({ name: o.name, type: describeType(o.type) })),
      operators: info.operators,
      metadata: info.metadata,
      doc_string: info.docString,
    };
    if (options.json) {
      io.stdout(`${JSON.stringify(data, null, 2)}\n`);
      return EXIT.ready;
    }
    const t = terminalText;
    const width = Math.max(0, ...[...data.inputs, ...data.outputs].map((v) => v.name.length), ...Object.keys(data.metadata).map((k) => k.length));
    const lines = [
      `${t(model)}  ${data.bytes} bytes  sha256 ${data.sha256}`,
      `loads in onnxruntime-node: ${loads.ok ? 'yes' : `no (${t(loads.error)})`}`,
      `producer: ${t([data.producer.name, data.producer.version].filter(Boolean).join(' ') || '(none)')}   IR version ${data.ir_version}`,
      `opsets: ${data.opset_imports.map((o) => `${t(o.domain || 'ai.onnx')} ${o.version}`).join(', ')}`,
      'inputs:',
      ...data.inputs.map((i) => `  ${t(i.name).padEnd(width)}  ${t(i.type)}`),
      'outputs:',
      ...data.outputs.map((o) => `  ${t(o.name).padEnd(width)}  ${t(o.type)}`),
      `operators: ${data.operators.map(t).join(', ')}`,
      ...(Object.keys(data.metadata).length ? ['metadata:', ...Object.entries(data.metadata).map(([k, v]) => `  ${t(k).padEnd(width)}  ${t(v)}`)] : ['metadata: (none)']),
    ];
    if (data.doc_string) lines.push(`description: ${t(data.doc_string)}`);
    io.stdout(`${lines.join('\n')}\n`);
    return EXIT.ready;
  });
}

/** Writes a reference profile of a dataset (see src/profile.ts); the checklist's metric checks on it supply the gated values. */
export function profileCommand(checklist: string | undefined, options: { dataset?: string; output?: string }, io: Io): Promise<number> {
  return guard(io, async () => {
    const loaded = loadChecklist(checklist ?? DEFAULT_CHECKLIST);
    if (options.output !== undefined) refuseOverwritingInputs([{ flag: '--output', file: options.output }], loaded.inputs);
    const name = resolveDatasetName(loaded.checklist, options.dataset, loaded.file);
    const metricIds = loaded.checks.filter((c) => c.type === 'metric' && ((c as { dataset?: string }).dataset ?? name) === name).map((c) => c.id);
    const ctx = new RunContext(loaded, new Date(), io.progress);
    // one context: the metric checks' predictions serve the profile's scores too
    const report = metricIds.length ? await runChecklist(loaded, { only: metricIds, context: ctx }) : undefined;
    const profile = await buildProfile(ctx, name, report);
    const text = `${JSON.stringify(profile, null, 2)}\n`;
    if (options.output !== undefined) {
      writeOutput(options.output, text);
      io.stdout(`wrote ${terminalText(options.output)}: profile of dataset ${terminalText(name)} (${profile.dataset.rows} rows, ${profile.columns.length} column${profile.columns.length === 1 ? '' : 's'}${profile.scores ? ', model scores' : ''})\n`);
    } else io.stdout(text);
    return EXIT.ready;
  });
}

/** Every failure to run becomes one clear line on stderr and exit code 2; never a stack trace for bad input. */
async function guard(io: Io, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DeployCheckError) {
      // one line per problem, each escaped whole: text from an input cannot add a line
      const lines = (err instanceof ValidationError ? err.problems : [err]).map((e) => terminalText(e.message));
      io.stderr(`${err instanceof UsageError ? 'deploy-check: ' : ''}${lines.join('\n')}\n`);
    } else {
      const e = err as Error;
      io.stderr(`deploy-check: internal error: ${terminalText(e?.message ?? String(err))}\n`);
      if (process.env.DEPLOY_CHECK_DEBUG) io.stderr(`${e?.stack ?? ''}\n`);
    }
    return EXIT.couldNotRun;
  }
}

function parseFormat(value: string, flag: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`${flag} ${value}: unknown format (expected one of ${FORMATS.join(', ')})${hint(didYouMean(value, FORMATS))}`);
}

function parseReportTarget(spec: string): { format: Format; file: string } {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--report ${spec}: expected FORMAT=FILE, for example junit=reports/deploy-check.xml`);
  return { format: parseFormat(spec.slice(0, eq), '--report'), file: spec.slice(eq + 1) };
}

function parseFailOn(value: string): Severity {
  if (value === 'error' || value === 'warn') return value;
  throw new UsageError(`--fail-on ${value}: expected error or warn`);
}

function parseDate(value: string): Date {
  const d = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(d.getTime()) || !d.toISOString().startsWith(value)) {
    throw new UsageError(`--as-of ${value}: expected a date as YYYY-MM-DD`);
  }
  return d;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new UsageError(`--timeout ${value}: expected a number of seconds`);
  return n;
}

function parseMegabytes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 64) throw new UsageError(`--memory-limit ${value}: expected a whole number of megabytes, 64 or more`);
  return n;
}

function splitList(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * Writes a report whole or not at all: into a temporary file in the same folder, then renamed over
 * the target, so a full disk leaves the previous report as it was, never a truncated one.
 */
function writeOutput(file: string, text: string): void {
  const target = resolve(file);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

/** A report is never written over a file the run reads (the checklist, the model, a dataset, a document). */
function refuseOverwritingInputs(targets: { flag: string; file: string }[], inputs: string[]): void {
  const identity = (path: string) => {
    try {
      const s = statSync(path);
      return `${s.dev}:${s.ino}`;
    } catch {
      return undefined;
    }
  };
  const ids = new Map(inputs.flatMap((p) => {
    const id = identity(p);
    return id ? [[id, p] as const] : [];
  }));
  for (const t of targets) {
    const id = identity(resolve(t.file));
    const input = inputs.find((p) => p === resolve(t.file)) ?? (id ? ids.get(id) : undefined);
    if (input !== undefined) throw new UsageError(`${t.flag} ${t.file}: refusing to write a report over an input of the run (${relative(process.cwd(), input) || input}); choose another file`);
  }
}

function hint(h: string | undefined): string {
  return h ? ` (${h})` : '';
}
