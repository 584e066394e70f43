import { describe, expect, it } from 'vitest';
import { READ_AT, readBuffer } from '../../src/input/read-buffer.js';
import { CHUNK, READ_BUFFER, ROOM } from '../../src/eval/datasets/csv-lines.js';

// The kernel's copy of a file's pages into a buffer 8 to 24 bytes past a page boundary is several
// times slower (input/read-buffer.ts): large reads land READ_AT bytes past the start of memory of
// their own, never at its start, which the C allocator puts 16 bytes past a boundary.
describe('read targets', () => {
  it('readBuffer gives `bytes` bytes READ_AT bytes into an ArrayBuffer of its own', () => {
    const b = readBuffer(1 << 20);
    expect(b.length).toBe(1 << 20);
    expect(b.byteOffset).toBe(READ_AT);
    expect(b.buffer.byteLength).toBe((1 << 20) + READ_AT);
    expect(READ_AT % 4096).toBeGreaterThan(24);
  });

  it("the CSV reader reads each chunk READ_AT bytes past a page boundary of its buffer's memory", () => {
    // csv.ts reads a chunk at ROOM into a buffer of READ_BUFFER bytes, the buffer's memory its own
    expect(ROOM % 4096).toBe(READ_AT);
    expect(READ_BUFFER).toBe(ROOM + CHUNK);
    expect(ROOM).toBeGreaterThanOrEqual(1 << 16);
  });
});
