// A pass as JSON (in a shard's state, in a check's tally): typed arrays as base64 of their
// little-endian bytes, and back, every array checked against the others.
import { z } from 'zod';
import { keysOf } from './merge.js';
import { joined, MAX_CATEGORIES, type KeptColumn, type OutputData, type Pass } from './predict.js';

export const b64 = () => z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

export function wirePassSchema() {
  return z.strictObject({
    unit: z.enum(['line', 'row']),
    /** the rows' places in the file (ascending) as their gaps, each an unsigned LEB128 varint (see placeGaps) */
    refGaps: b64(),
    labels: z.strictObject({ dictionary: z.array(z.string()), keys: b64(), values: b64() }),
    kept: z.array(z.strictObject({ values: z.array(z.string()).nullable(), codes: b64(), numbers: b64() })),
    outputs: z.array(z.strictObject({ type: z.enum(['float32', 'float64']), scores: b64(), widths: z.array(z.number().int().positive()), labelKeys: z.array(z.string()), labels: b64().nullable() })),
    /** a counted pass (eval/counted.ts): what its rows were grouped by, and the rows each stands for, as uint32 */
    counted: z.strictObject({ by: z.enum(['decisions', 'multiset']), weights: b64(), outputs: z.array(z.number().min(0).max(0.5)).optional() }).optional(),
    /** a perturbed pass (robustness): each row's decision in the unperturbed pass, as int32 */
    paired: b64().optional(),
  });
}
export type WirePass = z.output<ReturnType<typeof wirePassSchema>>;

export const bytesOf = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** A pass as JSON: typed arrays as base64 of their little-endian bytes. */
export function wireOf(pass: Pass): WirePass {
  return {
    unit: pass.rowUnit,
    refGaps: bytesOf(placeGaps(pass.rowRef)),
    labels: { dictionary: keysOf(pass.labels.dictionary), keys: bytesOf(pass.labels.keys), values: bytesOf(pass.labels.values) },
    kept: pass.kept.map((k) => ({ values: k.values ?? null, codes: bytesOf(k.codes), numbers: bytesOf(k.numbers) })),
    outputs: pass.outputs.map((o) => {
      const single = o.scores.every((s) => s instanceof Float32Array);
      return {
        type: single ? 'float32' : 'float64',
        scores: bytesOf(single ? joined(o.scores, Float32Array) : joined(o.scores, Float64Array)),
        widths: [...new Set(o.widths)],
        labelKeys: keysOf(o.labelKeys),
        labels: o.labels.length ? bytesOf(joined(o.labels, Int32Array)) : null,
      };
    }),
    ...(pass.counted ? { counted: { by: pass.counted.by, weights: bytesOf(pass.counted.weights), ...(pass.counted.outputs ? { outputs: pass.counted.outputs } : {}) } } : {}),
    ...(pass.paired ? { paired: bytesOf(pass.paired) } : {}),
  };
}

