import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapMany, byContent, joinReplicates, replicateRange } from '../../src/eval/bootstrap.js';
import { disparityIntervals, drawOnTwoThreadsFrom, replicatesDrawnOnThread, replicatesOnThreads, replicateValues } from '../../src/eval/bootstrap-thread.js';
import { count, disparity } from '../../src/eval/rates.js';
import { jobStats } from '../../src/eval/replicate-job.js';
import { canonicalOrder, METRICS, replicateOf, resample, type MetricData, type MetricName, type MetricParams } from '../../src/eval/metrics/index.js';

/** A seeded evaluation of n rows: C classes (0: a regression), scores that mostly agree with the truth. */
function evaluation(n: number, C: number, seed: number): MetricData {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  if (C === 0) {
    const truth = Float64Array.from({ length: n }, () => rand() * 10);
    return { n, task: 'regression', C: 0, positive: -1, truth, scores: Float32Array.from(truth, (t) => t + rand() * 2 - 1), columns: 1, predicted: new Int32Array(0), nonFinite: 0 };
  }
  const truth = Uint8Array.from({ length: n }, () => Math.floor(rand() * C));
  const scores = new Float32Array(n * C);
  const predicted = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < C; c++) sum += scores[i * C + c] = rand() + (c === truth[i] ? 0.6 : 0) + (c === 0 ? 0.25 : 0);
    let best = 0;
    for (let c = 0; c < C; c++) {
      scores[i * C + c] = Math.fround(scores[i * C + c]! / sum);
      if (scores[i * C + c]! > scores[i * C + best]!) best = c;
    }
    predicted[i] = best;
  }
  return { n, task: C === 2 ? 'binary' : 'multiclass', C, positive: C === 2 ? 1 : -1, truth, scores, columns: C, predicted, nonFinite: 0 };
}

afterAll(() => drawOnTwoThreadsFrom(20_000_000));

