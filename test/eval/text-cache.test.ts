import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextCache } from '../../src/eval/datasets/text-cache.js';

describe("a column's texts made into strings once", () => {
  it('gives what decoding the bytes gives, for any text: repeated, long, not ASCII, more distinct than it keeps', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('Biscoe', 'Dream', 'MALE', '', 'é', 'x'.repeat(60)), fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 300 }), (texts) => {
        const cache = new TextCache();
        const buf = Buffer.from(texts.join('\n'));
        let s = 0;
        for (const t of texts) {
          const e = s + Buffer.byteLength(t);
          expect(cache.text(buf, s, e)).toBe(buf.toString('utf8', s, e));
          s = e + 1;
        }
      }),
    );
  });
  it('hands the same string out again for the same bytes, and is still right past 4,096 distinct texts (where it stops caching)', () => {
    const cache = new TextCache();
    const a = Buffer.from('Torgersen,Torgersen');
    expect(cache.text(a, 0, 9)).toBe('Torgersen');
    // the same string object: no new string a row
    const first = cache.text(a, 0, 9);
    expect(Object.is(cache.text(a, 10, 19), first)).toBe(true);
    const many = Buffer.from(Array.from({ length: 5000 }, (_, i) => `id${i}`).join(','));
    let s = 0;
    for (let i = 0; i < 5000; i++) {
      const e = many.indexOf(',', s) < 0 ? many.length : many.indexOf(',', s);
      expect(cache.text(many, s, e)).toBe(`id${i}`);
      s = e + 1;
    }
    expect(cache.text(a, 0, 9)).toBe('Torgersen');
  });
});
