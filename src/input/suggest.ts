/** "did you mean …?" for a misspelt key, check type, id or tag. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  // "auc" for "roc_auc", "map" for "mape": a whole part of a longer name beats a near spelling
  const list = [...candidates];
  const part = list.find((c) => c.toLowerCase().split(/[_\-.]/).includes(w));
  if (part !== undefined && part.toLowerCase() !== w) return part;
  candidates = list;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // two edits turn any two-letter word into any other ("by" into "id"): short words get one
  const limit = w.length <= 3 ? 1 : Math.max(2, Math.floor(w.length / 3));
  if (best !== undefined && bestDistance <= limit) return best;
  // "warning" for "warn", "thresh" for "threshold": one is the start of the other.
  for (const c of candidates) {
    const l = c.toLowerCase();
    if (Math.min(l.length, w.length) >= 3 && (l.startsWith(w) || w.startsWith(l))) return c;
  }
  return undefined;
}

/**
 * "did you mean …?" for `word`, or undefined. `named`: the other words of the list it was written
 * in (a checklist's columns, a flag's), which are never the one meant: `[p0, p1, p9]` hints `p2`.
 */
export function didYouMean(word: string, candidates: Iterable<string>, named: readonly string[] = []): string | undefined {
  const s = suggest(word, named.length ? [...candidates].filter((c) => !named.includes(c)) : candidates);
  return s === undefined ? undefined : `did you mean "${s}"?`;
}

/** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters counts once. */
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
