import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootstrapMany, byContent, expand, normalQuantile, percentile, poissonWeights, replicateWord, wilsonInterval } from '../../src/eval/bootstrap.js';
import * as cls from '../../src/eval/metrics/classification.js';
import { confusionMatrix } from '../../src/eval/metrics/classification.js';
import { METRICS, type MetricData, type MetricName, type MetricParams } from '../../src/eval/metrics/index.js';
import type { Task } from '../../src/eval/predict.js';
import { FIXTURES } from '../helpers.js';

interface Case {
  name: string;
  task: Task;
  classes: string[];
  positive: number;
  truth: number[];
  scores: number[];
  predicted: number[];
  predictions_file?: string;
  expected: Record<string, number | number[][]>;
}

const EXPECTED = join(FIXTURES, 'expected');
const cases: Case[] = JSON.parse(readFileSync(join(EXPECTED, 'metrics.json'), 'utf8')).cases.map((c: Case) =>
  c.predictions_file ? { ...JSON.parse(readFileSync(join(EXPECTED, c.predictions_file), 'utf8')), ...c } : c,
);

function data(c: Case): MetricData {
  return { n: c.truth.length, task: c.task, C: c.classes.length, columns: c.task === 'regression' ? 1 : c.classes.length, positive: c.positive, truth: c.truth, scores: c.scores, predicted: c.predicted, nonFinite: 0 };
}

/** "fbeta/macro/beta=2" -> fbeta with average macro and beta 2 */
function parseKey(key: string): { metric: MetricName; params: MetricParams } {
  const [metric, ...rest] = key.split('/');
  const params: Record<string, unknown> = {};
  for (const r of rest) {
    const [k, v] = r.split('=');
    if (v === undefined) params.average = k;
    else params[k!] = Number(v);
  }
  return { metric: metric as MetricName, params: params as MetricParams };
}

function close(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected) + 1e-15);
}

describe('metrics agree with scikit-learn (fixtures/expected/metrics.json, 1e-9 relative)', () => {
  it('covers every metric on some case', () => {
    const covered = new Set(cases.flatMap((c) => Object.keys(c.expected).map((k) => k.split('/')[0])));
    for (const name of Object.keys(METRICS)) expect(covered.has(name) || name === 'fbeta').toBe(true);
  });
  for (const c of cases) {
    describe(c.name, () => {
      for (const [key, expected] of Object.entries(c.expected)) {
        it(key, () => {
          if (key === 'confusion_matrix') {
            expect(confusionMatrix(c.truth, c.predicted, c.classes.length)).toEqual(expected);
            return;
          }
          const { metric, params } = parseKey(key);
          close(METRICS[metric].compute(data(c), params), expected as number);
        });
      }
    });
  }
});

