// `deploy-check score`: the ML Test Score of a checklist.
import { loadChecklist } from '../checklist/load.js';
import { UsageError } from '../input/errors.js';
import { EXIT } from '../report/exit-code.js';
import { formatScore, scoreChecklist } from '../run/score.js';
import { guard, DEFAULT_CHECKLIST, type Io } from './io.js';

export function scoreCommand(checklist: string | undefined, options: { format?: string }, io: Io): Promise<number> {
  return guard(io, async () => {
    const format = options.format ?? 'pretty';
    if (format !== 'pretty' && format !== 'json') throw new UsageError(`--format ${format}: unknown format (expected pretty or json)`);
    const score = scoreChecklist(loadChecklist(checklist ?? DEFAULT_CHECKLIST));
    io.stdout(format === 'json' ? `${JSON.stringify(score, null, 2)}\n` : formatScore(score, io.color));
    return EXIT.ready;
  });
}