// The metric check's replicates are drawn on two threads when there is enough work
// (bootstrap-thread.ts): each replicate from its own weights, so that the values are the ones one
// thread draws, to the bit, and so the intervals.
describe('bootstrap replicates on two threads', () => {
  const cases: [string, number, { metric: MetricName; params: MetricParams }[]][] = [
    ['binary', 2, [{ metric: 'roc_auc', params: {} }, { metric: 'log_loss', params: {} }, { metric: 'f1', params: {} }, { metric: 'average_precision', params: {} }]],
    ['multiclass', 4, [{ metric: 'roc_auc', params: {} }, { metric: 'f1', params: { average: 'macro' } }, { metric: 'log_loss', params: {} }, { metric: 'top_k_accuracy', params: { k: 2 } }]],
    ['regression', 0, [{ metric: 'r2', params: {} }, { metric: 'mae', params: {} }, { metric: 'median_ae', params: {} }]],
  ];
  for (const [task, C, metrics] of cases) {
    it(`${task}: the same sorted values and undefined counts as one thread draws, for an even and an odd number of resamples`, async () => {
      const data = evaluation(3000, C, 7 + C);
      const { order, keys } = canonicalOrder([data]);
      const rows = resample(data, order);
      for (const resamples of [200, 201]) {
        const options = { resamples, seed: 11 };
        const stats = metrics.map((m) => replicateOf(METRICS[m.metric], rows, m.params));
        const alone = joinReplicates([replicateRange(keys, metrics.length, (w) => stats.map((f) => f(w)), options.seed, 0, resamples)], resamples);
        drawOnTwoThreadsFrom(0);
        const before = replicatesDrawnOnThread();
        const two = await replicatesOnThreads(keys, rows, metrics, options);
        // the second half by the thread (the built dist/eval/bootstrap-worker.cjs), not by this one
        expect(replicatesDrawnOnThread() - before).toBe(resamples - Math.floor(resamples / 2));
        expect(two.length).toBe(metrics.length);
        two.forEach((r, j) => {
          expect(r.resamples).toBe(resamples);
          expect(r.undefinedResamples).toBe(alone[j]!.undefinedResamples);
          expect(r.values.length).toBe(alone[j]!.values.length);
          // Object.is on every value: the same doubles, not close ones
          expect(r.values.every((v, i) => Object.is(v, alone[j]!.values[i]))).toBe(true);
        });
        // below the threshold, one thread: the same again
        drawOnTwoThreadsFrom(Infinity);
        expect(await replicatesOnThreads(keys, rows, metrics, options)).toEqual(alone);
      }
    }, 60_000);
  }

  // a paired bootstrap (compare: baseline) reads each replicate's two values together: the values
  // come back in replicate order, the thread's half after this one's
  it("two row sets keyed together (a candidate and a baseline): every replicate's values in replicate order, as one thread draws them", async () => {
    const cand = evaluation(2500, 2, 3);
    const base = evaluation(2500, 2, 4);
    const { order, keys } = canonicalOrder([cand, base]);
    const datas = [resample(cand, order), resample(base, order)];
    const stats = [0, 1].map((d) => ({ data: d, metric: 'roc_auc' as const, params: {} }));
    const options = { resamples: 301, seed: 5 };
    const alone = replicateRange(keys, 2, jobStats({ kind: 'metrics', datas, stats }), options.seed, 0, options.resamples);
    drawOnTwoThreadsFrom(0);
    const before = replicatesDrawnOnThread();
    const two = await replicateValues(keys, { kind: 'metrics', datas, stats }, options);
    expect(replicatesDrawnOnThread() - before).toBe(151);
    expect(two.map((v) => v.length)).toEqual([301, 301]);
    two.forEach((v, j) => expect(v.every((x, b) => Object.is(x, alone[j]![b]))).toBe(true));
    // the two models differ replicate by replicate (pairs out of order would not be these), and the
    // statistic differs from one replicate to the next
    expect(two[0]!.some((x, b) => x !== two[1]![b])).toBe(true);
    expect(new Set(two[0]).size).toBeGreaterThan(250);
  }, 60_000);

  // a fairness check's disparities, from each group's counts of a replicate's rows: the intervals
  // bootstrapMany gives on one thread, to the bit
  it("a fairness check's disparity intervals: drawn on two threads, bootstrapMany's on one, for an even and an odd number of resamples", async () => {
    const n = 4000;
    let s = 9;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const group = Int32Array.from({ length: n }, () => Math.floor(rand() * 3));
    const truth = Int32Array.from(group, (g) => (rand() < 0.3 + 0.1 * g ? 1 : 0));
    const predicted = Int32Array.from(truth, (t, i) => (rand() < 0.8 ? t : 1 - t) || (group[i] === 2 && rand() < 0.1 ? 1 : 0));
    const keys = byContent(n, 3, (i, j) => [group, truth, predicted][j]![i]!).keys;
    const disparities = ['demographic_parity_difference', 'demographic_parity_ratio', 'equalized_odds_difference'] as const;
    const draw = { kind: 'disparities' as const, groups: 3, group, truth, predicted, positive: 1, disparities: [...disparities], minGroupRows: 30 };
    for (const resamples of [200, 201]) {
      const options = { resamples, seed: 3, confidence: 0.9 };
      const alone = bootstrapMany(keys, disparities.length, (w) => {
        const c = count(3, group, truth, predicted, 1, w);
        return disparities.map((d) => disparity(c, d, 30));
      }, options);
      drawOnTwoThreadsFrom(0);
      const before = replicatesDrawnOnThread();
      const two = await disparityIntervals(keys, draw, options);
      expect(replicatesDrawnOnThread() - before).toBe(resamples - Math.floor(resamples / 2));
      expect(two).toEqual(alone);
      two.forEach((r, j) => r.interval!.forEach((v, k) => expect(Object.is(v, alone[j]!.interval![k])).toBe(true)));
      // every disparity is defined and moves from one replicate to the next: the intervals are not points
      for (const r of two) expect(r.interval![1]).toBeGreaterThan(r.interval![0]);
      drawOnTwoThreadsFrom(Infinity);
      expect(await disparityIntervals(keys, draw, options)).toEqual(alone);
    }
  }, 60_000);
});
