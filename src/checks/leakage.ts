import { z } from 'zod';
import { labelKey, parseNumber } from '../eval/cells.js';
import { cellAt, type Cell, type DatasetSource } from '../eval/datasets/types.js';
import { Growable } from '../eval/predict.js';
import { delong, delongInterval } from '../eval/metrics/delong.js';
import { normalQuantile } from '../eval/bootstrap.js';
import { InputError } from '../input/errors.js';
import { formatNumber } from '../report/format-value.js';
import type { LeakageColumn, LeakageDetails } from '../report/details.js';
import type { Finding, Measurement } from '../report/types.js';
import type { RunContext } from './context.js';
import { defineCheck, type OptionProblem } from './define.js';

/** A category column with more distinct values than this is not measured (a share of positives per value would fit the noise). */
const MAX_CATEGORIES = 50;

/** What one pass over a dataset gives for each column: per class, the values (numbers) or counts per category (text). */
interface ColumnRead {
  /** per class: the values of its rows, missing values as -Infinity (missingness can leak too) */
  values: Growable<Float64Array>[];
  /** per category, per class: rows; undefined once past MAX_CATEGORIES */
  categories: Map<string, number[]> | undefined;
  /** a value that is not a number was seen: the column is a category column */
  text: boolean;
  /** regression: Welford's co-moments of (value, label) over rows with a value */
  moments: { n: number; mx: number; my: number; cxy: number; m2x: number; m2y: number };
}

interface Read {
  rows: number;
  classes: string[];
  columns: Map<string, ColumnRead>;
}

/** One pass over a dataset: the label and every column measured, kept per class (no row kept whole). */
async function readColumns(source: DatasetSource, label: string, columns: string[], regression: boolean): Promise<Read> {
  const labelAt = source.columns.indexOf(label);
  const want = [labelAt, ...columns.map((c) => source.columns.indexOf(c))].map((index) => ({ index, as: 'cell' as const }));
  const classes = new Map<string, number>();
  const reads = new Map(columns.map((c): [string, ColumnRead] => [c, { values: [], categories: new Map(), text: false, moments: { n: 0, mx: 0, my: 0, cxy: 0, m2x: 0, m2y: 0 } }]));
  let rows = 0;
  for await (const b of source.batches(want, 8192, { reuse: true })) {
    for (let i = 0; i < b.n; i++) {
      const cell = cellAt(b.cells[0]!, i);
      let cls = 0;
      let y = 0;
      if (regression) {
        const v = parseNumber(cell);
        if (!v.ok) throw new InputError(source.path, `${b.unit} ${b.refs[i]}: label column "${label}": ${v.missing ? 'missing value' : v.reason}`);
        y = v.value;
      } else {
        const key = labelKey(cell, true);
        if (key === undefined) throw new InputError(source.path, `${b.unit} ${b.refs[i]}: label column "${label}" is empty`);
        let c = classes.get(key);
        if (c === undefined) classes.set(key, (c = classes.size));
        cls = c;
      }
      columns.forEach((name, k) => add(reads.get(name)!, cellAt(b.cells[k + 1]!, i), cls, y, regression));
      rows++;
    }
  }
  return { rows, classes: [...classes.keys()], columns: reads };
}

function add(r: ColumnRead, cell: Cell, cls: number, y: number, regression: boolean): void {
  const v = parseNumber(cell);
  if (!v.ok && !v.missing) r.text = true;
  if (regression) {
    if (!v.ok) return;
    const m = r.moments;
    m.n++;
    const dx = v.value - m.mx;
    m.mx += dx / m.n;
    const dy = y - m.my;
    m.my += dy / m.n;
    m.cxy += dx * (y - m.my);
    m.m2x += dx * (v.value - m.mx);
    m.m2y += dy * (y - m.my);
    return;
  }
  while (r.values.length <= cls) r.values.push(new Growable(Float64Array));
  r.values[cls]!.push(v.ok ? v.value : -Infinity);
  if (r.categories) {
    const key = labelKey(cell, true) ?? '(missing)';
    let counts = r.categories.get(key);
    if (!counts) {
      if (r.categories.size >= MAX_CATEGORIES) {
        r.categories = undefined;
        return;
      }
      r.categories.set(key, (counts = []));
    }
    counts[cls] = (counts[cls] ?? 0) + 1;
  }
}

