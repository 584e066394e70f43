// `deploy-check run`: load, run, report, write; and what a signal leaves written.
import { dirname, posix, relative, resolve } from 'node:path';
import { loadChecked } from '../checklist/columns.js';
import { UsageError } from '../input/errors.js';
import { EXIT, exitCode } from '../report/exit-code.js';
import type { LoadedChecklist } from '../checklist/load.js';
import { RunContext } from '../checks/context.js';
import { parseJobs, runJobs, shardCommand } from './shard.js';
import { prestartParseThread } from '../eval/datasets/csv-thread.js';
import { PARSE_THREAD_FROM } from '../eval/datasets/parse-worker.js';
import { namesLargeCsv } from '../checklist/may-run-model.js';
import { selection } from '../run/runner.js';
import { FORMATS, formatters, type Format } from '../report/index.js';
import { htmlPartOf } from '../checks/index.js';
import { publishToGithub } from '../report/github.js';
import type { CheckResult, Report, Severity } from '../report/types.js';
import { buildReport, runChecklist } from '../run/runner.js';
import { didYouMean } from '../input/suggest.js';
import { guard, splitList, writeOutput, refuseOverwritingInputs, hint, DEFAULT_CHECKLIST, type Io } from './io.js';

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
  /** i/n: evaluate only this shard's part and write a state (`merge` makes the report) */
  shard?: string;
  state?: string;
  /** N: split the run into N shards run by N processes of this machine, merged here */
  jobs?: string;
}


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
    if (options.jobs !== undefined && (options.shard !== undefined || options.state !== undefined)) throw new UsageError('--jobs runs the shards itself: it does not go with --shard or --state');
    // the shards of --jobs read the data, not this process
    if (options.jobs === undefined && namesLargeCsv(checklist ?? DEFAULT_CHECKLIST, PARSE_THREAD_FROM)) prestartParseThread();
    if (options.shard !== undefined || options.state !== undefined) return shardCommand(checklist, options, io);
    const settings = reportSettings(options);
    const jobs = options.jobs === undefined ? 1 : parseJobs(options.jobs);
    const loaded = await loadChecked(checklist ?? DEFAULT_CHECKLIST);
    if (jobs === 1) return runAndReport(loaded, settings, io, inFlight);
    const merged = await runJobs(loaded, jobs, options);
    if (typeof merged === 'string') {
      io.stderr(merged);
      return EXIT.couldNotRun;
    }
    return runAndReport(loaded, settings, io, inFlight, new RunContext(loaded, settings.now, io.progress, { merged }));
  });
}

/** What a run's report is made and written with, from the command line (shared by run and merge). */
export interface ReportSettings {
  format: Format;
  output: string | undefined;
  extra: { format: Format; file: string }[];
  failOn: Severity;
  now: Date;
  timeout: number | undefined;
  memoryLimitMb: number | undefined;
  only: string[] | undefined;
  skip: string[] | undefined;
}

export function reportSettings(options: RunCommandOptions): ReportSettings {
  return {
    format: parseFormat(options.format ?? 'pretty', '--format'),
    output: options.output,
    extra: (options.report ?? []).map(parseReportTarget),
    failOn: parseFailOn(options.failOn ?? 'error'),
    now: options.asOf === undefined ? new Date() : parseDate(options.asOf),
    timeout: options.timeout === undefined ? undefined : parseSeconds(options.timeout),
    memoryLimitMb: options.memoryLimit === undefined ? undefined : parseMegabytes(options.memoryLimit),
    only: splitList(options.only),
    skip: splitList(options.skip),
  };
}

/** Runs the checklist (with a merge's context, when given) and writes every report; returns the exit code. */
export async function runAndReport(loaded: LoadedChecklist, s: ReportSettings, io: Io, inFlight: InFlight, context?: RunContext): Promise<number> {
  refuseOverwritingInputs([...(s.output !== undefined ? [{ flag: '--output', file: s.output }] : []), ...s.extra.map((t) => ({ flag: '--report', file: t.file }))], loaded.inputs);
  // where the checklist's folder is from here: file locations in SARIF and GitHub annotations
  const root = relative(process.cwd(), dirname(resolve(loaded.file))).split('\\').join('/') || '.';
  const write = (report: Report) => {
    for (const target of s.extra) writeOutput(target.file, formatters[target.format](report, { color: false, root, partOf: htmlPartOf }));
    const main = formatters[s.format](report, { color: io.color && s.output === undefined, root, partOf: htmlPartOf });
    if (s.output !== undefined) writeOutput(s.output, main);
    else io.stdout(main);
    publishToGithub(report, io.env ?? process.env, io.annotate ?? io.stderr, (file) => posix.normalize(posix.join(root, file)));
  };
  // what to write if the run is interrupted: the checks so far, marked incomplete
  const done: CheckResult[] = [];
  inFlight.run = { write, partial: () => buildReport(loaded, done, s.failOn, [], true) };
  try {
    const { only, skip, failOn, now, timeout, memoryLimitMb } = s;
    const report = await runChecklist(loaded, { only, skip, failOn, now, timeout, memoryLimitMb, progress: io.progress, onCheck: (r) => done.push(r), onAbandoned: io.onAbandoned, ...(context ? { context } : {}) });
    inFlight.run = undefined;
    write(report);
    return exitCode(report);
  } finally {
    inFlight.run = undefined;
  }
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

/** What a format is often called elsewhere: named for a suggestion when it is given. */
const FORMAT_ALIASES: Record<string, Format> = { xml: 'junit', text: 'pretty', md: 'markdown', gitlab: 'codequality' };

export function parseFormat(value: string, flag: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  const alias = Object.hasOwn(FORMAT_ALIASES, value.toLowerCase()) ? `did you mean "${FORMAT_ALIASES[value.toLowerCase()]}"?` : undefined;
  throw new UsageError(`${flag} ${value}: unknown format (expected one of ${FORMATS.join(', ')})${hint(alias ?? didYouMean(value, FORMATS))}`);
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
