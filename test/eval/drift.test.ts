import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as S from '../../src/eval/drift/stats.js';
import { FIXTURES } from '../helpers.js';

interface NumericCase {
  name: string;
  kind: 'numeric';
  reference: number[];
  current: number[];
  bins: number;
  expected: { ks_statistic: number; ks_p_value: number; wasserstein: number; std: number; edges: number[]; reference_counts: number[]; current_counts: number[]; psi: number; jensenshannon: number };
}
interface CategoricalCase {
  name: string;
  kind: 'categorical';
  reference_counts: number[];
  current_counts: number[];
  expected: { chi2: number; p_value: number; dof: number; cramers_v: number; psi: number; jensenshannon: number };
}
const data = JSON.parse(readFileSync(join(FIXTURES, 'expected', 'drift.json'), 'utf8')) as {
  cases: (NumericCase | CategoricalCase)[];
  benjamini_hochberg: { p: number[]; adjusted: number[] };
};

const close = (actual: number, expected: number, rel = 1e-9) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-14);

describe('drift statistics agree with scipy (fixtures/expected/drift.json)', () => {
  for (const c of data.cases) {
    if (c.kind === 'numeric') {
      it(`${c.name}: KS, Wasserstein, quantile bins, PSI, Jensen-Shannon`, () => {
        const a = Float64Array.from(c.reference);
        const b = Float64Array.from(c.current);
        const d = S.ksStatistic(a, b);
        close(d, c.expected.ks_statistic);
        close(S.ksPValue(d, a.length, b.length), c.expected.ks_p_value);
        close(S.wasserstein(a, b), c.expected.wasserstein);
        close(S.std(a), c.expected.std);
        const edges = S.quantileEdges(a, c.bins);
        expect(edges.length).toBe(c.expected.edges.length);
        edges.forEach((e, i) => close(e, c.expected.edges[i]!));
        expect(S.binCounts(a, edges)).toEqual(c.expected.reference_counts);
        expect(S.binCounts(b, edges)).toEqual(c.expected.current_counts);
        close(S.psi(c.expected.reference_counts, c.expected.current_counts), c.expected.psi);
        close(S.jensenShannon(c.expected.reference_counts, c.expected.current_counts), c.expected.jensenshannon);
      });
    } else {
      it(`${c.name}: chi-square (with Yates' correction for 2 categories), PSI, Jensen-Shannon`, () => {
        const t = S.chiSquare(c.reference_counts, c.current_counts);
        close(t.statistic, c.expected.chi2);
        close(t.pValue, c.expected.p_value);
        expect(t.dof).toBe(c.expected.dof);
        close(t.cramersV, c.expected.cramers_v);
        close(S.psi(c.reference_counts, c.current_counts), c.expected.psi);
        close(S.jensenShannon(c.reference_counts, c.current_counts), c.expected.jensenshannon);
      });
    }
  }
  it('Benjamini-Hochberg', () => {
    S.benjaminiHochberg(data.benjamini_hochberg.p).forEach((v, i) => close(v, data.benjamini_hochberg.adjusted[i]!));
  });
  it("KS's D and Wasserstein's area from one walk equal the distribution functions evaluated at every value (samples with ties, one inside the other, disjoint, one value)", () => {
    const sample = fc.array(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(sample, sample, (ref, cur) => {
        // F(t) = share of the sample at or below t, at each of the merged values, by counting
        const all = [...new Set([...ref, ...cur].map((v) => v + 0))].sort((x, y) => x - y);
        const F = (s: number[], t: number) => s.filter((v) => v <= t).length / s.length;
        let d = 0;
        let area = 0;
        all.forEach((t, k) => {
          d = Math.max(d, Math.abs(F(ref, t) - F(cur, t)));
          if (k + 1 < all.length) area += Math.abs(F(ref, t) - F(cur, t)) * (all[k + 1]! - t);
        });
        expect(S.ksStatistic(Float64Array.from(ref), Float64Array.from(cur))).toBe(d);
        close(S.wasserstein(Float64Array.from(ref), Float64Array.from(cur)), area, 1e-12);
      }),
      { numRuns: 400 },
    );
  });
  it('identical samples do not drift', () => {
    const a = Float64Array.from({ length: 50 }, (_, i) => i % 7);
    expect(S.ksStatistic(a, a)).toBe(0);
    expect(S.wasserstein(a, a)).toBe(0);
    expect(S.ksPValue(0, 50, 50)).toBe(1);
  });
});

