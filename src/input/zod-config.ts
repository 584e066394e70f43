import { z } from 'zod';

// zod compiles a parser for each object schema with `new Function` at its first parse (its "JIT"),
// which pays off over many parses of one shape; deploy-check parses a checklist once, so each
// compile is all cost (~10 ms of every command's start, on 2 cores). zod reads the setting when a
// schema is built: this module is the program's first import (src/program.ts), before any schema.
z.config({ jitless: true });
