import { z } from 'zod';
import { mulberry32Next } from '../eval/bootstrap.js';
import { cellAt, isNumberColumn, type Cell, type Column } from '../eval/datasets/types.js';
import { numberAt } from '../eval/cells.js';
import { checkParams, ensureApplies, metricData, metricLabel, metricOptions, paramsOf, readsDecisions, metricBeforeRows, refuseNonProbabilities, type MetricChoice } from './metric-options.js';
import { METRICS } from '../eval/metrics/index.js';
import { thresholdedClass, type BatchTransform, type ColumnStats, type Pass } from '../eval/predict.js';
import { decisionClass } from '../eval/counted.js';
import type { CountedReads } from './needs.js';
import { countedBy, mergePasses, rowsOf } from '../eval/merge.js';
import { passOf, wireOf, wirePassSchema, type WirePass } from '../eval/wire.js';
import { InputError } from '../input/errors.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck, type OptionProblem } from './define.js';
import { once } from '../input/once.js';

const perturbation = once(() =>
  z.strictObject({
    kind: z.enum(['noise', 'missing', 'swap']).describe('noise: gaussian, scaled to each column’s standard deviation; missing: values set missing (NaN); swap: a category replaced by another seen value'),
    columns: z.array(z.string().min(1)).min(1).optional().describe('Default: every numeric input column (noise, missing) or string input column (swap)'),
    scale: z.number().positive().default(0.1).describe('noise: standard deviation as a share of the column’s'),
    rate: z.number().gt(0).max(1).default(0.1).describe('missing, swap: share of the cells changed'),
  }),
);