describe('undefined is never 0 or 1', () => {
  const d = (truth: number[], predicted: number[], p1: number[]): MetricData => ({
    n: truth.length, task: 'binary', C: 2, columns: 2, positive: 1, truth, predicted, scores: p1.flatMap((p) => [1 - p, p]), nonFinite: 0,
  });
  it('precision with no predicted positives', () => expect(METRICS.precision.compute(d([1, 0], [0, 0], [0.1, 0.2]), {})).toBeNull());
  it('recall with no positives', () => expect(METRICS.recall.compute(d([0, 0], [1, 0], [0.9, 0.2]), {})).toBeNull());
  it('roc_auc with one class', () => expect(METRICS.roc_auc.compute(d([1, 1], [1, 0], [0.9, 0.2]), {})).toBeNull());
  it('average_precision with no positives', () => expect(METRICS.average_precision.compute(d([0, 0], [1, 0], [0.9, 0.2]), {})).toBeNull());
  it('mcc with a constant prediction', () => expect(METRICS.mcc.compute(d([1, 0], [1, 1], [0.9, 0.8]), {})).toBeNull());
  it('r2 with a constant truth', () =>
    expect(METRICS.r2.compute({ n: 3, task: 'regression', C: 0, columns: 1, positive: -1, truth: [2, 2, 2], scores: [1, 2, 3], predicted: [], nonFinite: 0 }, {})).toBeNull());
  it('roc_auc with a NaN score', () => expect(METRICS.roc_auc.compute(d([1, 0], [1, 0], [NaN, 0.2]), {})).toBeNull());
  it('every metric, when any row of the evaluation has a non-finite score', () => {
    const binary = { ...d([1, 0, 1, 0], [1, 0, 1, 0], [0.9, 0.2, 0.8, 0.1]), nonFinite: 1 };
    const regression: MetricData = { n: 3, task: 'regression', C: 0, columns: 1, positive: -1, truth: [1, 2, 3], scores: [1, 2, 3], predicted: [], nonFinite: 1 };
    for (const [name, def] of Object.entries(METRICS)) {
      const data = def.tasks.includes('regression') ? regression : def.tasks.includes('binary') ? binary : { ...binary, task: 'multiclass' as const };
      expect(def.compute(data, {}), name).toBeNull();
      expect(def.compute({ ...data, nonFinite: 0 }, {}), name).not.toBeNull();
    }
  });
});

