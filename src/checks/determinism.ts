import { z } from 'zod';
import { fixedProbeSize, onProbe, probeInputs, probeNeeds, probeOptions } from './probe.js';
import { tensor, type WireTensor } from '../onnx/session.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck } from './define.js';

/** rows of the probe when the check sets none and the model takes any number */
const DEFAULT_ROWS = 256;

export default defineCheck({
  type: 'determinism',
  title: 'Determinism',
  runsModel: true,
  shards: 'merge',
  htmlPart: 'resources',
  mlTestScore: ['MON5'],
  description: 'The same rows twice give the same outputs, and a row predicted alone gives what it gets inside a batch.',
  options: () => ({
    ...probeOptions(),
    rows: z.number().int().min(2).max(100_000).optional().describe(`Rows in the batch (default ${DEFAULT_ROWS}; a model whose inputs fix the batch size: that size)`),
    single_rows: z.number().int().min(1).max(1000).default(16).describe('Rows of the batch also predicted one at a time'),
    repeat_tolerance: z.number().min(0).default(0).describe('Largest acceptable absolute difference between two runs of the same batch'),
    tolerance: z
      .number()
      .min(0)
      .default(1e-6)
      .describe('Largest acceptable absolute difference between a row alone and in a batch: float32 kernels may round a few ulps differently by batch size'),
  }),
  needs: probeNeeds,
  async run(o, ctx) {
    const mut = await ctx.underTest(o.model);
    // a model whose inputs fix the batch size B runs B rows at a time; a row "alone" is then B copies of it
    const fixed = fixedProbeSize(mut, ctx, 'rows', o.rows === undefined ? [] : [o.rows]);
    const rows = fixed ?? o.rows ?? DEFAULT_ROWS;
    const copies = fixed ?? 1;
    const feeds = await probeInputs(mut, rows, o.dataset, ctx);
    // the graph's outputs, as onnxruntime names them (a ZipMap unwrapped keeps its output's name)
    const names = mut.info.outputs.map((out) => out.name);
    const first = await onProbe(mut.session.run(feeds, names), o.dataset);
    const second = await mut.session.run(feeds, names);
    const findings: Finding[] = [];

    const repeat = compare(first, second, names, 0);
    const alone = { max: 0, first: undefined as undefined | { output: string; row: number; delta: number } };
    const single = Math.min(o.single_rows, rows);
    for (let r = 0; r < single; r++) {
      const out = await mut.session.run(rowOf(feeds, r, rows, copies), names);
      const d = compare(sliceRows(first, names, r, rows), copies === 1 ? out : sliceRows(out, names, 0, copies), names, r);
      if (d.max > alone.max || (d.first && !alone.first)) {
        alone.max = Math.max(alone.max, d.max);
        alone.first ??= d.first;
      }
    }
    const m = (name: string, value: number, max: number): Measurement => ({ name, value, threshold: { max }, passed: value <= max });
    const measurements = [m('max difference between two runs', repeat.max, o.repeat_tolerance), m('max difference, one row alone against in a batch', alone.max, o.tolerance)];
    if (repeat.max > o.repeat_tolerance && repeat.first) {
      findings.push({ code: 'repeat', message: `the same ${rows} rows give different outputs on a second run (output "${repeat.first.output}", row ${repeat.first.row + 1} of the probe, |Δ| = ${repeat.first.delta})` });
    }
    if (alone.max > o.tolerance && alone.first) {
      findings.push({
        code: 'batch-dependent',
        message: `row ${alone.first.row + 1} of the probe predicted alone differs from the same row in a batch of ${rows} (output "${alone.first.output}", |Δ| = ${alone.first.delta})`,
        hint: 'preprocessing inside the model depends on the batch (for example a normalisation over the batch)',
      });
    }
    return { findings, measurements, summary: `${rows} row${rows === 1 ? '' : 's'} run twice, ${single} also alone${fixed === undefined ? '' : fixed === 1 ? " (the model's inputs fix the batch at 1 row)" : ` (alone: ${fixed} copies of the row, the model's inputs fixing the batch at ${fixed} rows)`}`, details: { outputs: names, inputs: o.dataset === undefined ? 'seeded random values' : `first rows of ${ctx.datasetName(o.dataset)}` } };
  },
});

type Outputs = Record<string, WireTensor>;

/** Largest absolute difference over numeric outputs (Infinity for any other difference, NaN against a number included). */
function compare(a: Outputs, b: Outputs, names: readonly string[], rowBase: number) {
  let max = 0;
  let first: { output: string; row: number; delta: number } | undefined;
  for (const name of names) {
    const x = a[name]!;
    const y = b[name]!;
    const width = x.dims.slice(1).reduce((p, d) => p * d, 1);
    const xd = x.data as ArrayLike<unknown>;
    const yd = y.data as ArrayLike<unknown>;
    const n = Math.max(xd.length, yd.length);
    for (let i = 0; i < n; i++) {
      const u = xd[i];
      const v = yd[i];
      let delta = 0;
      if (typeof u === 'number' && typeof v === 'number') delta = Number.isNaN(u) && Number.isNaN(v) ? 0 : Math.abs(u - v);
      else if (u !== v) delta = Infinity;
      if (Number.isNaN(delta)) delta = Infinity;
      if (delta > max) max = delta;
      if (delta > 0 && !first) first = { output: name, row: rowBase + Math.floor(i / width), delta };
    }
  }
  return { max, first };
}

/** Row r of the feeds alone, as a batch of `copies` copies of it. */
function rowOf(feeds: Outputs, r: number, rows: number, copies: number): Outputs {
  return Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, slice(t, r, rows, copies)]));
}

function sliceRows(outputs: Outputs, names: readonly string[], r: number, rows: number): Outputs {
  return Object.fromEntries(names.map((name) => [name, slice(outputs[name]!, r, rows)]));
}

/** Row r of a tensor of `rows` rows, `copies` times over (a tensor without that batch dimension as it is). */
function slice(t: WireTensor, r: number, rows: number, copies = 1): WireTensor {
  if (t.dims[0] !== rows) return t;
  const width = t.dims.slice(1).reduce((p, d) => p * d, 1);
  const row = (t.data as unknown as { slice(a: number, b: number): unknown[] | TypedRow }).slice(r * width, (r + 1) * width);
  let data = row;
  if (copies > 1) {
    if (Array.isArray(row)) data = Array.from({ length: width * copies }, (_, i) => row[i % width]);
    else {
      const out = new (row.constructor as new (n: number) => TypedRow)(width * copies);
      for (let c = 0; c < copies; c++) out.set(row, c * width);
      data = out;
    }
  }
  return tensor(t.type as 'float32', data as Float32Array, [copies, ...t.dims.slice(1)]);
}

type TypedRow = { set(a: TypedRow, at: number): void; constructor: unknown; length: number };
