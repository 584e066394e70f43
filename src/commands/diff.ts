// `deploy-check diff`: what changed between two JSON reports.
import { resolve } from 'node:path';
import { UsageError } from '../input/errors.js';
import { diffExitCode, diffReports, readReport } from '../report/diff.js';
import { DIFF_FORMATS, formatDiff } from '../report/diff-formats.js';
import { guard, writeOutput, refuseOverwritingInputs, type Io } from './io.js';

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