describe('properties', () => {
  const binaryCase = fc
    .array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 2, maxLength: 60 })
    .filter((rows) => rows.some(([t]) => t) && rows.some(([t]) => !t));
  const toData = (rows: [boolean, number][], positive = 1): MetricData => ({
    n: rows.length, task: 'binary', C: 2, columns: 2, positive,
    truth: rows.map(([t]) => (t ? positive : 1 - positive)),
    scores: rows.flatMap(([, p]) => (positive === 1 ? [1 - p, p] : [p, 1 - p])),
    predicted: rows.map(([, p]) => (p >= 0.5 ? positive : 1 - positive)),
    nonFinite: 0,
  });
  const shuffle = (rows: [boolean, number][], seed: number) => {
    const out = [...rows];
    let s = seed;
    for (let i = out.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };

  it('shuffling rows changes no metric', () => {
    fc.assert(
      fc.property(binaryCase, fc.nat(), (rows, seed) => {
        for (const name of ['accuracy', 'precision', 'recall', 'f1', 'mcc', 'roc_auc', 'average_precision', 'log_loss', 'brier', 'ece'] as const) {
          const a = METRICS[name].compute(toData(rows), {});
          const b = METRICS[name].compute(toData(shuffle(rows, seed)), {});
          if (a === null) expect(b).toBeNull();
          else expect(Math.abs(a - b!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
        }
      }),
    );
  });

  it("one score column (a binary model's second class) gives every metric of the two columns it stands for, to the bit", () => {
    fc.assert(
      fc.property(binaryCase, (rows) => {
        const two = toData(rows, 1);
        const one = { ...two, columns: 1, scores: rows.map(([, p]) => p) };
        for (const name of ['roc_auc', 'average_precision', 'log_loss', 'brier', 'ece'] as const) expect(METRICS[name].compute(one, {})).toBe(METRICS[name].compute(two, {}));
      }),
    );
  });

  it('perfect predictions give the ideal value', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 2, maxLength: 50 }).filter((t) => t.includes(true) && t.includes(false)), (truth) => {
        const rows = truth.map((t) => [t, t ? 1 : 0] as [boolean, number]);
        const d = toData(rows);
        for (const name of ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'specificity', 'f1', 'mcc', 'roc_auc', 'average_precision'] as const) {
          expect(METRICS[name].compute(d, {})).toBe(1);
        }
        expect(METRICS.brier.compute(d, {})).toBe(0);
        expect(METRICS.ece.compute(d, {})).toBe(0);
        expect(METRICS.log_loss.compute(d, {})).toBeLessThan(1e-12);
      }),
    );
  });

  it('swapping the positive class maps precision to the negative class precision, recall to specificity', () => {
    fc.assert(
      fc.property(binaryCase, (rows) => {
        const d = toData(rows);
        const swapped: MetricData = { ...d, positive: 0 };
        expect(METRICS.recall.compute(swapped, {})).toBe(METRICS.specificity.compute(d, {}));
        expect(METRICS.specificity.compute(swapped, {})).toBe(METRICS.recall.compute(d, {}));
        const negPrecision = (() => {
          let tn = 0;
          let fn = 0;
          for (let i = 0; i < d.n; i++) if (d.predicted[i] === 0) (d.truth[i] === 0 ? tn++ : fn++);
          return tn + fn === 0 ? null : tn / (tn + fn);
        })();
        expect(METRICS.precision.compute(swapped, {})).toBe(negPrecision);
        expect(METRICS.accuracy.compute(swapped, {})).toBe(METRICS.accuracy.compute(d, {}));
      }),
    );
  });

  it('roc_auc of reversed scores is 1 − roc_auc', () => {
    // scores on a 0.01 grid, so that 1 − p keeps every tie and every order
    const gridCase = fc
      .array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 100 }).map((k) => k / 100)), { minLength: 2, maxLength: 60 })
      .filter((rows) => rows.some(([t]) => t) && rows.some(([t]) => !t));
    fc.assert(
      fc.property(gridCase, (rows) => {
        const auc = METRICS.roc_auc.compute(toData(rows), {})!;
        const rev = METRICS.roc_auc.compute(toData(rows.map(([t, p]) => [t, 1 - p])), {})!;
        expect(Math.abs(auc + rev - 1)).toBeLessThan(1e-12);
      }),
    );
  });

  it("a bootstrap replicate's metric from its rows' weights is the metric of the rows repeated (roc_auc and average_precision to the bit)", () => {
    const weightsOf = (n: number) => fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }).map((w) => Uint8Array.from(w));
    const close = (a: number | null, b: number | null) => (a === null ? expect(b).toBeNull() : expect(Math.abs(a - b!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a))));
    fc.assert(
      fc.property(
        binaryCase.chain((rows) => fc.tuple(fc.constant(rows), weightsOf(rows.length))),
        ([rows, w]) => {
          // ties on purpose: scores on a coarse grid half of the time
          const d = toData(rows.map(([t, p], i) => [t, i % 2 ? Math.round(p * 10) / 10 : p]));
          const idx = expand(w);
          const repeated = { ...d, n: idx.length, truth: Array.from(idx, (i) => d.truth[i]!), scores: Array.from(idx).flatMap((i) => [d.scores[2 * i]!, d.scores[2 * i + 1]!]), predicted: Array.from(idx, (i) => d.predicted[i]!) };
          for (const name of ['roc_auc', 'average_precision'] as const) expect(METRICS[name].weighted!(d, {})!(w)).toBe(METRICS[name].compute(repeated, {}));
          for (const name of ['log_loss', 'brier', 'ece'] as const) close(METRICS[name].compute(repeated, {}), METRICS[name].weighted!(d, {})!(w));
          close(METRICS.ece.compute(repeated, { n_bins: 3 }), METRICS.ece.weighted!(d, { n_bins: 3 })!(w));
          // from weighted counts: the same integers, so the same value to the bit
          for (const name of ['f1', 'mcc', 'balanced_accuracy'] as const) expect(METRICS[name].weighted!(d, {})!(w)).toBe(METRICS[name].compute(repeated, {}));
          expect(METRICS.fbeta.weighted!(d, { beta: 2 })!(w)).toBe(METRICS.fbeta.compute(repeated, { beta: 2 }));
        },
      ),
    );
    // multiclass: one-vs-rest roc_auc from each class's runs, the averages of precision, recall and
    // fbeta from the weighted confusion matrix (a replicate's rows were built and sorted one by one:
    // 2.5 minutes for a 100,000-row, 10-class init checklist), each to the bit
    const C = 4;
    const multiclassRow = fc.tuple(fc.integer({ min: 0, max: C - 1 }), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: C, maxLength: C }), fc.integer({ min: 0, max: C - 1 }));
    fc.assert(
      fc.property(
        fc.array(multiclassRow, { minLength: 2, maxLength: 50 }).chain((rows) => fc.tuple(fc.constant(rows), weightsOf(rows.length))),
        ([rows, w]) => {
          // scores on a coarse grid (ties), rows summing to 1; a prediction that is not always the top score
          const scores = rows.flatMap(([, raw]) => raw.map((x) => x / raw.reduce((a, b) => a + b, 0)));
          const d: MetricData = { n: rows.length, task: 'multiclass', C, columns: C, positive: -1, truth: rows.map(([t]) => t), scores, predicted: rows.map(([, , p]) => p), nonFinite: 0 };
          const idx = expand(w);
          const repeated = { ...d, n: idx.length, truth: Array.from(idx, (i) => d.truth[i]!), scores: Array.from(idx).flatMap((i) => scores.slice(i * C, (i + 1) * C)), predicted: Array.from(idx, (i) => d.predicted[i]!) };
          expect(METRICS.roc_auc.weighted!(d, {})!(w)).toBe(METRICS.roc_auc.compute(repeated, {}));
          for (const average of ['macro', 'micro', 'weighted'] as const) {
            for (const name of ['precision', 'recall', 'f1'] as const) expect(METRICS[name].weighted!(d, { average })!(w)).toBe(METRICS[name].compute(repeated, { average }));
            expect(METRICS.fbeta.weighted!(d, { average, beta: 2 })!(w)).toBe(METRICS.fbeta.compute(repeated, { average, beta: 2 }));
          }
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })), { minLength: 1, maxLength: 40 }).chain((rows) => fc.tuple(fc.constant(rows), weightsOf(rows.length))),
        ([rows, w]) => {
          const d: MetricData = { n: rows.length, task: 'regression', C: 0, columns: 1, positive: 0, truth: rows.map(([y]) => y), scores: rows.map(([, p]) => p), predicted: [], nonFinite: 0 };
          const idx = expand(w);
          const repeated = { ...d, n: idx.length, truth: Array.from(idx, (i) => d.truth[i]!), scores: Array.from(idx, (i) => d.scores[i]!) };
          for (const name of ['mae', 'mse', 'rmse', 'mape'] as const) close(METRICS[name].compute(repeated, {}), METRICS[name].weighted!(d, {})!(w));
          // the median and the largest of the same doubles: to the bit
          for (const name of ['median_ae', 'max_error'] as const) expect(METRICS[name].weighted!(d, {})!(w)).toBe(METRICS[name].compute(repeated, {}));
          // r2 and explained_variance to 1e-9: near a constant truth, 1 − res/tot amplifies the sums' last bits; undefined where they are
          for (const name of ['r2', 'explained_variance'] as const) {
            const exact = METRICS[name].compute(repeated, {});
            const fast = METRICS[name].weighted!(d, {})!(w);
            if (exact === null || !Number.isFinite(exact)) expect(fast).toBe(exact);
            else expect(Math.abs(fast! - exact)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(exact)));
          }
        },
      ),
      // truths 1e-162 apart: the variance's terms underflow (exactly, −∞; in rounded sums it was NaN)
      { examples: [[[[[0, 0], [-1.964659730878286e-162, 0], [0, 0], [0, 0], [0, 2.9802322387695312e-8]], Uint8Array.from([0, 1, 0, 2, 2])]]] },
    );
  });
});

