import { joined, MAX_CATEGORIES, type KeptColumn, type LabelData, type OutputData, type Pass } from './predict.js';

/**
 * The pass over a whole dataset from the passes over its parts (shards): rows back in file order (a
 * part's rows are in file order; rows are merged by their place in the file), and every dictionary
 * of labels and categories coded again in first-seen order, as one pass over the file would have
 * coded it. `finishPass` then makes the same Evaluations as an unsharded run, to the byte.
 * Input statistics are not merged (Welford's running moments depend on the order of the rows): a
 * check that needs them is refused under --shard.
 *
 * The parts are consumed: each of their arrays is let go once merged, so that the merge holds the
 * whole dataset's rows about once, not twice (the parts', then the merged ones).
 */
export function mergePasses(parts: Pass[]): Pass {
  const { part, at } = fileOrder(parts);
  const n = part.length;
  const rowRef = new Int32Array(n);
  for (let r = 0; r < n; r++) rowRef[r] = parts[part[r]!]!.rowRef[at[r]!]!;
  const rowUnit = parts.find((p) => p.rowRef.length > 0)?.rowUnit ?? parts[0]!.rowUnit;
  for (const p of parts) p.rowRef = new Int32Array(0);
  const labels = mergeLabels(parts.map((p) => p.labels), part, at);
  for (const p of parts) p.labels = { dictionary: p.labels.dictionary, keys: new Uint8Array(0), values: new Float64Array(0) };
  const kept = (parts[0]?.kept ?? []).map((_, k) => {
    const merged = mergeKept(parts.map((p) => p.kept[k]!), part, at);
    for (const p of parts) p.kept[k] = { codes: new Int32Array(0), values: p.kept[k]!.values, numbers: new Float64Array(0) };
    return merged;
  });
  const outputs = (parts[0]?.outputs ?? []).map((_, m) => {
    const merged = mergeOutputs(parts.map((p) => p.outputs[m]!), part, at);
    for (const p of parts) p.outputs[m] = { ...p.outputs[m]!, scores: [], labels: [] };
    return merged;
  });
  // counted passes (eval/counted.ts): each row's weight goes with it; a part that kept its rows counts each as one
  const how = countedBy(parts);
  const counted = how && { ...how, weights: Uint32Array.from(part, (k, r) => parts[k]!.counted?.weights[at[r]!] ?? 1) };
  // perturbed passes (robustness): each row's unperturbed decision goes with it
  if (parts.some((p) => p.paired) && !parts.every((p) => p.paired)) throw new Error('parts with and without the rows\' unperturbed decisions');
  const paired = parts[0]?.paired && Int32Array.from(part, (k, r) => parts[k]!.paired![at[r]!]!);
  return { rowRef, rowUnit, labels, kept, inputStats: new Map(), outputs, ...(counted ? { counted } : {}), ...(paired ? { paired } : {}) };
}

/** The rows of the file a pass stands for: its rows, or (counted) their weights' sum. */
export function rowsOf(pass: Pass): number {
  return pass.counted ? pass.counted.weights.reduce((s, w) => s + w, 0) : pass.rowRef.length;
}

/** How the counted parts of a pass were counted (none: undefined); parts counted in two ways are a fault. */
export function countedBy(parts: Pass[]): Omit<NonNullable<Pass['counted']>, 'weights'> | undefined {
  const ways = new Map(parts.flatMap(({ counted: c }) => (c ? [[JSON.stringify([c.by, c.outputs]), c] as const] : [])));
  if (ways.size > 1) throw new Error(`parts counted in ${ways.size} ways (${[...ways.values()].map((c) => `by ${c.by}${c.outputs ? ` and the outputs check's problems at ${c.outputs.join(', ')}` : ''}`).join('; ')})`);
  const c = [...ways.values()][0];
  return c && { by: c.by, ...(c.outputs ? { outputs: c.outputs } : {}) };
}

/** For each row of the merged pass: the part it comes from and its index there, by place in the file. */
function fileOrder(parts: Pass[]): { part: Uint8Array | Int32Array; at: Int32Array } {
  const n = parts.reduce((s, p) => s + p.rowRef.length, 0);
  // a byte a row up to 256 shards
  const part = parts.length <= 256 ? new Uint8Array(n) : new Int32Array(n);
  const at = new Int32Array(n);
  const next = new Int32Array(parts.length);
  for (let r = 0; r < n; r++) {
    let best = -1;
    let bestRef = Infinity;
    for (let k = 0; k < parts.length; k++) {
      const refs = parts[k]!.rowRef;
      if (next[k]! < refs.length && refs[next[k]!]! < bestRef) {
        bestRef = refs[next[k]!]!;
        best = k;
      }
    }
    part[r] = best;
    at[r] = next[best]!++;
  }
  return { part, at };
}