export default defineCheck({
  type: 'robustness',
  title: 'Robustness',
  runsModel: true,
  // each shard reads the whole dataset's input statistics, then perturbs and scores its part
  shards: 'tallies',
  htmlPart: 'evaluation',
  mlTestScore: [],
  description: 'Seeded perturbations of the evaluation data: predictions must mostly stay the same, and a metric must not drop too far.',
  options: () => {
    const { dataset, ...metricChoice } = metricOptions();
    return {
      dataset,
      model: z.enum(['model', 'baseline']).default('model'),
      perturbations: z.array(perturbation()).min(1),
      seed: z.number().int().min(0).default(0),
      min_agreement: z.number().min(0).max(1).optional().describe('Share of rows whose predicted class must not change (classification)'),
      metric: metricChoice.metric.optional(),
      average: metricChoice.average,
      beta: metricChoice.beta,
      k: metricChoice.k,
      n_bins: metricChoice.n_bins,
      max_drop: z.number().min(0).optional().describe('Largest acceptable loss of the metric under each perturbation'),
    };
  },
  needs: (o) => [{ dataset: o.dataset, models: [o.model], inputStats: true, pairs: true, reads: readsOf(o) }],
  beforeRows: metricBeforeRows,
  validate: (o) => {
    const problems: OptionProblem[] = [];
    if (o.min_agreement === undefined && o.max_drop === undefined) problems.push({ option: 'perturbations', message: 'a robustness check needs min_agreement or metric with max_drop: without one it could never fail' });
    if ((o.metric === undefined) !== (o.max_drop === undefined)) problems.push({ option: o.metric === undefined ? 'max_drop' : 'metric', message: 'metric and max_drop go together' });
    if (o.metric) {
      const bad = checkParams({ ...o, metric: o.metric });
      if (bad) problems.push({ option: 'metric', message: bad });
    }
    return problems;
  },
  async run(o, ctx) {
    const base = await ctx.evaluation(o.model, o.dataset);
    // in a merge, the perturbed passes come from the shards, with the whole dataset's statistics
    const shards = ctx.merging ? (ctx.mergedTally(o.id) as MergedPerturbations) : undefined;
    const stats = shards?.stats ?? base.inputStats;
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    const choice = o.metric ? { ...o, metric: o.metric } : undefined;
    const def = choice ? METRICS[choice.metric] : undefined;
    if (choice) {
      ensureApplies(choice, base, ctx.checklist.file, o.model);
      refuseNonProbabilities(choice, base, o.model);
    }
    const baseValue = choice && def ? def.compute(metricData(base), paramsOf(choice)) : null;
    if (choice) measurements.push({ name: `${metricLabel(choice)} unperturbed`, value: baseValue });

    for (const [index, p] of o.perturbations.entries()) {
      const columns = perturbedColumns(p, stats, ctx.checklist.file);
      const label = `${p.kind}${p.kind === 'noise' ? ` ×${p.scale} sd` : ` ${Math.round(p.rate * 100)}%`} on ${columns.length === stats.size ? 'all inputs' : columns.join(', ')}`;
      if (columns.length === 0) {
        findings.push({ code: 'no-columns', message: `${label}: no input column to perturb` });
        continue;
      }
      const joined = shards?.passes[index];
      // in a merge, each perturbed row comes with its unperturbed decision (the passes may be counted apart)
      const { evaluation: perturbed, paired } = joined ? await ctx.perturbedFromShards(o.model, o.dataset, joined) : { evaluation: await ctx.perturbedEvaluation(o.model, o.dataset, transform(p, columns, stats, o.seed + index)), paired: undefined };
      if (o.min_agreement !== undefined && base.task !== 'regression') {
        let same = 0;
        if (paired) {
          const thresholded = thresholdedClass(base.task, base.positive, ctx.modelSpec(o.model).threshold);
          for (let i = 0; i < perturbed.n; i++) if (decisionClass(paired[i]!, thresholded) === perturbed.predicted[i]) same++;
        } else for (let i = 0; i < base.n; i++) if (base.predicted[i] === perturbed.predicted[i]) same++;
        const agreement = same / base.n;
        measurements.push({ name: `agreement under ${label}`, value: agreement, threshold: { min: o.min_agreement }, passed: agreement >= o.min_agreement });
      }
      if (choice && def && o.max_drop !== undefined) {
        const value = def.compute(metricData(perturbed), paramsOf(choice));
        const drop = value === null || baseValue === null ? null : def.higherIsBetter ? baseValue - value : value - baseValue;
        measurements.push({ name: `${metricLabel(choice)} drop under ${label}`, value: drop, threshold: { max: o.max_drop }, passed: drop !== null && drop <= o.max_drop });
      }
    }
    return { findings, measurements, summary: `${o.perturbations.length} perturbation${o.perturbations.length === 1 ? '' : 's'} of ${base.n} rows (seed ${o.seed})`, details: { dataset: ctx.datasetName(o.dataset), seed: o.seed } };
  },
  tally: {
    /**
     * In a shard: the input statistics of the whole dataset (every row read for them, as the
     * unsharded pass computes them), then each perturbation's pass over this shard's part.
     */
    async read(o, ctx) {
      const { stats, evidence } = await ctx.wholeInputStats(o.dataset);
      let header = { path: evidence.path, columns: [] as string[] };
      const passes: (WirePass | null)[] = [];
      for (const [index, p] of o.perturbations.entries()) {
        const columns = perturbedColumns(p, stats, ctx.checklist.file);
        if (!columns.length) {
          passes.push(null);
          continue;
        }
        const r = await ctx.perturbedPass(o.model, o.dataset, transform(p, columns, stats, o.seed + index), readsOf(o));
        header = { path: r.path, columns: r.columns };
        passes.push(wireOf(r.pass));
      }
      const value: PerturbationsTally = { ...header, rows: evidence.rows, stats: [...stats], passes };
      return { evidence: [evidence], value };
    },
    merge: mergePerturbations,
  },
});

