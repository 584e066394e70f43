import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSum, exactSum } from '../../src/eval/metrics/exact-sum.js';

const sumOf = (values: number[]) => exactSum(values.length, (i) => values[i]!);

/** A finite double as an exact integer multiple of 2^-1074 (every finite double is one). */
function scaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const mantissa = bits & ((1n << 52n) - 1n);
  const m = exponent === 0 ? mantissa : mantissa | (1n << 52n);
  const v = m << BigInt(Math.max(exponent - 1, 0));
  return bits >> 63n ? -v : v;
}

/** The next double above x (x finite). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (x > 0 ? 1n : -1n));
  return view.getFloat64(0);
}
const nextDown = (x: number) => -nextUp(-x);
const lastBit = (x: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getUint8(7) & 1;
};
const abs = (v: bigint) => (v < 0n ? -v : v);

describe('ExactSum: the exact sum, rounded once', () => {
  // math.fsum's results (CPython 3, run on these lists): the reference implementation of this algorithm
  it.each([
    [[1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50], 1e-100],
    [[2 ** 53, -0.5, -(2 ** -54)], 9007199254740991.0],
    [[2 ** 53, 1.0, 2 ** -100], 9007199254740994.0],
    [[2 ** 53 + 10.0, 1.0, 2 ** -100], 9007199254741004.0],
    [[2 ** 53 - 4.0, 0.5, 2 ** -54], 9007199254740989.0],
    [[1e16, 1, 1e-16], 1.0000000000000002e16],
    [[1e16 - 2, 1 - 2 ** -53, -(1e16 - 2), -(1 - 2 ** -53)], 0],
    [Array.from({ length: 1000 }, (_, k) => 1 / (k + 1)), 7.485470860550345],
    [Array.from({ length: 1000 }, (_, k) => (-1) ** (k + 1) / (k + 1)), -0.6926474305598203],
    [[...Array.from({ length: 1000 }, (_, i) => 1.7 ** (i + 1) - 1.7 ** i), -(1.7 ** 1000)], -1.0],
    [Array.from({ length: 10 }, () => 0.1), 1.0],
    [[], 0],
  ])('math.fsum agrees: case %#', (values, expected) => {
    expect(sumOf(values)).toBe(expected);
  });

  it('is the double nearest the exact sum (ties to even), in any order', () => {
    const double = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), fc.integer({ min: -1000, max: 1000 }).map((k) => k / 8), fc.double({ noNaN: true, min: -1e-300, max: 1e-300 }));
    fc.assert(
      fc.property(fc.array(double, { maxLength: 40 }), fc.nat(), (values, seed) => {
        const r = sumOf(values);
        const exact = values.reduce((s, v) => s + scaled(v), 0n);
        const err = abs(exact - scaled(r));
        for (const other of [nextUp(r), nextDown(r)]) {
          if (!Number.isFinite(other)) continue;
          const e = abs(exact - scaled(other));
          expect(err <= e).toBe(true);
          // a tie goes to the even one (the last bit of the mantissa 0)
          if (err === e) expect(lastBit(r)).toBe(0);
        }
        const shuffled = [...values].sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13) || 0);
        expect(sumOf(shuffled)).toBe(r);
        expect(sumOf([...values].reverse())).toBe(r);
      }),
      { numRuns: 2000 },
    );
  });

  it('millions of values: the bins, emptied every 2^20 values, lose nothing', () => {
    // every bit of the mantissa set, so that a bin's sums grow as fast as they can (2^22 of them would
    // pass 2^53 unflushed); a few of other signs and places
    const x = 1 + (2 ** 52 - 1) * 2 ** -52;
    const values = [x, -(2 ** -20 + (2 ** 32 - 1) * 2 ** -72), x * 2 ** -1060];
    const counts = [0, 0, 0];
    const s = new ExactSum();
    for (let i = 0; i < 2 ** 22 + 3; i++) {
      const k = i % 100 === 99 ? 1 : i % 1000 === 0 ? 2 : 0;
      s.add(values[k]!);
      counts[k]!++;
    }
    const exact = values.reduce((sum, v, k) => sum + BigInt(counts[k]!) * scaled(v), 0n);
    const r = s.value();
    const err = abs(exact - scaled(r));
    expect(err <= abs(exact - scaled(nextUp(r)))).toBe(true);
    expect(err <= abs(exact - scaled(nextDown(r)))).toBe(true);
  });

  it('NaN and infinities: the sum is theirs', () => {
    expect(sumOf([1, NaN, 2])).toBeNaN();
    expect(sumOf([1, Infinity, 2])).toBe(Infinity);
    expect(sumOf([Infinity, -Infinity])).toBeNaN();
    expect(sumOf([1.7e308, 1.7e308])).toBe(Infinity);
    const s = new ExactSum();
    for (let i = 0; i < 100; i++) s.add(2 ** (i * 20 - 1000));
    expect(s.value()).toBe(sumOf(Array.from({ length: 100 }, (_, i) => 2 ** (i * 20 - 1000))));
  });
});