/** One statistic's interval, as bootstrapMany draws it alone. */
const bootstrap = (keys: Uint32Array, stat: (w: Uint8Array) => number | null, options: { resamples: number; confidence: number; seed: number }) => bootstrapMany(keys, 1, (w) => [stat(w)], options)[0]!;

describe('bootstrap', () => {
  /** The mean of `values` over a resample, the rows in content order. */
  const meanOf = (values: number[]) => {
    const { order, keys } = byContent(values.length, 1, (i) => values[i]!);
    const sorted = Array.from(order, (i) => values[i]!);
    return { keys, mean: (w: Uint8Array) => expand(w).reduce((s, i) => s + sorted[i]!, 0) / expand(w).length };
  };
  it('is seeded: the same seed gives the same interval, another seed another one', () => {
    const { keys, mean } = meanOf(Array.from({ length: 200 }, (_, i) => (i * 37) % 101));
    const a = bootstrap(keys, mean, { resamples: 500, confidence: 0.9, seed: 1 });
    const b = bootstrap(keys, mean, { resamples: 500, confidence: 0.9, seed: 1 });
    const c = bootstrap(keys, mean, { resamples: 500, confidence: 0.9, seed: 2 });
    expect(a).toEqual(b);
    expect(a.interval).not.toEqual(c.interval);
  });
  it('draws each row Poisson(1) times: the frequencies of 0, 1, 2, 3, 4 draws are e^-1/k! within Monte Carlo error', () => {
    const n = 200_000;
    const { keys } = byContent(n, 2, (i, j) => (j === 0 ? i % 7 : Math.floor(i / 7)));
    const counts = new Array<number>(16).fill(0);
    const weights = new Uint8Array(n);
    for (const b of [0, 1, 2]) {
      poissonWeights(keys, replicateWord(0, b), weights);
      for (let r = 0; r < n; r++) counts[weights[r]!]!++;
    }
    let pmf = Math.exp(-1);
    for (let k = 0; k <= 4; k++) {
      const p = pmf;
      const sd = Math.sqrt((3 * n * p * (1 - p)));
      expect(Math.abs(counts[k]! - 3 * n * p)).toBeLessThan(5 * sd);
      pmf /= k + 1;
    }
  });
  it('gives equal rows their own draws: two copies of a row are not resampled together', () => {
    const n = 4000;
    // every row twice: the draws of the first and of the second copy are uncorrelated
    const { keys } = byContent(2 * n, 1, (i) => i % n);
    const weights = new Uint8Array(2 * n);
    poissonWeights(keys, replicateWord(3, 0), weights);
    let same = 0;
    let sum = 0;
    for (let r = 0; r < 2 * n; r += 2) {
      const a = weights[r]!;
      const b = weights[r + 1]!;
      sum += a * b;
      if (a === b) same++;
    }
    // E[ab] = 1 for independent draws (2 if they were always equal); P(a = b) = e^-2 I0(2) = 0.3085
    expect(Math.abs(sum / n - 1)).toBeLessThan(0.1);
    expect(Math.abs(same / n - 0.3085)).toBeLessThan(0.03);
  });
  it('the resamples follow the rows, not their order: shuffled or cut and joined again, the same interval', () => {
    const values = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 211) / 10 + (i % 3 === 0 ? 0 : 0.5));
    const options = { resamples: 300, confidence: 0.95, seed: 9 };
    const once = meanOf(values);
    const reversed = meanOf([...values.slice(250), ...values.slice(0, 250)].reverse());
    expect(bootstrap(reversed.keys, reversed.mean, options)).toEqual(bootstrap(once.keys, once.mean, options));
  });
  it('the interval of a mean is the normal one, mean ± z·s/√n, within Monte Carlo error', () => {
    const n = 3000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
    const m = values.reduce((s, v) => s + v, 0) / n;
    const s = Math.sqrt(values.reduce((t, v) => t + (v - m) ** 2, 0) / n);
    const z = normalQuantile(0.95);
    const { keys, mean } = meanOf(values);
    const { interval } = bootstrap(keys, mean, { resamples: 4000, confidence: 0.9, seed: 0 });
    const half = (z * s) / Math.sqrt(n);
    // the percentile's own Monte Carlo error with 4000 resamples is a few percent of the half-width
    expect(Math.abs(interval![0] - (m - half))).toBeLessThan(0.08 * half);
    expect(Math.abs(interval![1] - (m + half))).toBeLessThan(0.08 * half);
  });
  it('percentile interpolates as numpy does', () => {
    // numpy.percentile([1, 2, 3, 4], [25, 50, 90]) == [1.75, 2.5, 3.7]
    expect(percentile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(percentile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(percentile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
  });
});

describe('intervals with honest coverage (against scipy)', () => {
  const ref = JSON.parse(readFileSync(join(FIXTURES, 'expected', 'intervals.json'), 'utf8')) as { ndtri: [number, number][]; wilson: [number, number, number, number, number][] };
  it('the normal quantile is scipy.special.ndtri', () => {
    for (const [p, z] of ref.ndtri) expect(Math.abs(normalQuantile(p) - z), `ndtri(${p})`).toBeLessThan(1e-13 * Math.max(1, Math.abs(z)));
  });
  it("the Wilson interval is scipy's binomtest(k, n).proportion_ci(method='wilson')", () => {
    expect(ref.wilson.length).toBeGreaterThan(50);
    for (const [k, n, c, lo, hi] of ref.wilson) {
      const ci = wilsonInterval(k, n, c)!;
      expect(Math.abs(ci[0] - lo), `${k}/${n} at ${c}`).toBeLessThan(1e-12);
      expect(Math.abs(ci[1] - hi), `${k}/${n} at ${c}`).toBeLessThan(1e-12);
    }
    expect(wilsonInterval(0, 0, 0.95)).toBeNull();
  });
});

describe('sorted scores in single precision', () => {
  it('float32 scores are sorted in a Float32Array with the same values, and every ranking metric is unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.float({ min: 0, max: 1, noNaN: true })), { minLength: 2, maxLength: 300 }), (rows) => {
        const truth = rows.map(([t]) => (t ? 1 : 0));
        const f32 = rows.map(([, s]) => s); // fc.float gives float32 values
        const pos = (i: number) => truth[i] === 1;
        const single = cls.split(truth, 1, f32, 1, rows.length)!;
        expect(single.pos).toBeInstanceOf(Float32Array);
        // the same sorted scores in double precision, as before this change
        const asDouble = { pos: Float64Array.from(single.pos), neg: Float64Array.from(single.neg) };
        expect(asDouble.pos).toEqual(Float64Array.from(f32.filter((_, i) => pos(i))).sort());
        expect([...single.pos]).toEqual([...asDouble.pos]);
        expect(cls.rocAuc(single)).toBe(cls.rocAuc(asDouble));
        expect(cls.averagePrecision(single)).toBe(cls.averagePrecision(asDouble));
      }),
      { numRuns: 200 },
    );
    // a score off the float32 grid keeps double precision
    expect(cls.split([1, 1, 1], 1, [0.1, 0.1, 0.1], 1, 3)!.pos).toBeInstanceOf(Float64Array);
  });
});

describe('thresholds: the distinct scores and the pairs ordered, in one walk', () => {
  it('count every pair of a positive and a negative (ties one half) and every distinct score, as a naive count does', () => {
    fc.assert(
      // few distinct scores: ties within and across the classes
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 })), { minLength: 1, maxLength: 200 }), (rows) => {
        const pos = Float64Array.from(rows.filter(([t]) => t).map(([, s]) => s / 8)).sort();
        const neg = Float64Array.from(rows.filter(([t]) => !t).map(([, s]) => s / 8)).sort();
        let pairs = 0;
        for (const p of pos) for (const q of neg) pairs += p > q ? 1 : p === q ? 0.5 : 0;
        const t = cls.thresholds({ pos, neg });
        expect(t).toEqual({ distinct: new Set([...pos, ...neg]).size, pairs });
        expect(cls.rocAuc({ pos, neg })).toBe(pos.length && neg.length ? pairs / (pos.length * neg.length) : null);
      }),
      { numRuns: 500 },
    );
  });
});
