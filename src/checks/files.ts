import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { sha256 } from '../spec/fields.js';
import type { Finding } from '../report/types.js';
import { defineCheck } from './define.js';
import { once } from '../input/once.js';

const entry = once(() =>
  z.union([z.string().min(1), z.strictObject({ path: z.string().min(1), sha256: sha256().optional() })]),
);

export default defineCheck({
  type: 'files',
  title: 'Required files',
  runsModel: false,
  shards: 'merge',
  htmlPart: 'process',
  mlTestScore: [],
  description: 'Required files exist, are regular files, are not empty, and match their pinned sha256.',
  options: () => ({
    files: z.array(entry()).min(1).describe('Paths relative to the checklist, or { path, sha256 }'),
  }),
  async run(options, ctx) {
    const findings: Finding[] = [];
    for (const e of options.files) {
      const { path, sha256: pin } = typeof e === 'string' ? { path: e, sha256: undefined } : e;
      const shown = ctx.display(path);
      const st = await stat(ctx.resolve(path)).catch(() => undefined);
      if (!st) {
        findings.push({ code: 'missing', message: `${shown} does not exist`, location: shown, hint: 'add the file or fix its path (relative to the checklist)' });
        continue;
      }
      if (!st.isFile()) {
        findings.push({ code: 'not-a-file', message: `${shown} is not a regular file`, location: shown });
        continue;
      }
      // streamed: a data file listed here may be larger than memory
      const { sha256: digest, blank } = await ctx.streamDigest(path);
      if (blank) {
        findings.push({ code: 'empty', message: `${shown} is empty`, location: shown });
      }
      if (pin && pin !== digest) {
        findings.push({ code: 'sha256-mismatch', message: `${shown} has sha256 ${digest}, expected ${pin}`, location: shown, hint: 'the file changed since it was pinned' });
      }
    }
    return { findings, summary: `${options.files.length} file${options.files.length === 1 ? '' : 's'} present${options.files.some((f) => typeof f !== 'string' && f.sha256) ? ', pins match' : ''}` };
  },
});
