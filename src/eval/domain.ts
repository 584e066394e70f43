import { delong } from './metrics/delong.js';

/**
 * An L2-penalised logistic regression, fitted by Newton's method (iteratively reweighted least
 * squares) to the optimum scikit-learn's LogisticRegression(C) reaches: the sum of the log losses
 * plus ‖w‖² / (2C), the intercept not penalised. `X` is n × p, row-major. Deterministic: no random
 * start, no stochastic step; stops when the Newton step is below 1e-10.
 */
export function fitLogistic(X: Float64Array, y: Uint8Array, p: number, C: number): { w: Float64Array; b: number } {
  const n = y.length;
  const q = p + 1; // the intercept last
  const beta = new Float64Array(q);
  const H = new Float64Array(q * q);
  const g = new Float64Array(q);
  for (let iter = 0; iter < 100; iter++) {
    H.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * p;
      let z = beta[p]!;
      for (let j = 0; j < p; j++) z += X[row + j]! * beta[j]!;
      const mu = 1 / (1 + Math.exp(-z));
      const r = mu - y[i]!;
      const w = Math.max(mu * (1 - mu), 1e-12);
      for (let j = 0; j < q; j++) {
        const xj = j === p ? 1 : X[row + j]!;
        g[j]! += r * xj;
        for (let k = 0; k <= j; k++) H[j * q + k]! += w * xj * (k === p ? 1 : X[row + k]!);
      }
    }
    for (let j = 0; j < p; j++) {
      g[j]! += beta[j]! / C;
      H[j * q + j]! += 1 / C;
    }
    const step = choleskySolve(H, g, q);
    let size = 0;
    for (let j = 0; j < q; j++) {
      beta[j]! -= step[j]!;
      size = Math.max(size, Math.abs(step[j]!));
    }
    if (size < 1e-10) break;
  }
  return { w: beta.slice(0, p), b: beta[p]! };
}

/** Solves A x = b for a symmetric positive-definite A given by its lower triangle (q × q). */
function choleskySolve(A: Float64Array, b: Float64Array, q: number): Float64Array {
  const L = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    let d = A[j * q + j]!;
    for (let k = 0; k < j; k++) d -= L[j * q + k]! ** 2;
    const ljj = Math.sqrt(Math.max(d, 1e-300));
    L[j * q + j] = ljj;
    for (let i = j + 1; i < q; i++) {
      let s = A[i * q + j]!;
      for (let k = 0; k < j; k++) s -= L[i * q + k]! * L[j * q + k]!;
      L[i * q + j] = s / ljj;
    }
  }
  const z = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * q + k]! * z[k]!;
    z[i] = s / L[i * q + i]!;
  }
  const x = new Float64Array(q);
  for (let i = q - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < q; k++) s -= L[k * q + i]! * x[k]!;
    x[i] = s / L[i * q + i]!;
  }
  return x;
}

/** The features of a domain classifier, built from the columns, with the column(s) each comes from. */
export interface Design {
  /** n × p, row-major */
  X: Float64Array;
  p: number;
  /** per feature, the columns it is made of (one, or two for a product) */
  of: number[][];
}

/**
 * Cross-fitted domain classifier: every row is scored by a model fitted on the folds it is not in,
 * so the out-of-fold scores say how well "which dataset is this row from?" can be told from its
 * columns; their ROC AUC is 0.5 when the two datasets are alike, with DeLong's variance. Folds are
 * given per row (a hash of its content: the same whatever the order of the files).
 */
export function crossFitted(design: Design, fromCurrent: Uint8Array, fold: Uint8Array, folds: number, C: number) {
  const { X, p } = design;
  const n = fromCurrent.length;
  const scores = new Float64Array(n);
  const weights = new Float64Array(p);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    for (let i = 0; i < n; i++) if (fold[i] !== f) train.push(i);
    const Xt = new Float64Array(train.length * p);
    const yt = new Uint8Array(train.length);
    train.forEach((i, k) => {
      Xt.set(X.subarray(i * p, (i + 1) * p), k * p);
      yt[k] = fromCurrent[i]!;
    });
    const { w, b } = fitLogistic(Xt, yt, p, C);
    for (let j = 0; j < p; j++) weights[j]! += Math.abs(w[j]!) / folds;
    for (let i = 0; i < n; i++) {
      if (fold[i] !== f) continue;
      let z = b;
      for (let j = 0; j < p; j++) z += X[i * p + j]! * w[j]!;
      scores[i] = z;
    }
  }
  return { auc: aucOf(scores, fromCurrent), weights };
}

/** ROC AUC of scores for the rows marked 1, with DeLong's variance: counts per distinct score, ascending. */
function aucOf(scores: Float64Array, positive: Uint8Array): ReturnType<typeof delong> {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]!);
  const pos: number[] = [];
  const neg: number[] = [];
  order.forEach((i, k) => {
    if (k === 0 || scores[i] !== scores[order[k - 1]!]) {
      pos.push(0);
      neg.push(0);
    }
    if (positive[i]) pos[pos.length - 1]!++;
    else neg[neg.length - 1]!++;
  });
  return delong(pos, neg);
}
