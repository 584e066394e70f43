// `deploy-check schema`: the JSON Schema of the checklist format.
import { checklistJsonSchema } from '../checklist/schema.js';
import { EXIT } from '../report/exit-code.js';
import { guard, type Io } from './io.js';

export function schemaCommand(io: Io): Promise<number> {
  return guard(io, async () => {
    io.stdout(`${JSON.stringify(checklistJsonSchema(), null, 2)}\n`);
    return EXIT.ready;
  });
}
