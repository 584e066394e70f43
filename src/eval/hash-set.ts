/**
 * A set of row hashes (non-negative integers below 2^53) in one Float64Array with open addressing:
 * eight bytes a slot, no boxed number per row as a Set<number> of such values would keep. Grows at
 * half full.
 */
export class HashSet {
  private table = new Float64Array(1024).fill(-1);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(h: number): boolean {
    const mask = this.table.length - 1;
    for (let i = (h >>> 0) & mask; ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === h) return true;
      if (v === -1) return false;
    }
  }

  /** Adds h; false when it was there already. */
  add(h: number): boolean {
    if (2 * (this.count + 1) > this.table.length) this.grow();
    const mask = this.table.length - 1;
    for (let i = (h >>> 0) & mask; ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === h) return false;
      if (v === -1) {
        this.table[i] = h;
        this.count++;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2).fill(-1);
    this.count = 0;
    for (const v of old) if (v !== -1) this.add(v);
  }
}
