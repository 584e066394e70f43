import { asProbabilities, decided, decisionKey, finishPass, joined, NON_FINITE_SHOWN, outputProblem, rowFinite, rowIsProbabilities, transformedHere, type Evaluation, type OutputData, type Pass, type ReadPlan } from './predict.js';

/**
 * How a shard may count its rows (DatasetNeed.reads): when every check on a dataset reads only the
 * labels and the models' decisions, by label and decision; when every check reads the rows' labels,
 * scores and columns kept in any order (every value a function of the rows as a multiset: metrics,
 * with exact sums, their bootstraps keyed by content, claims, slices, fairness, prediction drift),
 * by label, scores and columns.
 */
export type CountedReads = 'decisions' | 'multiset';

/**
 * Counted states. A shard groups its rows — by label, every model's decision key and whether its
 * scores are finite (`decisions`), or by label, every model's scores and the columns kept, bit for
 * bit (`multiset`) — and keeps each group as its first row, weighted by the rows it stands for. The rows a merge
 * must still see as they are stay as they are, each of weight 1: each model's first rows with a NaN
 * or infinite score (an Evaluation names the first NON_FINITE_SHOWN) and its first row whose scores
 * are not probabilities. Every label's first row is the first row of one of its groups, so the merge
 * codes the labels in the file's first-seen order and finds the rows its messages name.
 *
 * By decisions, a state holds a few rows whatever its size (labels × decisions, a few more). By
 * scores, it holds a row per distinct (label, scores): a forest's or a quantised model's few
 * scores, a score map; continuous scores gain nothing, and the shard then keeps its rows as they are
 * (undefined is returned when the groups are more than half the rows).
 */
export function countPass(pass: Pass, plan: ReadPlan, reads: CountedReads, outputs?: readonly number[]): Pass | undefined {
  const n = pass.rowRef.length;
  if ((reads === 'decisions' && (plan.regression || pass.kept.length)) || pass.counted) throw new Error('internal: a pass is counted once; by decision, a classification with no column kept');
  const models = modelScores(pass, plan);
  const paired = pass.paired;
  const named = outputs ? models.map((m) => outputsKey(m, outputs, reads, !plan.regression)) : [];
  const alone = aloneRows(models, n, !plan.regression);
  const firsts: number[] = [];
  const weights: number[] = [];
  const groups = new Map<string | number, number>();
  const label = plan.regression ? bitsOf(pass.labels.values) : (i: number) => String(pass.labels.keys[i]);
  const scores = models.map(({ raw, probs, width, threshold }) => {
    if (reads === 'decisions') return (i: number) => `${rowFinite(raw, width, i) ? '' : '!'}${decisionKey(probs, width, i, threshold)}`;
    const bits = bitsOf(raw);
    return (i: number) => {
      let key = '';
      for (let c = 0; c < width; c++) key += `${bits(i * width + c)};`;
      return key;
    };
  });
  // a column kept (slices, fairness): its category and its value, bit for bit
  const kept = pass.kept.map((k) => {
    const bits = bitsOf(k.numbers);
    return (i: number) => `${k.codes[i]}:${bits(i)}`;
  });
  const asText = (i: number) => {
    let key = label(i);
    for (const s of scores) key += `,${s(i)}`;
    for (const k of kept) key += `|${k(i)}`;
    for (const o of named) key += `#${o.code(i)}`;
    if (paired) key += `^${paired[i]}`;
    return key;
  };
  // by decision, a number a row where it fits (label, then each model's finiteness and decision key,
  // below 4 × classes, a single score's two classes counted): no string made a row
  const radix = (width: number) => 8 * Math.max(width, 2);
  const pairedRadix = paired ? paired.reduce((m, k) => Math.max(m, k), 0) + 1 : 1;
  const span = pairedRadix * named.reduce((s, o) => s * o.radix, models.reduce((s, m) => s * radix(m.width), pass.labels.dictionary.size));
  const asNumber = (i: number) => {
    let key = pass.labels.keys[i]!;
    for (const { raw, probs, width, threshold } of models) key = key * radix(width) + rowDecision(raw, probs, width, i, threshold);
    for (const o of named) key = key * o.radix + o.code(i);
    if (paired) key = key * pairedRadix + paired[i]!;
    return key;
  };
  const keyOf: (i: number) => string | number = reads === 'decisions' && span <= Number.MAX_SAFE_INTEGER ? asNumber : asText;
  // continuous scores: as many groups as rows, seen in the first rows already (no key made for every row to find it)
  if (reads === 'multiset' && n > 2 * SAMPLE && new Set(Array.from({ length: SAMPLE }, (_, i) => keyOf(i))).size > SAMPLE / 2) return undefined;
  for (let i = 0; i < n; i++) {
    if (!alone[i]) {
      const key = keyOf(i);
      const slot = groups.get(key);
      if (slot !== undefined) {
        weights[slot]!++;
        continue;
      }
      groups.set(key, firsts.length);
    }
    // more groups than half the rows (scores that turned continuous past the first rows): given up as soon as it is so
    if (reads === 'multiset' && firsts.length + 1 > n / 2) return undefined;
    firsts.push(i);
    weights.push(1);
  }
  const rows = Int32Array.from(firsts);
  const pick = <T extends Uint8Array | Int32Array | Float64Array>(a: T): T => {
    if (a.length === 0) return a;
    const out = new (a.constructor as { new (n: number): T })(rows.length);
    rows.forEach((r, k) => (out[k] = a[r]!));
    return out;
  };
  return {
    rowRef: pick(pass.rowRef),
    rowUnit: pass.rowUnit,
    labels: { dictionary: pass.labels.dictionary, keys: pick(pass.labels.keys), values: pick(pass.labels.values) },
    kept: pass.kept.map((k) => ({ codes: pick(k.codes), values: k.values, numbers: pick(k.numbers) })),
    inputStats: pass.inputStats,
    outputs: pass.outputs.map((out, m) => countedOutputs(out, models[m]!.width, rows)),
    counted: { by: reads, weights: Uint32Array.from(weights), ...(outputs ? { outputs: [...outputs] } : {}) },
    ...(paired ? { paired: pick(paired) } : {}),
  };
}

