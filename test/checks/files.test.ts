import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/input/hash.js';
import { checklistWith, runScenario } from '../helpers.js';

async function files(list: string, extra: Record<string, string> = {}) {
  const report = await runScenario({ 'checklist.yaml': checklistWith(`  - type: files\n    files:\n${list}`), ...extra });
  return { report, check: report.checks[0]!, messages: report.checks[0]!.findings.map((f) => f.message) };
}

describe('files', () => {
  it('passes when every file exists, is not empty and matches its pin', async () => {
    const r = await files(`      - README.md\n      - { path: data/holdout.csv, sha256: ${sha256Hex(Buffer.from('a,b\n1,2\n'))} }\n`, { 'README.md': '# hi\n', 'data/holdout.csv': 'a,b\n1,2\n' });
    expect(r.messages).toEqual([]);
    expect(r.check.status).toBe('pass');
    expect(r.report.inputs.map((i) => i.path)).toEqual(['README.md', 'data/holdout.csv']);
  });

  it('reports missing, empty, folder and changed files, each as a finding', async () => {
    const r = await files(`      - missing.txt\n      - empty.txt\n      - sub\n      - { path: data.csv, sha256: ${'f'.repeat(64)} }\n`, { 'empty.txt': '  \n', 'sub/x': 'x', 'data.csv': 'a\n' });
    expect(r.check.findings.map((f) => f.code)).toEqual(['missing', 'empty', 'not-a-file', 'sha256-mismatch']);
    expect(r.messages[3]).toBe(`data.csv has sha256 ${sha256Hex(Buffer.from('a\n'))}, expected ${'f'.repeat(64)}`);
  });
});

describe('files: streamed, never held whole (a listed data file may be larger than memory)', () => {
  it('a file of several stream chunks: its digest and size as evidence; blank only when it holds nothing but whitespace (a byte-order mark aside)', async () => {
    // 200,000 lines of 16 bytes: several 64 KiB chunks of the stream, the one non-blank byte last
    const big = `${' '.repeat(15)}\n`.repeat(200_000);
    const r = await files('      - big.txt\n      - late.txt\n      - bom.txt\n', { 'big.txt': big, 'late.txt': `${big}x`, 'bom.txt': '\ufeff \r\n\t' });
    expect(r.check.findings.map((f) => f.message)).toEqual(['big.txt is empty', 'bom.txt is empty']);
    expect(r.report.inputs.find((i) => i.path === 'late.txt')).toEqual({ path: 'late.txt', sha256: sha256Hex(Buffer.from(`${big}x`)), bytes: big.length + 1 });
  });
});

describe('files: entries', () => {
  it('says what is wrong inside an entry, and why an all-digit digest fails', async () => {
    await expect(files(`      - { path: a, sha256: ${'1'.repeat(64)} }\n`)).rejects.toThrow(
      /checklist\.yaml:7:28 {2}integer 1{64} is beyond 2\^53 and cannot be represented exactly \(quote it if it is text, such as a digest\)/,
    );
    await expect(files('      - { path: a, sha256: 1234 }\n')).rejects.toThrow(
      /checklist\.yaml:7:28 {2}checks\[0\]\.files\[0\]\.sha256: expected a sha256 digest, received a number \(quote the digest/,
    );
    await expect(files('      - { path: a, sha: x }\n')).rejects.toThrow(/checklist\.yaml:7:20 {2}checks\[0\]\.files\[0\]\.sha: unknown key "sha" \(did you mean "sha256"\?\)/);
    await expect(files('      - 12\n')).rejects.toThrow(/checklist\.yaml:7:9 {2}checks\[0\]\.files\[0\]: expected string or mapping, received number 12/);
  });
});
