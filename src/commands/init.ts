// `deploy-check init`: a starter checklist for a model.
import { EXIT } from '../report/exit-code.js';
import { terminalText } from '../report/escape.js';
import { initChecklist } from '../run/init.js';
import { guard, splitList, DEFAULT_CHECKLIST, type Io } from './io.js';

export function initCommand(options: { model: string; dataset?: string; label?: string; inputs?: string; drop?: string; classes?: string; positive?: string; logits?: boolean; output?: string }, io: Io): Promise<number> {
  return guard(io, async () => {
    const list = (v: string | undefined) => (v === undefined ? undefined : splitList([v]));
    const written = await initChecklist({ ...options, inputs: list(options.inputs), drop: list(options.drop), classes: list(options.classes), output: options.output ?? DEFAULT_CHECKLIST, now: new Date() });
    for (const w of written.warnings) io.stderr(`warning: ${terminalText(w)}\n`);
    io.stdout(`wrote ${terminalText(written.file)}: ${written.checks} check${written.checks === 1 ? '' : 's'}. Read it, then run: deploy-check ${terminalText(written.file)}\n`);
    return EXIT.ready;
  });
}