/**
 * A column's power alone against the label, with its interval. Classification: the ROC AUC of its
 * values as scores (a category scored by its share of the class in the same data), folded to
 * max(AUC, 1 − AUC) since a feature that ranks backwards is as strong, one class against the rest
 * when there are more than two (the strongest class counts), with DeLong's interval. Regression:
 * the squared Pearson correlation with the Fisher-z interval of r.
 */
function powerOf(r: ColumnRead, classes: number, regression: boolean, confidence: number): { kind: LeakageColumn['kind']; power: number; ci: [number, number] } | { skipped: string } {
  if (regression) {
    if (r.text) return { skipped: 'not numbers (category columns are measured for classification only)' };
    const m = r.moments;
    if (m.n < 4 || m.m2x === 0 || m.m2y === 0) return { skipped: m.n < 4 ? 'fewer than 4 values' : 'constant' };
    const rho = Math.max(-1, Math.min(1, m.cxy / Math.sqrt(m.m2x * m.m2y)));
    const z = Math.atanh(rho);
    const half = normalQuantile(0.5 + confidence / 2) / Math.sqrt(m.n - 3);
    const [lo, hi] = [Math.tanh(z - half), Math.tanh(z + half)];
    return { kind: 'r2', power: rho * rho, ci: lo > 0 || hi < 0 ? [Math.min(lo * lo, hi * hi), Math.max(lo * lo, hi * hi)] : [0, Math.max(lo * lo, hi * hi)] };
  }
  if (r.text && !r.categories) return { skipped: `more than ${MAX_CATEGORIES} categories` };
  let best: { power: number; ci: [number, number] } | undefined;
  for (let c = 0; c < (classes === 2 ? 1 : classes); c++) {
    const target = classes === 2 ? 1 : c;
    const counts = r.text ? categoryCounts(r.categories!, target) : valueCounts(r.values, target);
    const d = delong(counts.positives, counts.negatives);
    if (!d) continue;
    const ci = delongInterval(d.auc, d.variance, confidence);
    const folded = d.auc >= 0.5 ? { power: d.auc, ci } : { power: 1 - d.auc, ci: [1 - ci[1], 1 - ci[0]] as [number, number] };
    if (!best || folded.power > best.power) best = folded;
  }
  if (!best) return { skipped: 'fewer than two rows of a class' };
  return { kind: r.text ? 'auc (categories)' : 'auc', ...best };
}

/** Positives (class `target`) and negatives at each distinct value, ascending: each class's values sorted, walked together. */
function valueCounts(values: Growable<Float64Array>[], target: number): { positives: number[]; negatives: number[] } {
  const sorted = values.map((g) => g.done().slice().sort());
  const at = sorted.map(() => 0);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (;;) {
    let v = Infinity;
    let any = false;
    sorted.forEach((s, c) => {
      if (at[c]! < s.length && (!any || s[at[c]!]! < v)) {
        v = s[at[c]!]!;
        any = true;
      }
    });
    if (!any) break;
    let p = 0;
    let q = 0;
    sorted.forEach((s, c) => {
      while (at[c]! < s.length && s[at[c]!] === v) {
        if (c === target) p++;
        else q++;
        at[c]!++;
      }
    });
    positives.push(p);
    negatives.push(q);
  }
  return { positives, negatives };
}

