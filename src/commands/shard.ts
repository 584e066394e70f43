// `run --shard i/n --state FILE` (one shard of a run, written as a state) and `run --jobs N` (the
// shards of a run as processes of this machine, merged by run itself).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedChecklist } from '../checklist/load.js';
import { loadChecked } from '../checklist/columns.js';
import type { Merged } from '../checks/context.js';
import type { Part } from '../eval/datasets/part.js';
import { childEnv } from '../input/child-env.js';
import { UsageError } from '../input/errors.js';
import { CLI_FILE } from '../input/version.js';
import { EXIT } from '../report/exit-code.js';
import { runShard } from '../run/shard.js';
import { combineStates, loadState, stateText } from '../run/state.js';
import { DEFAULT_CHECKLIST, refuseOverwritingInputs, splitList, writeOutput, type Io } from './io.js';

/** The options of `run` a shard reads. */
export interface ShardOptions {
  shard?: string;
  state?: string;
  output?: string;
  report?: string[];
  only?: string[];
  skip?: string[];
  memoryLimit?: string;
}

/** `run --shard i/n --state FILE`: this shard's part of every evaluation, as a state; exit 0 once it is written. */
export async function shardCommand(checklist: string | undefined, options: ShardOptions, io: Io): Promise<number> {
  if (options.shard === undefined) throw new UsageError('--state is written by a shard: give --shard i/n too');
  const part = parseShard(options.shard);
  if (options.state === undefined) throw new UsageError(`--shard ${options.shard}: give --state FILE, where this shard's state is written`);
  if (options.output !== undefined || options.report?.length) throw new UsageError('--shard writes a state, not a report: --output and --report belong to merge');
  const loaded = await loadChecked(checklist ?? DEFAULT_CHECKLIST);
  refuseOverwritingInputs([{ flag: '--state', file: options.state }], loaded.inputs);
  const state = await runShard(loaded, { part, only: splitList(options.only), skip: splitList(options.skip), progress: io.progress });
  writeOutput(options.state, stateText(state, options.state));
  return EXIT.ready;
}

/**
 * `--jobs N`: the shards of the run as N processes of this machine (each with its own model host),
 * their states in a temporary folder, joined here. Returns the joined passes, or the first failing
 * shard's message.
 */
export async function runJobs(loaded: LoadedChecklist, jobs: number, options: ShardOptions): Promise<Merged | string> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-check-jobs-'));
  try {
    const pass = [...(options.only ?? []).flatMap((v) => ['--only', v]), ...(options.skip ?? []).flatMap((v) => ['--skip', v]), ...(options.memoryLimit !== undefined ? ['--memory-limit', options.memoryLimit] : [])];
    const files = Array.from({ length: jobs }, (_, i) => join(dir, `shard-${i}.json`));
    const runs = await Promise.all(files.map((file, i) => child(process.execPath, [CLI_FILE, 'run', loaded.file, '--shard', `${i}/${jobs}`, '--state', file, ...pass])));
    const failed = runs.find((r) => r.code !== 0);
    if (failed) return failed.stderr || `deploy-check: a shard of --jobs ended with ${failed.code}\n`;
    return combineStates(files.map((file) => ({ file, state: loadState(file) }))).merged;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function child(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const p = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv({ NO_COLOR: '1' }) });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', fail);
    p.on('close', (code) => done({ code, stderr }));
  });
}

export function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 256) throw new UsageError(`--jobs ${value}: expected a number of processes, 1 to 256`);
  return n;
}

/** "i/n" with 0 ≤ i < n, as Kubernetes' JOB_COMPLETION_INDEX counts. */
export function parseShard(value: string): Part {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count) || count > 10_000) throw new UsageError(`--shard ${value}: expected i/n with 0 ≤ i < n (for example 0/4 … 3/4)`);
  return { index, count };
}
