// `deploy-check validate`: every problem of a checklist in one pass, without running it.
import { loadChecked } from '../checklist/columns.js';
import { EXIT } from '../report/exit-code.js';
import { terminalText } from '../report/escape.js';
import { guard, DEFAULT_CHECKLIST, type Io } from './io.js';

export function validateCommand(checklist: string | undefined, io: Io): Promise<number> {
  return guard(io, async () => {
    // one pass: the format, the rules across fields, and the datasets' headers (not their rows)
    const loaded = await loadChecked(checklist ?? DEFAULT_CHECKLIST);
    const n = loaded.checks.length;
    io.stdout(`${terminalText(loaded.file)}: valid checklist, ${n} check${n === 1 ? '' : 's'} (${loaded.checks.map((c) => terminalText(c.id)).join(', ')})\n`);
    return EXIT.ready;
  });
}
