import { asProbabilities, decisionKey, finishPass, joined, NON_FINITE_SHOWN, rowFinite, rowProbabilityProblem, transformedHere, type Evaluation, type OutputData, type Pass, type ReadPlan } from './predict.js';

/**
 * Counted states: when every check on a dataset reads only the labels and the models' decisions
 * (decision metrics, an interval by Wilson at most: DatasetNeed.decisions), a shard need not keep its
 * rows. Its rows are grouped by label and by every model's decision key (and whether its scores are
 * finite), and each group is kept as its first row, weighted by the rows it stands for. The rows a
 * merge must still see as they are stay as they are, each of weight 1: each model's first rows with
 * a NaN or infinite score (an Evaluation names the first NON_FINITE_SHOWN) and its first row whose
 * scores are not probabilities. Every label's first row is the first row of one of its groups, so
 * the merge codes the labels in the file's first-seen order, and finds the rows its messages name.
 *
 * A shard's state then holds a few rows whatever its size (labels × decisions, a few more), and the
 * merge's evaluations (finishCounted) have the unsharded run's every count: truth and decision of
 * each row, the rows with non-finite scores, the first row that is not a probability.
 */
export function countPass(pass: Pass, plan: ReadPlan): Pass {
  const n = pass.rowRef.length;
  if (plan.regression || pass.kept.length || pass.weights) throw new Error('internal: only a classification pass with no column kept is counted, once');
  const models = plan.plans.map((p, m) => {
    const out = pass.outputs[m]!;
    const width = out.widths[0] ?? 1;
    const raw = joined(out.scores, Float64Array);
    // logits are decided on as finish decides on them: through the sigmoid or softmax (on a copy: the raw scores stay in the state)
    const probs = transformedHere(p) ? Float64Array.from(raw) : raw;
    asProbabilities(p, probs, width);
    return { raw, probs, width, threshold: p.model.spec.threshold };
  });
  // the rows kept as they are: each model's first non-finite rows and its first that is not a probability
  const alone = new Uint8Array(n);
  for (const { raw, probs, width } of models) {
    let nonFinite = 0;
    let problem = false;
    for (let i = 0; i < n && (nonFinite < NON_FINITE_SHOWN || !problem); i++) {
      if (!rowFinite(raw, width, i)) {
        if (nonFinite++ < NON_FINITE_SHOWN) alone[i] = 1;
      } else if (!problem && rowProbabilityProblem(probs, width, i, '') !== undefined) {
        problem = true;
        alone[i] = 1;
      }
    }
  }
  const kept: number[] = [];
  const weights: number[] = [];
  const groups = new Map<string, number>();
  const labels = pass.labels.keys;
  for (let i = 0; i < n; i++) {
    if (!alone[i]) {
      let key = String(labels[i]);
      // a non-finite row's decision is kept too: the confusion matrix reported counts it
      for (const { raw, probs, width, threshold } of models) key += `,${rowFinite(raw, width, i) ? '' : '!'}${decisionKey(probs, width, i, threshold)}`;
      const slot = groups.get(key);
      if (slot !== undefined) {
        weights[slot]!++;
        continue;
      }
      groups.set(key, kept.length);
    }
    kept.push(i);
    weights.push(1);
  }
  const rows = Int32Array.from(kept);
  const pick = <T extends Uint8Array | Int32Array>(a: T): T => {
    const out = new (a.constructor as { new (n: number): T })(rows.length);
    rows.forEach((r, k) => (out[k] = a[r]!));
    return out;
  };
  return {
    rowRef: pick(pass.rowRef),
    rowUnit: pass.rowUnit,
    labels: { dictionary: pass.labels.dictionary, keys: pick(labels), values: new Float64Array(0) },
    kept: [],
    inputStats: pass.inputStats,
    outputs: pass.outputs.map((out, m) => countedOutputs(out, models[m]!.width, rows)),
    weights: Uint32Array.from(weights),
  };
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
 * The Evaluations of a counted pass joined from shards: finishPass on its rows (classes, labels,
 * decisions, the rows named), then each row repeated as many times as it stands for. The scores,
 * places and label outputs of the rows are not kept (`counted`): only the checks that read labels
 * and decisions are given these evaluations.
 */
export function finishCounted(plan: ReadPlan, pass: Pass, path: string): Evaluation[] {
  const weights = pass.weights!;
  // the rows with a non-finite score, counted before finishPass takes the scores over
  const nonFinite = pass.outputs.map((out) => {
    const width = out.widths[0] ?? 1;
    const raw = joined(out.scores, Float64Array);
    let rows = 0;
    for (let i = 0; i < weights.length; i++) if (!rowFinite(raw, width, i)) rows += weights[i]!;
    return rows;
  });
  return finishPass(plan, pass, path).map((ev, m) => repeated(ev, weights, nonFinite[m]!));
}

function repeated(ev: Evaluation, weights: Uint32Array, nonFinite: number): Evaluation {
  const n = weights.reduce((s, w) => s + w, 0);
  const truth = new (ev.truth.constructor as { new (n: number): Uint8Array | Int32Array })(n);
  const predicted = new (ev.predicted.constructor as { new (n: number): Uint8Array | Int32Array })(n);
  let at = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    truth.fill(ev.truth[i]!, at, at + w);
    predicted.fill(ev.predicted[i]!, at, at + w);
    at += w;
  }
  const { labelOutput: _, ...rest } = ev;
  return { ...rest, n, truth, predicted, scores: new Float64Array(0), rowRef: new Int32Array(0), nonFinite: { rows: nonFinite, first: ev.nonFinite.first }, counted: true };
}
