/** Messages between deploy-check and its model host (session.ts, host-child.ts). */

/**
 * CPU session options, chosen on purpose:
 * - graph optimisation "all": the same fusions production runtimes apply, so numbers and timings
 *   are those of the model as it ships;
 * - one inter-op thread and a fixed intra-op count: results and timings do not depend on how
 *   busy the machine happens to be;
 * - the memory arena stays on (the default), which keeps repeated batched runs from reallocating;
 * - onnxruntime logs only fatal errors: a failed run reaches deploy-check as an exception, reported
 *   once in one line, not also as a coloured line of onnxruntime's own on stderr.
 * No option here writes files (profiling, optimized-model output): checklists cannot reach them.
 */
export const SESSION_OPTIONS = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  interOpNumThreads: 1,
  intraOpNumThreads: 1,
  enableCpuMemArena: true,
  logSeverityLevel: 4,
} as const;


export interface WireTensor {
  type: string;
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[] | ArrayLike<unknown>;
  dims: number[];
}

export type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | BigUint64Array;
export const VIEWS: Record<string, new (b: ArrayBuffer, offset?: number, length?: number) => TypedArray> = {
  Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, BigUint64Array,
};

/**
 * A tensor as it crosses to the host or back. Typed arrays go as a plain ArrayBuffer with the
 * view's name (V8's serializer copies it as bytes; a typed array would take Node's slower host-object
 * path) or, when large, through a slot: a file both processes hold open (in /dev/shm where there
 * is one), written at offset 0 by the parent and read by the child: the IPC channel copies large
 * messages many times over.
 */
export interface PackedTensor {
  type: string;
  dims: number[];
  view?: string;
  bytes?: ArrayBuffer;
  /** index of the slot holding the bytes, and their length */
  slot?: number;
  length?: number;
  values?: unknown[];
  /** a string tensor: its distinct strings, `bytes` holding each element's index into them (an Int32Array) */
  strings?: string[];
}

/** The child's file descriptor of slot i (passed in its stdio after the IPC channel). */
export const SLOT_FD = (i: number) => 4 + i;
/**
 * Set ("1") in the environment of a host started through setpriv --pdeathsig (session.ts): the
 * kernel ends it when deploy-check ends, and it starts no watcher thread of its own.
 */
export const ENDS_WITH_PARENT = 'DEPLOY_CHECK_HOST_ENDS_WITH_PARENT';
export const SLOTS = 24;
/**
 * Tensors smaller than this travel in the message itself. Small: a batch's column of 4,096 float32
 * values (16 KB, the flights benchmark's one input) through a slot is read into the host's reused
 * buffer, where in a message it was a new array a batch in the host's young generation (its peak
 * 284 → 277 MB of the tree at 64 KB and 4 KB, medians of five).
 */
export const SLOT_MIN_BYTES = 4 * 1024;

export function pack(t: WireTensor): PackedTensor {
  const d = t.data as TypedArray;
  if (ArrayBuffer.isView(d) && VIEWS[d.constructor.name]) {
    const bytes = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.buffer instanceof ArrayBuffer ? d.buffer : (d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer);
    return { type: t.type, dims: [...t.dims], view: d.constructor.name, bytes };
  }
  return (t.type === 'string' && dictionary(t)) || { type: t.type, dims: [...t.dims], values: Array.from(t.data as ArrayLike<unknown>) };
}

/**
 * A string tensor as its distinct strings and an index a element: a text input or a label output
 * has a few distinct values, and V8's serializer copies a string a element otherwise (the penguins
 * pipeline's two text inputs and its label output took ~0.8 s of a 1M-row run in the IPC channel).
 * Undefined when an element is not a string.
 */
function dictionary(t: WireTensor): PackedTensor | undefined {
  const data = t.data as ArrayLike<unknown>;
  const index = new Map<string, number>();
  const strings: string[] = [];
  const codes = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const s = data[i];
    if (typeof s !== 'string') return undefined;
    let c = index.get(s);
    if (c === undefined) {
      c = strings.push(s) - 1;
      index.set(s, c);
    }
    codes[i] = c;
  }
  return { type: t.type, dims: [...t.dims], view: 'Int32Array', bytes: codes.buffer, strings };
}

export function unpack(p: PackedTensor): WireTensor {
  if (p.strings) {
    const strings = p.strings;
    return { type: p.type, dims: p.dims, data: Array.from(new Int32Array(p.bytes!), (c) => strings[c]!) };
  }
  return { type: p.type, dims: p.dims, data: p.view ? new VIEWS[p.view]!(p.bytes!) : (p.values as string[]) };
}

export type HostRequestBody =
  | { op: 'create'; session: number; bytes: Uint8Array; options: Record<string, unknown> }
  | { op: 'run'; session: number; feeds: Record<string, PackedTensor>; fetches?: string[]; rows?: number }
  | { op: 'time'; session: number; feeds: Record<string, PackedTensor>; warmup: number; budgetMs: number; maxRuns: number }
  | { op: 'release'; session: number }
  | { op: 'peak' };

export type HostRequest = { id: number } & HostRequestBody;

/** The host's first message, before it loads onnxruntime (host-started.ts). */
export interface HostStarted {
  started: true;
}

export interface HostReply {
  id: number;
  error?: string;
  result?: {
    inputNames?: string[];
    outputNames?: string[];
    outputs?: Record<string, PackedTensor>;
    times?: number[];
    peakMb?: number;
  };
}
