import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeGaps, placesOf } from '../../src/eval/wire.js';

const fault = (what: string): never => {
  throw new Error(what);
};

describe("a state's row places as varint gaps", () => {
  it('give back every ascending list of places, in a byte a place while the gaps are under 128', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3_000_000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (gaps, first) => {
        const places: number[] = [];
        let at = Math.min(first, 2 ** 31 - 1 - 3_000_000 * 300);
        for (const g of [0, ...gaps]) places.push((at += g));
        const bytes = placeGaps(Int32Array.from(places));
        expect([...placesOf(bytes, 'refGaps', fault)]).toEqual(places);
      }),
    );
    // four shards: rows about four apart, one byte each
    const shard = Int32Array.from({ length: 1000 }, (_, i) => 2 + 4 * i + (i % 3));
    expect(placeGaps(shard).length).toBe(1000);
  });
  it('refuse a row not after the one before, a value cut short, a place past 2^31 − 1', () => {
    expect(() => placesOf(Uint8Array.from([5, 0]), 'refGaps', fault)).toThrow('refGaps: row 1 is not after row 0 (rows are in file order)');
    expect(() => placesOf(Uint8Array.from([5, 0x85]), 'refGaps', fault)).toThrow('refGaps: cut short inside a value');
    expect(() => placesOf(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x07, 1]), 'refGaps', fault)).toThrow('refGaps: row 1 is past 2^31 − 1');
    expect(() => placesOf(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 'refGaps', fault)).toThrow('refGaps: row 0 is past 2^31 − 1');
  });
});
