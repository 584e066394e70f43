import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The check types that run a model (a drift check does too with `predictions: true`). A test holds
 * this list to the checks' own `runsModel`.
 */
export const RUN_MODELS: ReadonlySet<string> = new Set(['metric', 'slices', 'outputs', 'robustness', 'determinism', 'latency', 'fairness', 'claims', 'model']);

/** Commands that never run a model. */
const QUIET: ReadonlySet<string> = new Set(['validate', 'schema', 'diff', 'score', 'help', '--help', '-h', '--version', '-V']);

/**
 * What the command line's entry starts before the program loads, for a command (its arguments
 * after `deploy-check`): the model host when it may run a model (mayRunModel's guess); else, for a
 * `run` (the default command) of one checklist that names a CSV of `bytes` bytes or more, the CSV
 * parsing thread, on the core the host would have taken (namesLargeCsv's guess); else nothing. The
 * checklist is read once for both guesses.
 */
export function startAtEntry(args: readonly string[], bytes: number): 'model host' | 'parse thread' | undefined {
  const command = args[0];
  if (command === undefined) return 'model host';
  if (QUIET.has(command)) return undefined;
  const file = oneChecklist(args);
  const text = file === undefined ? undefined : checklistText(file);
  if (text === undefined || textRunsModel(text)) return 'model host';
  const run = command === 'run' || /\.ya?ml$/i.test(command);
  return run && textNamesLargeCsv(text, file!, bytes) ? 'parse thread' : undefined;
}

/**
 * Whether a command (its arguments after `deploy-check`) may run a model: yes, unless it runs one
 * checklist file whose text names no check type that does (a data or drift check alone: starting
 * onnxruntime would take a core from the reading for nothing). A guess from the text, on the side
 * of yes, made before any module of the CLI is loaded: a host not started here is started when a
 * model is first run, so a wrong guess costs time, never a result.
 */
export function mayRunModel(args: readonly string[]): boolean {
  const file = oneChecklist(args);
  const text = file === undefined ? undefined : checklistText(file);
  return text === undefined || textRunsModel(text);
}

function textRunsModel(text: string): boolean {
  if (/predictions["']?\s*:\s*["']?true/.test(text)) return true;
  for (const m of text.matchAll(/["']?\btype["']?\s*:\s*["']?([\w-]+)/g)) if (RUN_MODELS.has(m[1]!)) return true;
  return false;
}

/** The one checklist file a command names, unless it names several or none, or runs shards (`--jobs`). */
function oneChecklist(args: readonly string[]): string | undefined {
  const rest = args[0] === 'run' ? args.slice(1) : args;
  const files = rest.filter((a) => /\.ya?ml$/i.test(a));
  if (rest.some((a) => a === '--jobs' || a.startsWith('--jobs=')) || files.length !== 1) return undefined;
  return files[0];
}

/**
 * Whether a checklist's text names a CSV file of `bytes` bytes or more (its paths resolved from
 * the checklist's folder): a guess, like mayRunModel's, made before the checklist is read (`run`
 * starts the CSV parsing thread on it).
 */
export function namesLargeCsv(checklist: string, bytes: number): boolean {
  const text = checklistText(checklist);
  return text !== undefined && textNamesLargeCsv(text, checklist, bytes);
}

function textNamesLargeCsv(text: string, checklist: string, bytes: number): boolean {
  for (const m of text.matchAll(/[^\s'"[\]{},]+\.csv\b/gi)) {
    try {
      if (statSync(resolve(dirname(checklist), m[0])).size >= bytes) return true;
    } catch {
      // not a file there: the next
    }
  }
  return false;
}

/** A checklist file's text for a guess, or undefined: a pipe or a device would block, so only a regular file of checklist size is read. */
function checklistText(file: string): string | undefined {
  try {
    const stat = statSync(file);
    return stat.isFile() && stat.size <= 1 << 20 ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}
