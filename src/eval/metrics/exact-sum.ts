/**
 * A sum of doubles rounded once, at the end: the double nearest the exact sum of every value added
 * (ties to even), whatever the order they come in. Shewchuk's adaptive partials, as Python's
 * math.fsum keeps them: each value added to a short list of non-overlapping partials (two or
 * three, nearly always) with error-free two-sums, and the partials summed with care for the final
 * rounding.
 *
 * Metrics that are means (log loss, Brier, the calibration bins, the regression errors) sum their
 * terms so: the same rows in any order give the same value to the bit, so the rows of a dataset
 * counted in shards (eval/counted.ts), joined in another order than the file's, give the unsharded
 * run's numbers; and the value is the exact mean, rounded once.
 */
export class ExactSum {
  private partials = new Float64Array(8);
  private size = 0;
  /** the sum of the non-finite values added (NaN, ±∞), which the finite ones cannot change */
  private special = 0;
  private hasSpecial = false;

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.special += value;
      this.hasSpecial = true;
      return;
    }
    let x = value;
    let i = 0;
    const p = this.partials;
    const size = this.size;
    for (let j = 0; j < size; j++) {
      // Knuth's two-sum: hi + lo is exactly x + y, whichever is larger (no branch)
      const y = p[j]!;
      const hi = x + y;
      const b = hi - x;
      const lo = x - (hi - b) + (y - b);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (!Number.isFinite(x)) {
      // an intermediate past the largest double: the sum is that infinity
      this.special += x;
      this.hasSpecial = true;
      this.size = i;
      return;
    }
    if (i === p.length) this.grow();
    this.partials[i++] = x;
    this.size = i;
  }

  private grow(): void {
    const wider = new Float64Array(this.partials.length * 2);
    wider.set(this.partials);
    this.partials = wider;
  }

  /** The exact sum, rounded once to the nearest double (ties to even). */
  value(): number {
    if (this.hasSpecial) return this.special;
    const p = this.partials;
    let n = this.size;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // half-way between two doubles as hi + lo, and the partials below push it one way: round that way
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/** The exact sum of f(0) … f(n − 1), rounded once. */
export function exactSum(n: number, f: (i: number) => number): number {
  const s = new ExactSum();
  for (let i = 0; i < n; i++) s.add(f(i));
  return s.value();
}
