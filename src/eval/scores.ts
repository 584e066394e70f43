/**
 * Row i's probability of class c in scores stored `columns` wide: one column per class, or a single
 * column (a binary model's score of the second class, as scikit-learn orders binary outputs), whose
 * first class's probability is 1 − s, computed here when read rather than stored (8 bytes a row).
 */
export function probability(scores: ArrayLike<number>, columns: number, i: number, c: number): number {
  if (columns === 1) {
    const s = scores[i]!;
    return c === 1 ? s : 1 - s;
  }
  return scores[i * columns + c]!;
}
