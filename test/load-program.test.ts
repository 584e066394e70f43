import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const LOADER = join(ROOT, 'dist', 'load-program.js');
const { PROGRAM_CACHE, PROGRAM_FILE } = (await import(LOADER)) as typeof import('../src/load-program.js');

/** Whether V8 rejects `cache` for the built bundle, in a fresh Node.js (a process compiles a source once: the next compile of it would not read a cache). */
function rejected(cache: string, flags: string[] = []): boolean {
  const code = `const { compileProgram } = await import(${JSON.stringify(LOADER)}); const { readFileSync } = await import('node:fs'); process.stdout.write(String(compileProgram(readFileSync(${JSON.stringify(cache)})).cachedDataRejected));`;
  return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8' })) as boolean;
}

describe('the program bundle and its code cache (made by npm run build)', () => {
  it('the cache is accepted by the Node.js that built it, and rejected for another one or other V8 flags, the bundle then compiled from its source', () => {
    expect(rejected(PROGRAM_CACHE)).toBe(false);
    const other = join(mkdtempSync(join(tmpdir(), 'deploy-check-cache-')), 'program.cjs.cache');
    const cache = readFileSync(PROGRAM_CACHE);
    // V8 checks a header: its version, the source's length, the flags, a checksum
    cache.writeUInt32LE(cache.readUInt32LE(4) ^ 1, 4);
    writeFileSync(other, cache);
    expect(rejected(other)).toBe(true);
    expect(rejected(PROGRAM_CACHE, ['--max-old-space-size=64'])).toBe(true);
  });

  it('the cache holds the bytecode of the functions a run compiled, not only of the top level (scripts/code-cache.mjs)', () => {
    const code = `const { compileProgram } = await import(${JSON.stringify(LOADER)}); process.stdout.write(String(compileProgram().createCachedData().length));`;
    const topLevel = Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
    // ~0.5 MB for the top level, ~1.2 MB after the example checklist's run
    expect(readFileSync(PROGRAM_CACHE).length).toBeGreaterThan(topLevel * 1.5);
  });

  it('a rejected cache still runs the CLI', () => {
    const out = execFileSync(process.execPath, ['--max-old-space-size=64', join(ROOT, 'dist', 'cli.cjs'), '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('the bundle is ASCII, so that reading it as Latin-1 is exact', () => {
    expect(readFileSync(PROGRAM_FILE).findIndex((b) => b > 0x7f)).toBe(-1);
  });
});