/** A pass from its JSON, every array checked against the others. */
export function passOf(w: WirePass, models: number, kept: number, bad: (what: string) => never): Pass {
  const rowRef = placesOf(Buffer.from(w.refGaps, 'base64'), 'refGaps', bad);
  const n = rowRef.length;
  // label codes take one byte a row up to 256 distinct labels, four beyond
  const keys = w.labels.dictionary.length <= 256 ? typed(w.labels.keys, Uint8Array, 'labels.keys', bad) : typed(w.labels.keys, Int32Array, 'labels.keys', bad);
  const values = typed(w.labels.values, Float64Array, 'labels.values', bad);
  if (keys.length !== n && values.length !== n) bad(`labels: ${Math.max(keys.length, values.length)} labels for ${n} rows`);
  codesWithin(keys, w.labels.dictionary.length, false, 'labels.keys', bad);
  if (w.kept.length !== kept) bad(`kept: ${w.kept.length} columns, expected ${kept}`);
  const keptColumns = w.kept.map((k, j): KeptColumn => {
    const codes = typed(k.codes, Int32Array, `kept.${j}.codes`, bad);
    const numbers = typed(k.numbers, Float64Array, `kept.${j}.numbers`, bad);
    if (codes.length !== n || numbers.length !== n) bad(`kept.${j}: ${codes.length} codes and ${numbers.length} numbers for ${n} rows`);
    if (k.values && k.values.length > MAX_CATEGORIES) bad(`kept.${j}.values: more than ${MAX_CATEGORIES}`);
    if (k.values) codesWithin(codes, k.values.length, true, `kept.${j}.codes`, bad);
    return { codes, values: k.values ?? undefined, numbers };
  });
  if (w.outputs.length !== models) bad(`outputs: ${w.outputs.length}, expected one per model (${models})`);
  const outputs = w.outputs.map((o, m): OutputData => {
    const scores = o.type === 'float32' ? typed(o.scores, Float32Array, `outputs.${m}.scores`, bad) : typed(o.scores, Float64Array, `outputs.${m}.scores`, bad);
    const width = o.widths[0] ?? 1;
    if (n > 0 && o.widths.length === 0) bad(`outputs.${m}.widths: none for ${n} rows`);
    if (o.widths.length === 1 && scores.length !== n * width) bad(`outputs.${m}.scores: ${scores.length} values for ${n} rows of ${width}`);
    const labels = o.labels === null ? undefined : typed(o.labels, Int32Array, `outputs.${m}.labels`, bad);
    if (labels && labels.length !== n) bad(`outputs.${m}.labels: ${labels.length} for ${n} rows`);
    if (labels) codesWithin(labels, o.labelKeys.length, false, `outputs.${m}.labels`, bad);
    return { scores: [scores], widths: o.widths, labels: labels ? [labels] : [], labelKeys: new Map(o.labelKeys.map((k, i) => [k, i])) };
  });
  const weights = w.counted && typed(w.counted.weights, Uint32Array, 'counted.weights', bad);
  if (weights && weights.length !== n) bad(`counted.weights: ${weights.length} for ${n} rows`);
  if (weights?.some((x) => x === 0)) bad('counted.weights: a row that stands for no row');
  const paired = w.paired === undefined ? undefined : typed(w.paired, Int32Array, 'paired', bad);
  if (paired && (paired.length !== n || paired.some((k) => k < 0))) bad(`paired: ${paired.length} decisions for ${n} rows, each a key of 0 or more`);
  return { ...(paired ? { paired } : {}), rowRef, rowUnit: w.unit, labels: { dictionary: new Map(w.labels.dictionary.map((k, i) => [k, i])), keys, values }, kept: keptColumns, inputStats: new Map(), outputs, ...(w.counted && weights ? { counted: { by: w.counted.by, weights, ...(w.counted.outputs ? { outputs: w.counted.outputs } : {}) } } : {}) };
}

/**
 * Ascending row places as their gaps (the first from 0), each an unsigned LEB128 varint: a shard's
 * rows are about n rows apart in the file, so a place takes one byte where an Int32 took four (a
 * state of the benchmark's one-score model: 12.0 → 8.0 bytes a row as written).
 */
export function placeGaps(places: Int32Array): Uint8Array {
  const out = new Uint8Array(5 * places.length);
  let at = 0;
  let before = 0;
  for (let i = 0; i < places.length; i++) {
    let gap = places[i]! - before;
    before = places[i]!;
    while (gap >= 0x80) {
      out[at++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    out[at++] = gap;
  }
  return out.subarray(0, at);
}

/** The places placeGaps wrote; a gap of 0 after the first (a row not after the one before), a value cut short or past 2^31 − 1 is a fault. */
export function placesOf(bytes: Uint8Array, what: string, bad: (what: string) => never): Int32Array {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! < 0x80) n++;
  if (bytes.length > 0 && bytes[bytes.length - 1]! >= 0x80) bad(`${what}: cut short inside a value`);
  const places = new Int32Array(n);
  let gap = 0;
  let scale = 1;
  let before = 0;
  for (let i = 0, k = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    gap += (b & 0x7f) * scale;
    scale *= 128;
    if (b >= 0x80) continue;
    if (k > 0 && gap === 0) bad(`${what}: row ${k} is not after row ${k - 1} (rows are in file order)`);
    if (before + gap > 0x7fffffff) bad(`${what}: row ${k} is past 2^31 − 1`);
    places[k++] = before += gap;
    gap = 0;
    scale = 1;
  }
  return places;
}

export function typed<T extends Uint8Array | Int32Array | Uint32Array | Float32Array | Float64Array>(text: string, Kind: { new (n: number): T; BYTES_PER_ELEMENT: number }, what: string, bad: (what: string) => never): T {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % Kind.BYTES_PER_ELEMENT !== 0) bad(`${what}: ${bytes.length} bytes, not a whole number of values`);
  const out = new Kind(bytes.length / Kind.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function codesWithin(codes: Uint8Array | Int32Array, size: number, missing: boolean, what: string, bad: (what: string) => never): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= size || c < (missing ? -1 : 0)) bad(`${what}: row ${i} has the code ${c}, outside its dictionary of ${size}`);
  }
}

