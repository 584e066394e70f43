import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

// The checklist's schema is built with the check types a checklist names (checklist/schema.ts:
// zod builds every schema it is given, and all of them took ~30 ms of each start). A checklist must
// be valid or not, with the same messages, as against the schema of every type.
describe('the checklist schema, built with the types a checklist names', () => {
  it('builds the options of the types named, once each, and of every type only when asked for all', async () => {
    vi.resetModules();
    const { registry } = await import('../../src/checks/index.js');
    const calls = new Map<string, number>();
    for (const def of registry) {
      const options = def.options;
      (def as { options: () => unknown }).options = () => {
        calls.set(def.type, (calls.get(def.type) ?? 0) + 1);
        return options();
      };
    }
    const { checklistSchemas } = await import('../../src/checklist/schema.js');
    checklistSchemas([{ type: 'metric' }, { type: 'metric', metric: 'f1' }]);
    expect([...calls]).toEqual([['metric', 1]]);
    checklistSchemas([{ type: 'drift' }, { type: 'metric' }]);
    expect([...calls]).toEqual([['metric', 1], ['drift', 1]]);
    // a type that is none: every type, so that the message can name them
    checklistSchemas([{ type: 'metrc' }]);
    expect(calls.size).toBe(registry.length);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    vi.resetModules();
  });

  // every checklist of the repository, and each broken in ways that reach a check's own options, a
  // check's type and the list itself: the same result and the same issues from both schemas
  it('validates every example checklist, and broken ones, as the schema of every type does', async () => {
    const { checklistSchemas } = await import('../../src/checklist/schema.js');
    const docs = readdirSync(join(ROOT, 'checklists'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => parse(readFileSync(join(ROOT, 'checklists', f), 'utf8')) as { checks: Record<string, unknown>[] });
    expect(docs.length).toBeGreaterThanOrEqual(8);
    const variants: unknown[] = [];
    for (const doc of docs) {
      variants.push(doc);
      doc.checks.forEach((check, i) => {
        const withCheck = (c: unknown) => ({ ...doc, checks: doc.checks.map((d, j) => (j === i ? c : d)) });
        variants.push(withCheck({ ...check, colums: ['a'] }));
        variants.push(withCheck({ ...check, severity: 'fatal' }));
        variants.push(withCheck({ ...check, type: `${String(check.type)}s` }));
        variants.push(withCheck({ ...check, type: undefined }));
        variants.push(withCheck(Object.fromEntries(Object.entries(check).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]))));
      });
      variants.push({ ...doc, checks: [] });
      variants.push({ ...doc, checks: 'metric' });
      variants.push({ ...doc, checks: [...doc.checks, 7] });
    }
    const all = checklistSchemas(undefined);
    let invalid = 0;
    for (const value of variants) {
      const { checklist, check } = checklistSchemas((value as { checks?: unknown }).checks);
      const mine = checklist.safeParse(value, { reportInput: true });
      const theirs = all.checklist.safeParse(value, { reportInput: true });
      expect(mine.success).toBe(theirs.success);
      expect(JSON.stringify(mine.success ? mine.data : mine.error.issues)).toBe(JSON.stringify(theirs.success ? theirs.data : theirs.error.issues));
      if (!mine.success) invalid++;
      // one check at a time, as an invalid checklist's valid parts are kept
      for (const c of Array.isArray((value as { checks?: unknown }).checks) ? ((value as { checks: unknown[] }).checks) : []) {
        expect(JSON.stringify(check.safeParse(c))).toBe(JSON.stringify(all.check.safeParse(c)));
      }
    }
    expect(invalid).toBeGreaterThan(variants.length / 2);
  });
});