/** Codes of each part mapped to codes in first-seen order over the merged rows; -1 stays -1. */
function recode(dictionaries: string[][], codesOf: (k: number) => ArrayLike<number>, part: Uint8Array | Int32Array, at: Int32Array): { codes: Int32Array; dictionary: Map<string, number> } {
  const dictionary = new Map<string, number>();
  const remap = dictionaries.map((d) => new Int32Array(d.length).fill(-2));
  const codes = new Int32Array(part.length);
  for (let r = 0; r < part.length; r++) {
    const k = part[r]!;
    const c = codesOf(k)[at[r]!]!;
    if (c < 0) {
      codes[r] = c;
      continue;
    }
    let to = remap[k]![c]!;
    if (to === -2) {
      const key = dictionaries[k]![c]!;
      to = dictionary.get(key) ?? dictionary.size;
      dictionary.set(key, to);
      remap[k]![c] = to;
    }
    codes[r] = to;
  }
  return { codes, dictionary };
}

/** A dictionary's keys by code. */
export function keysOf(m: Map<string, number>): string[] {
  const keys = new Array<string>(m.size);
  for (const [key, code] of m) keys[code] = key;
  return keys;
}

function mergeLabels(parts: LabelData[], part: Uint8Array | Int32Array, at: Int32Array): LabelData {
  const { codes, dictionary } = recode(parts.map((p) => keysOf(p.dictionary)), (k) => parts[k]!.keys, part, at);
  const regression = parts.some((p) => p.values.length > 0);
  const values = new Float64Array(regression ? part.length : 0);
  if (regression) for (let r = 0; r < part.length; r++) values[r] = parts[part[r]!]!.values[at[r]!]!;
  return { dictionary, keys: regression ? new Uint8Array(0) : dictionary.size <= 256 ? Uint8Array.from(codes) : codes, values };
}

function mergeKept(parts: KeptColumn[], part: Uint8Array | Int32Array, at: Int32Array): KeptColumn {
  const numbers = new Float64Array(part.length);
  for (let r = 0; r < part.length; r++) numbers[r] = parts[part[r]!]!.numbers[at[r]!]!;
  // too many categories in a part, or in all of them together: numbers only, as one pass would keep
  const overflow = (): KeptColumn => ({ codes: new Int32Array(part.length).fill(-1), values: undefined, numbers });
  if (parts.some((p) => p.values === undefined)) return overflow();
  const { codes, dictionary } = recode(parts.map((p) => p.values!), (k) => parts[k]!.codes, part, at);
  return dictionary.size > MAX_CATEGORIES ? overflow() : { codes, values: [...dictionary.keys()], numbers };
}

function mergeOutputs(parts: OutputData[], part: Uint8Array | Int32Array, at: Int32Array): OutputData {
  // a width that differs between parts is kept, for finishPass to refuse as it refuses it between batches
  const widths = [...new Set(parts.flatMap((p) => p.widths))];
  const width = widths[0] ?? 1;
  const single32 = parts.every((p) => p.scores.every((s) => s instanceof Float32Array));
  // single precision stays single (a copy of a float32 into a float64 and back is exact, but takes twice the memory)
  const flat: (Float32Array | Float64Array)[] = parts.map((p) => (single32 ? joined(p.scores, Float32Array) : joined(p.scores, Float64Array)));
  const scores = single32 ? new Float32Array(part.length * width) : new Float64Array(part.length * width);
  for (let r = 0; r < part.length; r++) {
    const from = flat[part[r]!]!;
    const i = at[r]! * width;
    for (let c = 0; c < width; c++) scores[r * width + c] = from[i + c]!;
  }
  const hasLabels = parts.some((p) => p.labels.length > 0);
  if (!hasLabels) return { scores: [scores], widths, labels: [], labelKeys: new Map() };
  const labelCodes = parts.map((p) => joined(p.labels, Int32Array));
  const { codes, dictionary } = recode(parts.map((p) => keysOf(p.labelKeys)), (k) => labelCodes[k]!, part, at);
  return { scores: [scores], widths, labels: [codes], labelKeys: dictionary };
}

