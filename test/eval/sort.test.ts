import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sortFloat32 } from '../../src/eval/metrics/sort.js';
import { ROOT } from '../helpers.js';

/**
 * The native sort's result, element by element (Object.is: −0 and +0 told apart): through a
 * scratch as long as the values (digit passes alone), and through a small one (the values
 * distributed in place first, each bucket then by digits, or in place again when still too large).
 */
function expectNativeOrder(values: Float32Array): void {
  const want = Float32Array.from(values).sort();
  for (const scratch of [values.length, 5000]) {
    const got = sortFloat32(Float32Array.from(values), scratch);
    expect(got.length).toBe(want.length);
    const firstDiff = want.findIndex((v, i) => !Object.is(v, got[i]));
    expect(firstDiff).toBe(-1);
  }
}

describe('sortFloat32 (radix): the native sort, element for element', () => {
  // a seeded generator: the same cases at every run
  let state = 0x9e3779b9;
  const next = () => ((state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);

  it.each([4096, 10_000, 100_003])('%i scores in (0, 1), with ties', (n) => {
    expectNativeOrder(Float32Array.from({ length: n }, () => Math.round(next() * 5000) / 5000));
  });

  it('negative and positive values, ±0, ±Infinity, the smallest subnormals and the largest floats', () => {
    const special = [0, -0, Infinity, -Infinity, 1.4e-45, -1.4e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1, -1];
    expectNativeOrder(Float32Array.from({ length: 50_000 }, (_, i) => (i % 7 === 0 ? special[i % special.length]! : (next() - 0.5) * 10 ** Math.floor(next() * 20 - 10))));
  });

  it('every value the same (passes that move nothing are skipped), and two values only', () => {
    expectNativeOrder(new Float32Array(8192).fill(0.25));
    expectNativeOrder(Float32Array.from({ length: 8192 }, (_, i) => (i % 3 ? 0.75 : -0.75)));
  });

  it('a view into a larger buffer sorts only its own elements', () => {
    const whole = Float32Array.from({ length: 20_000 }, (_, i) => 20_000 - i);
    const view = whole.subarray(5000, 15_000);
    sortFloat32(view);
    expect(whole[4999]).toBe(15_001);
    expect(whole[15_000]).toBe(5000);
    expect(view[0]).toBe(5001);
    expect(view[9999]).toBe(15_000);
  });
});

describe('sortFloat32: distributions that crowd into few buckets', () => {
  let state = 7;
  const next = () => ((state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  it('probabilities in [0.5, 1) (one exponent), a few distinct values among many, one value with a few outliers', () => {
    expectNativeOrder(Float32Array.from({ length: 200_000 }, () => 0.5 + next() / 2));
    expectNativeOrder(Float32Array.from({ length: 100_000 }, () => [0.1, 0.2, 0.9][Math.floor(next() * 3)]!));
    expectNativeOrder(Float32Array.from({ length: 100_000 }, (_, i) => (i % 10_000 === 0 ? next() : 0.3)));
  });
  it('values that differ only in their lowest mantissa bits', () => {
    const bits = Uint32Array.from({ length: 100_000 }, () => 0x3f000000 + Math.floor(next() * 64));
    expectNativeOrder(new Float32Array(bits.buffer));
  });
});

describe('sortFloat32 under V8', () => {
  it('sorting a million scores throws out no optimised code: each long loop is a function of its own (V8 traces)', () => {
    // the built module in a fresh process, traced: a loop optimised while it ran was code for its
    // whole function, stopped at the first line after it (wholeLsd, three loops, left twice)
    const script = `const { sortFloat32 } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'eval', 'metrics', 'sort.js')).href)});
      let seed = 7;
      const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
      for (const n of [1_000_000, 600_000]) {
        const a = Float32Array.from({ length: n }, () => random());
        sortFloat32(a);
        for (let i = 1; i < n; i++) if (a[i - 1] > a[i]) throw new Error('not sorted');
      }
      console.log('sorted');`;
    const trace = execFileSync(process.execPath, ['--trace-opt', '--trace-deopt', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(trace).toContain('sorted');
    expect(trace.split('\n').filter((l) => /bailout .*JSFunction (wholeLsd|turnAndCount|turnBack|scatter) /.test(l))).toEqual([]);
  });
});
