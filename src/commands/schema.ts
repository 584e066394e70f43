// `deploy-check schema [checklist|report|diff]`: the JSON Schema of the checklist format, or of a JSON contract.
import { checklistJsonSchema } from '../checklist/schema.js';
import { EXIT } from '../report/exit-code.js';
import { contractJsonSchema } from '../report/schema.js';
import { guard, type Io } from './io.js';

export function schemaCommand(contract: 'checklist' | 'report' | 'diff', io: Io): Promise<number> {
  return guard(io, async () => {
    const schema = contract === 'checklist' ? checklistJsonSchema() : contractJsonSchema(contract);
    io.stdout(`${JSON.stringify(schema, null, 2)}\n`);
    return EXIT.ready;
  });
}