/** Each model's scores of a pass, as doubles (`raw`) and as finish judges them (`probs`: logits through the sigmoid or softmax, on a copy), and its label output. */
function modelScores(pass: Pass, plan: ReadPlan) {
  return plan.plans.map((p, m) => {
    const out = pass.outputs[m]!;
    const width = out.widths[0] ?? 1;
    const raw = joined(out.scores, Float64Array);
    const probs = transformedHere(p) ? Float64Array.from(raw) : raw;
    if (!plan.regression) asProbabilities(p, probs, width);
    return { raw, probs, width, threshold: p.model.spec.threshold, said: out.labels.length ? joined(out.labels, Int32Array) : undefined, sayable: out.labelKeys.size };
  });
}

/** A row's decision key (predict.ts decisionKey) and whether its scores are finite, as one number: twice the key, plus one when not finite. */
function rowDecision(raw: Float64Array, probs: Float64Array, width: number, i: number, threshold: number | undefined): number {
  return 2 * decisionKey(probs, width, i, threshold) + (rowFinite(raw, width, i) ? 0 : 1);
}

/** Model m's decision (rowDecision) on each row of a pass: what a perturbed pass of the same rows is compared with (robustness). */
export function decisionKeys(pass: Pass, plan: ReadPlan, m: number): Int32Array {
  const { raw, probs, width, threshold } = modelScores(pass, plan)[m]!;
  return Int32Array.from({ length: pass.rowRef.length }, (_, i) => rowDecision(raw, probs, width, i, threshold));
}

/** A perturbed pass's unperturbed decisions (Pass.paired), a row each as its evaluation has them: repeated as the rows are, when counted. */
export function pairedRows(pass: Pass): Int32Array | undefined {
  if (!pass.paired || !pass.counted) return pass.paired;
  const weights = pass.counted.weights;
  return repeatedRows(pass.paired, weights, weights.reduce((s, w) => s + w, 0));
}

/** The class a row's decision (rowDecision) stands for in an Evaluation (`thresholded`: predict.ts thresholdedClass). */
export function decisionClass(key: number, thresholded: number): number {
  return decided(key >> 1, thresholded);
}

/** Rows whose groups tell, by scores, whether counting pays (more groups than half of them: it does not). */
const SAMPLE = 4096;

const PROBLEM_CODE = { none: 0, 'non-finite': 1, 'out-of-range': 2, sum: 3 } as const;

/**
 * A model's part of a row's key for the outputs check (`outputs`: the checklist's sum tolerances):
 * its label output and (by decision; by scores, the scores tell them already) what the check finds
 * of the row at each tolerance; `radix`: how many values the code takes.
 */
function outputsKey(m: { probs: Float64Array; width: number; said: Int32Array | undefined; sayable: number }, outputs: readonly number[], reads: CountedReads, classifier: boolean): { radix: number; code: (i: number) => number } {
  const { probs, width, said, sayable } = m;
  const problems = (i: number) => {
    let code = 0;
    for (const t of outputs) code = code * 4 + PROBLEM_CODE[outputProblem(probs, width, i, classifier, t) ?? 'none'];
    return code;
  };
  const byDecision = reads === 'decisions';
  return {
    radix: (byDecision ? 4 ** outputs.length : 1) * (sayable + 1),
    code: (i) => (byDecision ? problems(i) * (sayable + 1) : 0) + (said ? said[i]! + 1 : 0),
  };
}