/** What the check reads of the evaluations, perturbed or not: decisions, unless its metric reads scores (metric-options.ts readsDecisions). */
function readsOf(o: { metric?: MetricChoice['metric'] } & Omit<MetricChoice, 'metric'>): CountedReads {
  return o.metric && !readsDecisions({ ...o, metric: o.metric }) ? 'multiset' : 'decisions';
}

/** The columns a perturbation changes: its own (each checked against the input statistics), or every input column of its kind. */
function perturbedColumns(p: z.output<ReturnType<typeof perturbation>>, stats: Map<string, ColumnStats>, file: string): string[] {
  const columns = p.columns ?? [...stats].filter(([, s]) => (p.kind === 'swap' ? s.kind === 'string' : s.kind === 'number')).map(([c]) => c);
  for (const c of columns) {
    const s = stats.get(c);
    if (!s) throw new InputError(file, `robustness: "${c}" is not an input column of the model`, undefined, `input columns: ${[...stats.keys()].join(', ')}`);
    if (p.kind === 'swap' && s.kind !== 'string') throw new InputError(file, `robustness: swap applies to string columns; "${c}" is numeric`);
    if (p.kind !== 'swap' && s.kind !== 'number') throw new InputError(file, `robustness: ${p.kind} applies to numeric columns; "${c}" holds strings`);
  }
  return columns;
}

/** A shard's tally: the dataset's header and rows, the whole dataset's input statistics, and each perturbation's pass over the shard's part (null: nothing to perturb). */
interface PerturbationsTally {
  path: string;
  columns: string[];
  rows: number;
  stats: [string, ColumnStats][];
  passes: (WirePass | null)[];
}

interface MergedPerturbations {
  stats: Map<string, ColumnStats>;
  passes: ({ pass: Pass; path: string; columns: string[] } | null)[];
}

const columnStats = once(() =>
  z.union([
    z.strictObject({ kind: z.literal('number'), n: z.number().int().min(0), mean: z.number(), std: z.number().min(0) }),
    z.strictObject({ kind: z.literal('string'), values: z.array(z.string()) }),
  ]),
);
let tallySchema: z.ZodType<PerturbationsTally> | undefined;

