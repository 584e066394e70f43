import { z } from 'zod';
import type { Distribution } from '../eval/drift/distribution.js';
import { leakageOfWire, MAX_CATEGORIES, mergeLeakage, readLeakage, wireOfLeakage, type LeakageColumn, type LeakageRead } from './leakage-tally.js';
import { delong, delongInterval } from '../eval/metrics/delong.js';
import { normalQuantile } from '../eval/bootstrap.js';
import { InputError } from '../input/errors.js';
import { formatNumber } from '../report/format-value.js';
import type { LeakageColumn as ColumnResult, LeakageDetails } from '../report/details.js';
import type { Finding, Measurement } from '../report/types.js';
import type { RunContext } from './context.js';
import { defineCheck, type OptionProblem } from './define.js';

/**
 * A column's power alone against the label, with its interval. Classification: the ROC AUC of its
 * values as scores (a category scored by its share of the class in the same data), folded to
 * max(AUC, 1 − AUC) since a feature that ranks backwards is as strong, one class against the rest
 * when there are more than two (the strongest class counts), with DeLong's interval. Regression:
 * the squared Pearson correlation with the Fisher-z interval of r.
 */
function powerOf(r: LeakageColumn, read: LeakageRead, regression: boolean, confidence: number): { kind: ColumnResult['kind']; power: number; ci: [number, number] } | { skipped: string } {
  if (regression) {
    if (r.text) return { skipped: 'not numbers (category columns are measured for classification only)' };
    const m = r.moments!;
    if (m.n < 4 || m.m2x === 0 || m.m2y === 0) return { skipped: m.n < 4 ? 'fewer than 4 values' : 'constant' };
    const rho = Math.max(-1, Math.min(1, m.cxy / Math.sqrt(m.m2x * m.m2y)));
    const z = Math.atanh(rho);
    const half = normalQuantile(0.5 + confidence / 2) / Math.sqrt(m.n - 3);
    const [lo, hi] = [Math.tanh(z - half), Math.tanh(z + half)];
    return { kind: 'r2', power: rho * rho, ci: lo > 0 || hi < 0 ? [Math.min(lo * lo, hi * hi), Math.max(lo * lo, hi * hi)] : [0, Math.max(lo * lo, hi * hi)] };
  }
  if (r.text && !r.categories) return { skipped: `more than ${MAX_CATEGORIES} categories` };
  const classes = read.classes.map((c) => c.key);
  let best: { power: number; ci: [number, number] } | undefined;
  for (let c = 0; c < (classes.length === 2 ? 1 : classes.length); c++) {
    const target = classes[classes.length === 2 ? 1 : c]!;
    const counts = r.text ? categoryCounts(r.categories!, target) : valueCounts(r.values, classes, target);
    const d = delong(counts.positives, counts.negatives);
    if (!d) continue;
    const ci = delongInterval(d.auc, d.variance, confidence);
    const folded = d.auc >= 0.5 ? { power: d.auc, ci } : { power: 1 - d.auc, ci: [1 - ci[1], 1 - ci[0]] as [number, number] };
    if (!best || folded.power > best.power) best = folded;
  }
  if (!best) return { skipped: 'fewer than two rows of a class' };
  return { kind: r.text ? 'auc (categories)' : 'auc', ...best };
}

/** Positives (class `target`) and negatives at each distinct value, ascending: each class's distinct values walked together. */
function valueCounts(values: Map<string, Distribution>, classes: string[], target: string): { positives: number[]; negatives: number[] } {
  const lists = classes.map((c) => values.get(c) ?? { values: new Float64Array(0), counts: new Float64Array(0), n: 0 });
  const at = lists.map(() => 0);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (;;) {
    let v = Infinity;
    let any = false;
    lists.forEach((s, c) => {
      if (at[c]! < s.values.length && (!any || s.values[at[c]!]! < v)) {
        v = s.values[at[c]!]!;
        any = true;
      }
    });
    if (!any) break;
    let p = 0;
    let q = 0;
    lists.forEach((s, c) => {
      if (at[c]! < s.values.length && s.values[at[c]!] === v) {
        if (classes[c] === target) p += s.counts[at[c]!]!;
        else q += s.counts[at[c]!]!;
        at[c]!++;
      }
    });
    positives.push(p);
    negatives.push(q);
  }
  return { positives, negatives };
}

/** Categories as scores: ordered by their share of the target class (ties in one score). */
function categoryCounts(categories: Map<string, Map<string, number>>, target: string): { positives: number[]; negatives: number[] } {
  const rows = [...categories.values()].map((counts) => {
    const p = counts.get(target) ?? 0;
    let all = 0;
    for (const n of counts.values()) all += n;
    return { p, q: all - p, share: p / all };
  });
  rows.sort((a, b) => a.share - b.share);
  const positives: number[] = [];
  const negatives: number[] = [];
  rows.forEach((r, k) => {
    if (k > 0 && r.share === rows[k - 1]!.share) {
      positives[positives.length - 1]! += r.p;
      negatives[negatives.length - 1]! += r.q;
    } else {
      positives.push(r.p);
      negatives.push(r.q);
    }
  });
  return { positives, negatives };
}

