/**
 * Whether the score columns are likely in another order than the one in use: from the confusion
 * matrix (rows: true class, columns: predicted class), the assignment of columns to classes that
 * puts the most rows on the diagonal (the Hungarian algorithm), and whether it fits far better.
 */
export interface ColumnOrderSuspicion {
  /** order[c]: the column that class c most likely is */
  order: number[];
  /** rows correct in the order in use, and in the likely order */
  correct: number;
  correctLikely: number;
}

/**
 * The likely order when it fits far better than the one in use: at least a tenth of the rows more
 * correct, and more than 3.3 standard deviations of the discordant rows (a McNemar test, p < 0.001).
 * Undefined when the order in use is the best or not clearly beaten.
 */
export function suspectColumnOrder(confusion: number[][]): ColumnOrderSuspicion | undefined {
  const C = confusion.length;
  const n = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  const order = bestAssignment(confusion);
  let correct = 0;
  let likely = 0;
  let kept = 0;
  for (let c = 0; c < C; c++) {
    correct += confusion[c]![c]!;
    likely += confusion[c]![order[c]!]!;
    if (order[c] === c) kept += confusion[c]![c]!;
  }
  const gained = likely - kept; // rows right only in the likely order
  const lost = correct - kept; // rows right only in the order in use
  if (gained - lost < 0.1 * n || gained - lost <= 3.3 * Math.sqrt(gained + lost)) return undefined;
  return { order, correct, correctLikely: likely };
}

/**
 * The doubt in words, or undefined when the order in use is not clearly beaten: "with classes
 * [a, b] (from `source`) 3 of 10 rows are right, with [b, a] 9". One sentence for the outputs check
 * and for init.
 */
export function columnOrderDoubt(classes: readonly string[], confusion: number[][], source: string): string | undefined {
  const suspicion = suspectColumnOrder(confusion);
  if (!suspicion) return undefined;
  const n = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  const likely = new Array<string>(classes.length);
  suspicion.order.forEach((column, c) => (likely[column] = classes[c]!));
  return `with classes [${classes.join(', ')}] (from ${source}) ${suspicion.correct} of ${n} rows are right, with [${likely.join(', ')}] ${suspicion.correctLikely}`;
}

/** The column for each row that maximises the sum picked from a square matrix (Hungarian algorithm, O(C³)). */
export function bestAssignment(m: number[][]): number[] {
  const C = m.length;
  // minimise the cost -m, with potentials u (rows) and v (columns), 1-based as in the classic form
  const u = new Float64Array(C + 1);
  const v = new Float64Array(C + 1);
  const rowOf = new Int32Array(C + 1); // rowOf[j]: the row assigned to column j
  const way = new Int32Array(C + 1);
  for (let i = 1; i <= C; i++) {
    rowOf[0] = i;
    let j0 = 0;
    const minv = new Float64Array(C + 1).fill(Infinity);
    const used = new Uint8Array(C + 1);
    do {
      used[j0] = 1;
      const i0 = rowOf[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= C; j++) {
        if (used[j]) continue;
        const cur = -m[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= C; j++) {
        if (used[j]) {
          u[rowOf[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    do {
      const j1 = way[j0]!;
      rowOf[j0] = rowOf[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const order = new Array<number>(C).fill(0);
  for (let j = 1; j <= C; j++) if (rowOf[j]! > 0) order[rowOf[j]! - 1] = j - 1;
  return order;
}
