import ort from 'onnxruntime-node';
import { InputError } from '../errors.js';

/**
 * CPU session options, chosen on purpose:
 * - graph optimisation "all": the same fusions production runtimes apply, so numbers and timings
 *   are those of the model as it ships;
 * - one inter-op thread and a fixed intra-op count: results and timings do not depend on how
 *   busy the machine happens to be;
 * - the memory arena stays on (the default), which keeps repeated batched runs from reallocating.
 * No option here writes files (profiling, optimized-model output): checklists cannot reach them.
 */
export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  interOpNumThreads: 1,
  intraOpNumThreads: 1,
  enableCpuMemArena: true,
  logSeverityLevel: 3,
};

/** Loads from the bytes already read and hashed, so the model run is exactly the one whose digest is reported. */
export async function createSession(bytes: Uint8Array, displayPath: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
  } catch (err) {
    throw new InputError(displayPath, `onnxruntime-node cannot load the model: ${oneLine((err as Error).message)}`);
  }
}

export function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

export const ORT_VERSION: string = ort.env.versions?.common ?? 'unknown';
