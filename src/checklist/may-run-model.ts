import { readFileSync, statSync } from 'node:fs';

/**
 * The check types that run a model (a drift check does too with `predictions: true`). A test holds
 * this list to the checks' own `runsModel`.
 */
export const RUN_MODELS: ReadonlySet<string> = new Set(['metric', 'slices', 'outputs', 'robustness', 'determinism', 'latency', 'fairness', 'claims', 'model']);

/**
 * Whether a command (its arguments after `deploy-check`) may run a model: yes, unless it runs one
 * checklist file whose text names no check type that does (a data or drift check alone: starting
 * onnxruntime would take a core from the reading for nothing). A guess from the text, on the side
 * of yes, made before any module of the CLI is loaded: a host not started here is started when a
 * model is first run, so a wrong guess costs time, never a result.
 */
export function mayRunModel(args: readonly string[]): boolean {
  const rest = args[0] === 'run' ? args.slice(1) : args;
  const files = rest.filter((a) => /\.ya?ml$/i.test(a));
  if (rest.some((a) => a === '--jobs' || a.startsWith('--jobs=')) || files.length !== 1) return true;
  let text: string;
  try {
    // a pipe or a device would block: only a regular file of checklist size is read
    const stat = statSync(files[0]!);
    if (!stat.isFile() || stat.size > 1 << 20) return true;
    text = readFileSync(files[0]!, 'utf8');
  } catch {
    return true;
  }
  if (/predictions["']?\s*:\s*["']?true/.test(text)) return true;
  for (const m of text.matchAll(/["']?\btype["']?\s*:\s*["']?([\w-]+)/g)) if (RUN_MODELS.has(m[1]!)) return true;
  return false;
}