describe('a numeric column collected as it streams by', () => {
  it('counts past 255 in a bin (a byte a bin, the rest kept aside) through finer grids and wider bins', () => {
    // few distinct values, many rows: every bin wraps many times; a finer value (a finer grid) and a far one (wider bins) arrive between wraps
    const pool = fc.constantFrom(1, 2, 0.5, -3, 0.25, 7, 0.001, 40_000, -0);
    fc.assert(
      fc.property(fc.array(fc.tuple(pool, fc.integer({ min: 1, max: 700 })), { minLength: 1, maxLength: 12 }), (runs) => {
        const collector = new S.ColumnCollector();
        const all: number[] = [];
        for (const [v, times] of runs) {
          const batch = new Float64Array(times).fill(v);
          collector.add(batch);
          all.push(...batch);
        }
        const got = collector.done();
        const want = S.distributionOf(Float64Array.from(all));
        expect(got.n).toBe(all.length);
        expect([...got.values]).toEqual([...want.values]);
        expect([...got.counts]).toEqual([...want.counts]);
      }),
      { numRuns: 300 },
    );
  });
  it('a bin whose count is a multiple of 256 (its byte back at 0) is counted, beside bins that never wrapped', () => {
    const collector = new S.ColumnCollector();
    collector.add(Float64Array.from([...Array(512).fill(0.5), ...Array(3).fill(0.25), ...Array(256).fill(2), ...Array(257).fill(-1)]));
    const got = collector.done();
    expect([...got.values]).toEqual([-1, 0.25, 0.5, 2]);
    expect([...got.counts]).toEqual([257, 3, 512, 256]);
    expect(got.n).toBe(1028);
  });
  it('gives exactly the distribution of its values, counted on a decimal grid or kept as values', () => {
    const value = fc.oneof(
      fc.tuple(fc.integer({ min: -50000, max: 50000 }), fc.integer({ min: 0, max: 6 })).map(([k, d]) => k / 10 ** d),
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -0, 0.1, 1e-7, 123456.5),
    );
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 60 }), { minLength: 1, maxLength: 6 }), fc.array(value, { minLength: 1, maxLength: 80 }), (batches, other) => {
        const collector = new S.ColumnCollector();
        for (const b of batches) collector.add(Float64Array.from(b));
        const all = Float64Array.from(batches.flat());
        const got = collector.done();
        const want = S.distributionOf(all);
        expect(got.n).toBe(all.length);
        expect([...got.values]).toEqual([...want.values]);
        expect([...got.counts]).toEqual([...want.counts]);
        if (all.length) {
          const b = Float64Array.from(other);
          expect(S.ksStatistic(got, b)).toBe(S.ksStatistic(all, b));
          expect(S.wasserstein(got, b)).toBe(S.wasserstein(all, b));
          expect(S.quantileEdges(got, 7)).toEqual(S.quantileEdges(all, 7));
        }
      }),
      { numRuns: 500 },
    );
  });
  it('counts a decimal column in bins, and keeps values that fit no grid', () => {
    const c = new S.ColumnCollector();
    c.add(Float64Array.from({ length: 100_000 }, (_, i) => Math.round(Math.sin(i) * 1e4) / 1e4));
    expect(c.done().values.length).toBeLessThanOrEqual(20_001);
    expect(c.n).toBe(100_000);
    c.add(Float64Array.from([Math.PI]));
    const d = c.done();
    expect(d.n).toBe(100_001);
    expect(d.values).toContain(Math.PI);
  });
});

describe('the KS p-value agrees with scipy.stats.ks_2samp over its methods (fixtures/expected/drift.json)', () => {
  const cases = (JSON.parse(readFileSync(join(FIXTURES, 'expected', 'drift.json'), 'utf8')) as { ks_p_values: { n1: number; n2: number; statistic: number; p_value: number; method: string }[] }).ks_p_values;
  it.each(cases.map((c) => [`${c.n1} against ${c.n2} rows, D = ${c.statistic.toPrecision(4)} (${c.method})`, c] as const))('%s', (_name, c) => {
    close(S.ksPValue(c.statistic, c.n1, c.n2), c.p_value);
  });
});
