// `deploy-check profile`: a reference profile of a dataset.
import { loadChecklist } from '../checklist/load.js';
import { EXIT } from '../report/exit-code.js';
import { terminalText } from '../report/escape.js';
import { runChecklist } from '../run/runner.js';
import { RunContext } from '../checks/context.js';
import { buildProfile } from '../checks/profile.js';
import { resolveDatasetName } from '../spec/datasets.js';
import { guard, writeOutput, refuseOverwritingInputs, DEFAULT_CHECKLIST, type Io } from './io.js';

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
