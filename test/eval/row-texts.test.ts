import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowTexts } from '../../src/eval/datasets/types.js';

describe("RowTexts: a batch's other cells by row, as a Map of them would hold them", () => {
  it('the same size, lookups and rows in ascending order after any sets and clears', () => {
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(fc.integer({ min: 0, max: 63 }), fc.constantFrom('', 'NA', 'x', 'Biscoe')) },
      { weight: 1, arbitrary: fc.constant('clear' as const) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const got = new RowTexts(64);
        const want = new Map<number, string>();
        for (const o of ops) {
          if (o === 'clear') {
            got.clear();
            want.clear();
          } else {
            got.set(o[0], o[1]);
            want.set(o[0], o[1]);
          }
          expect(got.size).toBe(want.size);
        }
        for (let i = 0; i < 64; i++) {
          expect(got.has(i)).toBe(want.has(i));
          expect(got.get(i)).toBe(want.get(i));
        }
        expect([...got]).toEqual([...want].sort((a, b) => a[0] - b[0]));
      }),
    );
  });
});