/** The shards' perturbed passes joined, once each tally is checked: the same statistics in every shard, rows that add up to the file's. */
function mergePerturbations(values: unknown[]): MergedPerturbations {
  tallySchema ??= z.strictObject({ path: z.string(), columns: z.array(z.string()), rows: z.number().int().min(0), stats: z.array(z.tuple([z.string(), columnStats()])), passes: z.array(wirePassSchema().nullable()) });
  const parts = values.map((v, s) => {
    const parsed = tallySchema!.safeParse(v);
    if (!parsed.success) throw new Error(`shard ${s}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    return parsed.data;
  });
  const head = parts[0]!;
  parts.forEach((p, s) => {
    if (JSON.stringify([p.path, p.columns, p.rows, p.stats, p.passes.map((x) => x === null)]) !== JSON.stringify([head.path, head.columns, head.rows, head.stats, head.passes.map((x) => x === null)])) throw new Error(`shard ${s}: not the perturbations of the same data as shard 0's (the whole dataset's input statistics differ)`);
  });
  return {
    stats: new Map(head.stats),
    passes: head.passes.map((w, k) => {
      if (w === null) return null;
      const passes = parts.map((p, s) => passOf(p.passes[k]!, 1, 0, (what) => { throw new Error(`shard ${s}: passes.${k}: ${what}`); }));
      const rows = passes.reduce((sum, p) => sum + rowsOf(p), 0);
      try {
        countedBy(passes);
      } catch (err) {
        throw new Error(`passes.${k}: ${(err as Error).message}`);
      }
      if (rows !== head.rows) throw new Error(`passes.${k}: the shards perturbed ${rows} rows, but ${head.path} has ${head.rows}`);
      return { pass: mergePasses(passes), path: head.path, columns: head.columns };
    }),
  };
}

/**
 * The perturbation as a batch transform. Each row's random draws come from a generator seeded by
 * the check's seed and the row's own values (rowSeed), so the same rows are perturbed the same way
 * whatever their order in the file (and a run is repeatable). Numeric columns come out as number
 * columns, a typed array each (the cells that are not numbers, as they were, or '' where made
 * missing); no object is made a cell.
 */
function transform(p: z.output<ReturnType<typeof perturbation>>, columns: string[], stats: Map<string, ColumnStats>, seed: number): BatchTransform {
  return (batch, indexOf) => {
    const n = batch.n;
    const cells = batch.cells.slice();
    const present = columns.filter((c) => indexOf(c) !== undefined);
    const sources = present.map((c) => batch.cells[indexOf(c)!]!);
    const sds = present.map((c) => {
      const s = stats.get(c)!;
      return s.kind === 'number' ? s.std : 0;
    });
    // a swap: the values a category may become, and where each is among them
    const seen = present.map((c) => {
      const s = stats.get(c)!;
      const values = s.kind === 'string' ? s.values : [];
      return { values, at: new Map(values.map((v, j) => [v, j])) };
    });
    const numeric = p.kind !== 'swap';
    const numbers = numeric ? present.map(() => new Float64Array(n)) : [];
    const others = numeric ? present.map(() => new Map<number, string>()) : [];
    const texts: Cell[][] = numeric ? [] : present.map(() => new Array<Cell>(n));
    // one mulberry32 state, seeded again each row: no generator made a row
    const state = new Uint32Array(1);
    const random = () => mulberry32Next(state);
    for (let i = 0; i < n; i++) {
      state[0] = rowSeed(seed, sources, i);
      for (let k = 0; k < present.length; k++) {
        const src = sources[k]!;
        if (p.kind === 'swap') {
          const v = cellAt(src, i);
          const { values, at } = seen[k]!;
          // another seen value than v, each as likely
          const self = at.get(String(v));
          const choices = self === undefined ? values.length : values.length - 1;
          const draw = random();
          const pick = random();
          let j = Math.floor(pick * choices);
          if (self !== undefined && j >= self) j++;
          texts[k]![i] = draw < p.rate && choices ? values[j]! : v;
          continue;
        }
        // missing: a draw every cell; noise: two (Box-Muller) every number
        const value = numberOf(src, i);
        if (p.kind === 'missing' && random() < p.rate) others[k]!.set(i, '');
        else if (value === undefined) others[k]!.set(i, String(cellAt(src, i) ?? ''));
        else numbers[k]![i] = p.kind === 'noise' ? value + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) * p.scale * sds[k]! : value;
      }
    }
    present.forEach((c, k) => (cells[indexOf(c)!] = numeric ? { numbers: numbers[k]!, other: others[k]! } : texts[k]!));
    return { ...batch, cells };
  };
}

/** A cell as a number, when it is one (numberAt), else undefined. */
function numberOf(c: Column, i: number): number | undefined {
  if (isNumberColumn(c) && !c.other.has(i)) return c.numbers[i]!;
  const r = numberAt(c, i);
  return r.ok ? r.value : undefined;
}

const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);

/**
 * FNV-1a over the seed and the row's values in the perturbed columns: a number as its value's 64
 * bits (1 and 1.0 alike), a text as its characters, a missing cell as nothing; each value closed by
 * a separator.
 */
function rowSeed(seed: number, sources: Column[], i: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const col of sources) {
    const v = cellAt(col, i);
    if (typeof v === 'number') {
      word[0] = v;
      h = Math.imul(h ^ words[0]!, 0x01000193);
      h = Math.imul(h ^ words[1]!, 0x01000193);
    } else if (v !== null && v !== undefined) {
      const s = String(v);
      for (let c = 0; c < s.length; c++) h = Math.imul(h ^ s.charCodeAt(c), 0x01000193);
    }
    h = Math.imul(h ^ 0x1f, 0x01000193);
  }
  return h >>> 0;
}
