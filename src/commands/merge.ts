// `deploy-check merge STATE…`: the report of a run from its shards' states.
import { loadChecklist } from '../checklist/load.js';
import { RunContext } from '../checks/context.js';
import { InputError } from '../input/errors.js';
import { readInput } from '../onnx/read-input.js';
import { sha256Hex } from '../input/hash.js';
import { selection } from '../run/runner.js';
import { combineStates, loadState } from '../run/state.js';
import { guard, type Io } from './io.js';
import { reportSettings, runAndReport, type InFlight, type RunCommandOptions } from './run.js';

export interface MergeCommandOptions extends Omit<RunCommandOptions, 'shard' | 'state' | 'only' | 'skip'> {
  /** the checklist, when it is not where the shards read it */
  checklist?: string;
}

/**
 * Checks that the states are the shards of one run (run/state.ts), joins their passes, and runs the
 * checklist on them: evaluation checks on the joined passes, checks that read no data here. Same
 * report and exit codes as `run`.
 */
export function mergeCommand(files: string[], options: MergeCommandOptions, io: Io, inFlight: InFlight = {}): Promise<number> {
  return guard(io, async () => {
    const { first, merged } = combineStates(files.map((file) => ({ file, state: loadState(file) })));
    const settings = reportSettings({ ...options, only: first.selection.only, skip: first.selection.skip });
    const file = options.checklist ?? first.checklist.path;
    const loaded = loadChecklist(file);
    if (loaded.sha256 !== first.checklist.sha256) throw new InputError(file, `is not the checklist the shards ran (its sha256 is ${loaded.sha256}; the states say ${first.checklist.sha256})`);
    const ctx = new RunContext(loaded, settings.now, io.progress, { merged });
    // read here, not through the run: the report lists what its checks read, as the unsharded run's does
    for (const [role, sha256] of Object.entries(first.models)) {
      const spec = ctx.modelSpec(role as 'model' | 'baseline');
      const here = sha256Hex(readInput(ctx.resolve(spec.path), ctx.display(spec.path)));
      if (here !== sha256) throw new InputError(ctx.display(spec.path), `is not the ${role} the shards ran (its sha256 is ${here}; the states say ${sha256})`);
    }
    return runAndReport(loaded, settings, io, inFlight, ctx);
  });
}
