// `deploy-check validate`: every problem of a checklist in one pass, without running it.
import { InvalidChecklist, loadChecklist, partsOf, type LoadedChecklist } from '../checklist/load.js';
import { missingColumns } from '../checklist/columns.js';
import { EXIT } from '../report/exit-code.js';
import { terminalText } from '../report/escape.js';
import { byPosition, ValidationError } from '../input/validate.js';
import { guard, DEFAULT_CHECKLIST, type Io } from './io.js';

export function validateCommand(checklist: string | undefined, io: Io): Promise<number> {
  return guard(io, async () => {
    // one pass: the format, the rules across fields, and the datasets' headers (not their rows) for
    // every column the checklist names, of the parts that are valid when others are not
    let loaded: LoadedChecklist;
    try {
      loaded = loadChecklist(checklist ?? DEFAULT_CHECKLIST);
    } catch (err) {
      if (!(err instanceof InvalidChecklist)) throw err;
      throw new ValidationError(byPosition([...err.problems, ...(await missingColumns(err.parts))]));
    }
    const missing = await missingColumns(partsOf(loaded));
    if (missing.length) throw new ValidationError(missing);
    const n = loaded.checks.length;
    io.stdout(`${terminalText(loaded.file)}: valid checklist, ${n} check${n === 1 ? '' : 's'} (${loaded.checks.map((c) => terminalText(c.id)).join(', ')})\n`);
    return EXIT.ready;
  });
}
