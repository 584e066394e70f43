// A pass as JSON (in a shard's state, in a check's tally): typed arrays as base64 of their
// little-endian bytes, and back, every array checked against the others.
import { z } from 'zod';
import { keysOf } from './merge.js';
import { joined, MAX_CATEGORIES, type KeptColumn, type OutputData, type Pass } from './predict.js';

export const b64 = () => z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

export function wirePassSchema() {
  return z.strictObject({
    unit: z.enum(['line', 'row']),
    refs: b64(),
    labels: z.strictObject({ dictionary: z.array(z.string()), keys: b64(), values: b64() }),
    kept: z.array(z.strictObject({ values: z.array(z.string()).nullable(), codes: b64(), numbers: b64() })),
    outputs: z.array(z.strictObject({ type: z.enum(['float32', 'float64']), scores: b64(), widths: z.array(z.number().int().positive()), labelKeys: z.array(z.string()), labels: b64().nullable() })),
  });
}
export type WirePass = z.output<ReturnType<typeof wirePassSchema>>;

export const bytesOf = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** A pass as JSON: typed arrays as base64 of their little-endian bytes. */
export function wireOf(pass: Pass): WirePass {
  return {
    unit: pass.rowUnit,
    refs: bytesOf(pass.rowRef),
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
  };
}

/** A pass from its JSON, every array checked against the others. */
export function passOf(w: WirePass, models: number, kept: number, bad: (what: string) => never): Pass {
  const rowRef = typed(w.refs, Int32Array, 'refs', bad);
  const n = rowRef.length;
  for (let i = 1; i < n; i++) if (!(rowRef[i]! > rowRef[i - 1]!)) bad(`refs: row ${i} is not after row ${i - 1} (rows are in file order)`);
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
  return { rowRef, rowUnit: w.unit, labels: { dictionary: new Map(w.labels.dictionary.map((k, i) => [k, i])), keys, values }, kept: keptColumns, inputStats: new Map(), outputs };
}

export function typed<T extends Uint8Array | Int32Array | Float32Array | Float64Array>(text: string, Kind: { new (n: number): T; BYTES_PER_ELEMENT: number }, what: string, bad: (what: string) => never): T {
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

