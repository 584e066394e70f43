// What every command shares: the process it may touch (Io), one line and exit 2 for any failure,
// reports written whole and never over an input, lists from the command line.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { DeployCheckError, UsageError } from '../input/errors.js';
import { EXIT } from '../report/exit-code.js';
import { terminalText } from '../report/escape.js';
import type { ProgressSink } from '../checks/context.js';
import { ValidationError } from '../input/validate.js';

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

export const DEFAULT_CHECKLIST = 'deploy-check.yaml';


/** Every failure to run becomes one clear line on stderr and exit code 2; never a stack trace for bad input. */
export async function guard(io: Io, fn: () => Promise<number>): Promise<number> {
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


export function splitList(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * Writes a report whole or not at all: into a temporary file in the same folder, then renamed over
 * the target, so a full disk leaves the previous report as it was, never a truncated one.
 */
export function writeOutput(file: string, text: string): void {
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
export function refuseOverwritingInputs(targets: { flag: string; file: string }[], inputs: string[]): void {
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

export function hint(h: string | undefined): string {
  return h ? ` (${h})` : '';
}
