import { z } from 'zod';
import type { DatasetNeed } from './define.js';
import type { RunContext } from './context.js';
import { InputError } from '../input/errors.js';
import { ModelRunStopped, modelMemoryLimitMb, oneLine, tensor, type WireTensor } from '../onnx/session.js';
import { mulberry32 } from '../eval/bootstrap.js';
import { feedsFromDataset, fixedBatch, type ModelUnderTest } from '../eval/predict.js';

/**
 * Inputs for checks that probe a model rather than evaluate it (latency, determinism): the first
 * rows of a dataset when one is named, else seeded random values shaped by the model's signature.
 */
export async function probeInputs(mut: ModelUnderTest, rows: number, dataset: string | undefined, ctx: RunContext) {
  if (dataset !== undefined) {
    const { source, spec } = await ctx.dataset(dataset);
    return feedsFromDataset(mut, source, spec, rows);
  }
  // Seeded random values: the same inputs on every run, shaped by the model's signature.
  const random = mulberry32(1);
  const feeds: Record<string, WireTensor> = {};
  for (const input of mut.info.inputs) {
    if (input.type.kind !== 'tensor') throw new InputError(mut.path, `input "${input.name}" is not a tensor`);
    const { elemType, shape } = input.type;
    const dims = (shape ?? [null, 1]).map((d, i) => (i === 0 ? rows : typeof d === 'number' ? d : NaN));
    if (dims.some((d) => Number.isNaN(d))) throw new InputError(mut.path, `input "${input.name}" has a dimension of unknown size besides the batch`, undefined, 'name a dataset in the latency check to time it on real rows');
    const n = dims.reduce((a, b) => a * b, 1);
    const bytes = n * (elemType === 'float64' || elemType === 'int64' ? 8 : 4);
    if (bytes > modelMemoryLimitMb() * 2 ** 20) {
      throw new InputError(mut.path, `input "${input.name}" declares the shape [${dims.join(', ')}]: ${Math.round(bytes / 2 ** 30)} GiB for ${rows} rows, more than the memory limit (${modelMemoryLimitMb()} MB)`);
    }
    switch (elemType) {
      case 'float32':
        feeds[input.name] = tensor('float32', Float32Array.from({ length: n }, () => random() * 2 - 1), dims);
        break;
      case 'float64':
        feeds[input.name] = tensor('float64', Float64Array.from({ length: n }, () => random() * 2 - 1), dims);
        break;
      case 'int64':
        feeds[input.name] = tensor('int64', BigInt64Array.from({ length: n }, () => BigInt(Math.floor(random() * 10))), dims);
        break;
      case 'int32':
        feeds[input.name] = tensor('int32', Int32Array.from({ length: n }, () => Math.floor(random() * 10)), dims);
        break;
      default:
        throw new InputError(mut.path, `input "${input.name}" is ${elemType}: it cannot be made up`, undefined, 'name a dataset in the latency check to time it on real rows');
    }
  }
  return feeds;
}

/**
 * The batch size a model's inputs fix, if any (a PyTorch export without dynamic axes): a probe can
 * run only that many rows. Sizes the checklist asks for (`option`) that differ are refused, naming it.
 */
export function fixedProbeSize(mut: ModelUnderTest, ctx: RunContext, option: 'batch_sizes' | 'rows', asked: readonly number[]): number | undefined {
  const fixed = fixedBatch(mut);
  const other = fixed === undefined ? undefined : asked.find((b) => b !== fixed);
  if (fixed === undefined || other === undefined) return fixed;
  throw new InputError(
    ctx.checklist.file,
    `${option} asks for ${other} row${other === 1 ? '' : 's'}, but ${mut.path} takes batches of exactly ${fixed} row${fixed === 1 ? '' : 's'} (its inputs fix the batch dimension)`,
    undefined,
    `set ${option}: ${option === 'batch_sizes' ? `[${fixed}]` : fixed} or leave it out`,
  );
}

/**
 * A model run on a probe's inputs: when they were made up (no dataset) and the model fails on them,
 * the message says so, since made-up values may be outside what the model accepts (an embedding's
 * indices, say). A run stopped for its time or memory limit is passed on as it is.
 */
export async function onProbe<T>(run: Promise<T>, dataset: string | undefined): Promise<T> {
  try {
    return await run;
  } catch (err) {
    if (dataset !== undefined || err instanceof ModelRunStopped || err instanceof InputError || !(err instanceof Error)) throw err;
    throw new Error(`${oneLine(err.message)} (on seeded random inputs, which may be outside what the model accepts: name a dataset in the check to probe real rows)`);
  }
}

/** Options and needs shared by the checks that probe a model (latency, determinism). */
export const probeOptions = () => ({
  model: z.enum(['model', 'baseline']).default('model'),
  dataset: z.string().optional().describe('Probe real rows of this dataset (default: seeded random values; string inputs need a dataset)'),
});

/** A probe reads only the first rows of its dataset: no model evaluation is planned. */
export function probeNeeds(o: { dataset?: string }): DatasetNeed[] {
  return o.dataset === undefined ? [] : [{ dataset: o.dataset, models: [] }];
}