/** What the check reads of a dataset: its label and the columns measured (a shard's part; in a merge, the shards' reads joined). */
async function readDataset(ctx: RunContext, dataset: string, columns: string[] | undefined, regression: boolean): Promise<{ name: string; read: LeakageRead }> {
  const { source, spec } = await ctx.dataset(dataset);
  if (!spec.label) throw new InputError(ctx.checklist.file, `leakage: dataset "${spec.name}" has no label column`, undefined, `set datasets.${spec.name}.label`);
  const names = columns ?? source.columns.filter((c) => c !== spec.label);
  return { name: spec.name, read: await readLeakage(source, spec.label, names, regression, ctx.part, () => ctx.evidenceOf(source.path)!.rows!) };
}

function measure(name: string, read: LeakageRead, regression: boolean, confidence: number) {
  return { name, rows: read.rows, powers: new Map([...read.columns].map(([c, col]) => [c, powerOf(col, read, regression, confidence)])) };
}

/** The reads of the check's datasets: the dataset, and the training set when there is one. */
async function readAll(o: { dataset?: string | undefined; train?: string | undefined; columns?: string[] | undefined; task?: 'classification' | 'regression' | undefined }, ctx: RunContext) {
  const regression = (o.task ?? (ctx.checklist.checklist.model?.task === 'regression' ? 'regression' : 'classification')) === 'regression';
  if (o.train !== undefined && ctx.datasetName(o.train) === ctx.datasetName(o.dataset)) throw new InputError(ctx.checklist.file, `leakage: train names the dataset itself ("${o.train}"): name the training set`);
  const here = await readDataset(ctx, ctx.datasetName(o.dataset), o.columns, regression);
  const train = o.train ? await readDataset(ctx, ctx.datasetName(o.train), [...here.read.columns.keys()], regression) : undefined;
  return { regression, here, ...(train ? { train } : {}) };
}

const halfWidth = (ci: [number, number]) => (ci[1] - ci[0]) / 2;

