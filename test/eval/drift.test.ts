import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  it('identical samples do not drift', () => {
    const a = Float64Array.from({ length: 50 }, (_, i) => i % 7);
    expect(S.ksStatistic(a, a)).toBe(0);
    expect(S.wasserstein(a, a)).toBe(0);
    expect(S.ksPValue(0, 50, 50)).toBe(1);
  });
});

describe('Wasserstein on a decimal grid', () => {
  it('gives exactly the sorted walk, and declines data that is not on a grid', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50000, max: 50000 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: -50000, max: 50000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 4 }),
        (xs, ys, d) => {
          const a = Float64Array.from(xs, (v) => v / 10 ** d);
          const b = Float64Array.from(ys, (v) => v / 10 ** d);
          const grid = S.wassersteinOnGrid(a, b);
          expect(grid).toBeDefined();
          expect(grid).toBe(S.wassersteinSorted(a, b));
        },
      ),
    );
    expect(S.wassersteinOnGrid(Float64Array.from([Math.PI, 1]), Float64Array.from([2]))).toBeUndefined();
  });
});

describe('the KS p-value agrees with scipy.stats.ks_2samp over its methods (fixtures/expected/drift.json)', () => {
  const cases = (JSON.parse(readFileSync(join(FIXTURES, 'expected', 'drift.json'), 'utf8')) as { ks_p_values: { n1: number; n2: number; statistic: number; p_value: number; method: string }[] }).ks_p_values;
  it.each(cases.map((c) => [`${c.n1} against ${c.n2} rows, D = ${c.statistic.toPrecision(4)} (${c.method})`, c] as const))('%s', (_name, c) => {
    close(S.ksPValue(c.statistic, c.n1, c.n2), c.p_value);
  });
});