/** The rows kept as they are: each model's first non-finite rows and (a classifier) its first that is not a probability. */
function aloneRows(models: { raw: Float64Array; probs: Float64Array; width: number }[], n: number, classifier: boolean): Uint8Array {
  const alone = new Uint8Array(n);
  for (const { raw, probs, width } of models) {
    let nonFinite = 0;
    let problem = !classifier;
    for (let i = 0; i < n && (nonFinite < NON_FINITE_SHOWN || !problem); i++) {
      if (!rowFinite(raw, width, i)) {
        if (nonFinite++ < NON_FINITE_SHOWN) alone[i] = 1;
      } else if (!problem && !rowIsProbabilities(probs, width, i)) {
        problem = true;
        alone[i] = 1;
      }
    }
  }
  return alone;
}

/** A value's bits as text (0 and −0, and every NaN, told apart: a group's rows are the same to the bit). */
function bitsOf(values: Float64Array): (i: number) => string {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return (i) => `${words[2 * i]!.toString(36)}.${words[2 * i + 1]!.toString(36)}`;
}

/** A model's outputs at the rows kept, in the precision the model gave them. */
function countedOutputs(out: OutputData, width: number, rows: Int32Array): OutputData {
  const single = out.scores.every((s) => s instanceof Float32Array);
  const flat = single ? joined(out.scores, Float32Array) : joined(out.scores, Float64Array);
  const scores = single ? new Float32Array(rows.length * width) : new Float64Array(rows.length * width);
  rows.forEach((r, k) => scores.set(flat.subarray(r * width, (r + 1) * width), k * width));
  const given = out.labels.length ? joined(out.labels, Int32Array) : undefined;
  const labels = given ? [Int32Array.from(rows, (r) => given[r]!)] : [];
  return { scores: out.widths.length ? [scores] : [], widths: out.widths, labels, labelKeys: out.labelKeys };
}

/**
 * The Evaluations of a counted pass joined from shards (a part that kept its rows counts each as
 * one): finishPass on its rows (classes, labels, decisions, the rows named), then each row repeated
 * as many times as it stands for — its label and decision, and (`multiset`) its scores. The places
 * and label outputs of the rows are not kept (`counted`), nor, counted by decisions, their scores:
 * only the checks that read what was counted are given these evaluations. When the shards kept
 * apart the rows the outputs check tells apart (`counted.outputs`), each row's place, label output and
 * scores are repeated too: the rows a group stands for come after its first row in the file, so the
 * first row of each problem is its first row (the rows merge in file order), and the scores of the
 * group's first row have the same problems as theirs (counted by decision, they are not their
 * scores: no other check reads them).
 */
export function finishCounted(plan: ReadPlan, pass: Pass, path: string): Evaluation[] {
  const { by: reads, weights, outputs } = pass.counted!;
  // the rows with a non-finite score, counted before finishPass takes the scores over
  const nonFinite = pass.outputs.map((out) => {
    const width = out.widths[0] ?? 1;
    const raw = joined(out.scores, Float64Array);
    let rows = 0;
    for (let i = 0; i < weights.length; i++) if (!rowFinite(raw, width, i)) rows += weights[i]!;
    return rows;
  });
  return finishPass(plan, pass, path).map((ev, m) => repeated(ev, weights, nonFinite[m]!, reads, outputs !== undefined));
}

function repeated(ev: Evaluation, weights: Uint32Array, nonFinite: number, reads: CountedReads, outputs: boolean): Evaluation {
  const n = weights.reduce((s, w) => s + w, 0);
  const scores = reads === 'multiset' || outputs ? repeatedRows(ev.scores, weights, n, ev.task === 'regression' ? 1 : ev.scoreColumns) : new Float64Array(0);
  const columns = new Map([...ev.columns].map(([name, k]) => [name, { codes: repeatedRows(k.codes, weights, n), values: k.values, numbers: repeatedRows(k.numbers, weights, n) }]));
  const { labelOutput, ...rest } = ev;
  return {
    ...rest,
    n,
    truth: repeatedRows(ev.truth, weights, n),
    predicted: ev.predicted.length ? repeatedRows(ev.predicted, weights, n) : ev.predicted,
    scores,
    columns,
    rowRef: outputs ? repeatedRows(ev.rowRef, weights, n) : new Int32Array(0),
    ...(outputs && labelOutput ? { labelOutput: repeatedRows(labelOutput, weights, n) } : {}),
    nonFinite: { rows: nonFinite, first: ev.nonFinite.first },
    counted: reads,
  };
}

/** Each row's values (`width` a row) repeated as many times as the row stands for. */
function repeatedRows<T extends Uint8Array | Int32Array | Float32Array | Float64Array>(values: T, weights: Uint32Array, n: number, width = 1): T {
  const out = new (values.constructor as { new (n: number): T })(n * width);
  let at = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (width === 1) out.fill(values[i]!, at, at + w);
    else for (let k = 0; k < w; k++) out.set(values.subarray(i * width, (i + 1) * width), (at + k) * width);
    at += w;
  }
  return out;
}