export default defineCheck({
  type: 'leakage',
  title: 'Label leakage',
  runsModel: false,
  // each shard reads its part of the dataset (and of the training set) into counts the merge adds up
  shards: 'tallies',
  htmlPart: 'data',
  // a meta-level requirement of every feature: it is known when the model predicts
  mlTestScore: ['D4'],
  description: 'Each column’s power alone to predict the label (single-feature ROC AUC, or R² for regression) with its interval: a column stronger than any feature should be, or whose power changed between the training set and the hold-out, is flagged.',
  options: () => ({
    dataset: z.string().optional().describe('Dataset name (default: the only dataset, or "holdout")'),
    train: z.string().optional().describe('The training set: each column’s power there is compared with its power on the dataset'),
    columns: z.array(z.string().min(1)).min(1).optional().describe('The columns to measure (default: every column but the label)'),
    max_power: z.number().min(0).max(1).default(0.95).describe('Largest acceptable power of one column alone: ROC AUC (folded to ≥ 0.5), or R²'),
    max_change: z.number().min(0).max(1).default(0.2).describe('Largest acceptable change of a column’s power between the training set and the dataset'),
    task: z.enum(['classification', 'regression']).optional().describe('How the label is read (default: regression when the model says so, classification otherwise)'),
    confidence: z.number().gt(0).lt(1).default(0.95).describe('Interval of each power: a column passes when the interval’s upper bound is within max_power'),
  }),
  needs: (o) => [{ dataset: o.dataset, models: [] }, ...(o.train ? [{ dataset: o.train, option: ['train'], models: [] }] : [])],
  columns: (o) => (o.columns ? [{ dataset: o.dataset, option: ['columns'], columns: o.columns }, ...(o.train ? [{ dataset: o.train, option: ['columns'], columns: o.columns }] : [])] : []),
  validate: (o) => {
    const problems: OptionProblem[] = [];
    if (o.train !== undefined && o.train === o.dataset) problems.push({ option: 'train', message: 'train names the dataset itself: name the training set' });
    return problems;
  },
  async run(o, ctx) {
    const reads = ctx.merging ? (ctx.mergedTally(o.id) as LeakageTally) : await readAll(o, ctx);
    const regression = reads.regression;
    const here = measure(reads.here.name, reads.here.read, regression, o.confidence);
    const train = reads.train && measure(reads.train.name, reads.train.read, regression, o.confidence);
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    const columns: ColumnResult[] = [];
    for (const [column, p] of here.powers) {
      const t = train?.powers.get(column);
      if ('skipped' in p) {
        columns.push({ column, skipped: p.skipped });
        continue;
      }
      const trainPower = t && !('skipped' in t) ? t : undefined;
      const change = trainPower ? Math.abs(trainPower.power - p.power) : undefined;
      // the two powers are measured on independent rows: the change's half-width is their
      // half-widths in quadrature (exact for two DeLong intervals, a normal approximation for R²)
      const changeCi: [number, number] | undefined = trainPower && change !== undefined ? [Math.max(0, change - Math.hypot(halfWidth(p.ci), halfWidth(trainPower.ci))), change + Math.hypot(halfWidth(p.ci), halfWidth(trainPower.ci))] : undefined;
      const strong = p.ci[1] > o.max_power;
      const changed = changeCi !== undefined && changeCi[1] > o.max_change;
      columns.push({ column, kind: p.kind, power: p.power, ci: p.ci, ...(trainPower ? { train_power: trainPower.power, train_ci: trainPower.ci, change, change_ci: changeCi } : {}), flagged: strong || changed });
      if (strong) {
        measurements.push({ name: `${column} alone (${p.kind})`, value: p.power, ci: p.ci, threshold: { max: o.max_power }, passed: false });
        findings.push({
          code: 'leakage',
          message: `${column} alone predicts ${ctx.checklist.checklist.datasets![here.name]!.label} with ${p.kind === 'r2' ? 'R²' : 'ROC AUC'} ${formatNumber(p.power)} [${formatNumber(p.ci[0])}, ${formatNumber(p.ci[1])}]${p.power > o.max_power ? '' : ' (the interval reaches'} above ${o.max_power}${p.power > o.max_power ? '' : ')'}: is its value known before the outcome it predicts?`,
          hint: 'a column recorded after the outcome, or derived from the label, makes a model look better than it will be',
        });
      }
      if (changed) {
        measurements.push({ name: `${column}: change of power, ${train!.name} → ${here.name}`, value: change!, ci: changeCi!, threshold: { max: o.max_change }, passed: false });
        findings.push({
          code: 'power-changed',
          message: `${column}'s power changed from ${formatNumber(trainPower!.power)} on ${train!.name} to ${formatNumber(p.power)} on ${here.name} (by ${formatNumber(change!)} [${formatNumber(changeCi![0])}, ${formatNumber(changeCi![1])}]${change! > o.max_change ? '' : ', the interval reaching'} above ${o.max_change})`,
          hint: 'the column means something else in one of the splits: a pipeline difference, or leakage in one of them',
        });
      }
    }
    const measured = columns.filter((c) => c.power !== undefined);
    if (!measured.length) findings.push({ code: 'nothing-measured', message: 'no column could be measured', hint: columns.map((c) => `${c.column}: ${c.skipped}`).join('; ') });
    const strongest = measured.reduce<ColumnResult | undefined>((a, c) => (!a || c.power! > a.power! ? c : a), undefined);
    measured.sort((a, b) => b.power! - a.power!);
    const details: LeakageDetails = { dataset: here.name, ...(train ? { train: train.name } : {}), rows: here.rows, max_power: o.max_power, max_change: o.max_change, columns: [...measured, ...columns.filter((c) => c.power === undefined)] };
    return {
      findings,
      measurements,
      summary: `${measured.length} column${measured.length === 1 ? '' : 's'} measured on ${here.name}${train ? ` and ${train.name}` : ''}; the strongest alone: ${strongest ? `${strongest.column} ${formatNumber(strongest.power!)}` : 'none'}`,
      details,
    };
  },
  tally: {
    async read(o, ctx) {
      const { regression, here, train } = await readAll(o, ctx);
      const datasets = train ? [here, train] : [here];
      return { evidence: datasets.map((d) => ctx.evidenceOf(d.read.path)!), value: { regression, datasets: datasets.map((d) => ({ name: d.name, read: wireOfLeakage(d.read) })) } };
    },
    merge(values) {
      const shards = values.map((v, s) => {
        const t = v as { regression?: unknown; datasets?: { name?: unknown; read?: unknown }[] };
        if (typeof t?.regression !== 'boolean' || !Array.isArray(t.datasets) || t.datasets.some((d) => typeof d?.name !== 'string')) throw new Error(`shard ${s}: not a leakage tally`);
        return { regression: t.regression, datasets: t.datasets.map((d, k) => ({ name: d.name as string, read: leakageOfWire(d.read, (what) => { throw new Error(`shard ${s}: datasets.${k}.read.${what}`); }) })) };
      });
      const head = shards[0]!;
      for (const [s, t] of shards.entries()) if (t.regression !== head.regression || t.datasets.map((d) => d.name).join() !== head.datasets.map((d) => d.name).join()) throw new Error(`shard ${s}: not a tally of the same check and data as shard 0's`);
      const [here, train] = head.datasets.map((d, k) => ({ name: d.name, read: mergeLeakage(shards.map((t) => t.datasets[k]!.read)) }));
      const merged: LeakageTally = { regression: head.regression, here: here!, ...(train ? { train } : {}) };
      return merged;
    },
  },
});

/** The check's reads, as the merge joins them from the shards. */
interface LeakageTally {
  regression: boolean;
  here: { name: string; read: LeakageRead };
  train?: { name: string; read: LeakageRead };
}