/** Categories as scores: ordered by their share of the target class (ties in one score). */
function categoryCounts(categories: Map<string, number[]>, target: number): { positives: number[]; negatives: number[] } {
  const rows = [...categories.values()].map((counts) => {
    const p = counts[target] ?? 0;
    const all = counts.reduce((s, x) => s + (x ?? 0), 0);
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

async function measureDataset(ctx: RunContext, dataset: string, columns: string[] | undefined, regression: boolean, confidence: number) {
  const { source, spec } = await ctx.dataset(dataset);
  if (!spec.label) throw new InputError(ctx.checklist.file, `leakage: dataset "${spec.name}" has no label column`, undefined, `set datasets.${spec.name}.label`);
  const names = columns ?? source.columns.filter((c) => c !== spec.label);
  const read = await readColumns(source, spec.label, names, regression);
  return { name: spec.name, rows: read.rows, powers: new Map(names.map((c) => [c, powerOf(read.columns.get(c)!, read.classes.length, regression, confidence)])) };
}

const halfWidth = (ci: [number, number]) => (ci[1] - ci[0]) / 2;

export default defineCheck({
  type: 'leakage',
  title: 'Label leakage',
  runsModel: false,
  // one pass over the whole files in the merge job, as the data check
  shards: 'merge',
  htmlPart: 'data',
  // a meta-level requirement of every feature: it is known when the model predicts
  mlTestScore: ['D4'],
  description: 'Each column’s power alone to predict the label (single-feature ROC AUC, or R² for regression) with its interval: a column stronger than any feature should be, or whose power changed between the training set and the hold-out, is flagged.',
  options: {
    dataset: z.string().optional().describe('Dataset name (default: the only dataset, or "holdout")'),
    train: z.string().optional().describe('The training set: each column’s power there is compared with its power on the dataset'),
    columns: z.array(z.string().min(1)).min(1).optional().describe('The columns to measure (default: every column but the label)'),
    max_power: z.number().min(0).max(1).default(0.95).describe('Largest acceptable power of one column alone: ROC AUC (folded to ≥ 0.5), or R²'),
    max_change: z.number().min(0).max(1).default(0.2).describe('Largest acceptable change of a column’s power between the training set and the dataset'),
    task: z.enum(['classification', 'regression']).optional().describe('How the label is read (default: regression when the model says so, classification otherwise)'),
    confidence: z.number().gt(0).lt(1).default(0.95).describe('Interval of each power: a column passes when the interval’s upper bound is within max_power'),
  },
  needs: (o) => [{ dataset: o.dataset, models: [] }, ...(o.train ? [{ dataset: o.train, option: ['train'], models: [] }] : [])],
  columns: (o) => (o.columns ? [{ dataset: o.dataset, option: ['columns'], columns: o.columns }, ...(o.train ? [{ dataset: o.train, option: ['columns'], columns: o.columns }] : [])] : []),
  validate: (o) => {
    const problems: OptionProblem[] = [];
    if (o.train !== undefined && o.train === o.dataset) problems.push({ option: 'train', message: 'train names the dataset itself: name the training set' });
    return problems;
  },
  async run(o, ctx) {
    const regression = (o.task ?? (ctx.checklist.checklist.model?.task === 'regression' ? 'regression' : 'classification')) === 'regression';
    if (o.train !== undefined && ctx.datasetName(o.train) === ctx.datasetName(o.dataset)) throw new InputError(ctx.checklist.file, `leakage: train names the dataset itself ("${o.train}"): name the training set`);
    const here = await measureDataset(ctx, ctx.datasetName(o.dataset), o.columns, regression, o.confidence);
    const train = o.train ? await measureDataset(ctx, o.train, [...here.powers.keys()], regression, o.confidence) : undefined;
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    const columns: LeakageColumn[] = [];
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
    const strongest = measured.reduce<LeakageColumn | undefined>((a, c) => (!a || c.power! > a.power! ? c : a), undefined);
    measured.sort((a, b) => b.power! - a.power!);
    const details: LeakageDetails = { dataset: here.name, ...(train ? { train: train.name } : {}), rows: here.rows, max_power: o.max_power, max_change: o.max_change, columns: [...measured, ...columns.filter((c) => c.power === undefined)] };
    return {
      findings,
      measurements,
      summary: `${measured.length} column${measured.length === 1 ? '' : 's'} measured on ${here.name}${train ? ` and ${train.name}` : ''}; the strongest alone: ${strongest ? `${strongest.column} ${formatNumber(strongest.power!)}` : 'none'}`,
      details,
    };
  },
});
