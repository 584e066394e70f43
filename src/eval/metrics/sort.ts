/** Below this many elements a range goes to the native sort. */
const SMALL = 4096;
const BITS = 11;
const MASK = (1 << BITS) - 1;

/**
 * Sorts a Float32Array ascending in place, as `Float32Array.prototype.sort()` does (−0 before +0,
 * equal values indistinguishable), in its own memory: the values' bits are turned into unsigned
 * keys that order as the values do, distributed in place into 2,048 buckets by the 11 bits below
 * the keys' common prefix (an American flag sort: ties and clustered scores, such as probabilities
 * that share an exponent, still spread), each large bucket again, small ones by the native sort;
 * then turned back. A million scores sort in about half the time of the native sort, which compares
 * through a function n log n times. No NaN (the callers refuse them first).
 */
export function sortFloat32(a: Float32Array): Float32Array {
  const n = a.length;
  if (n < SMALL) return a.sort();
  const keys = new Uint32Array(a.buffer, a.byteOffset, n);
  // order-preserving keys: a negative value has every bit flipped, a positive one its sign bit set
  for (let i = 0; i < n; i++) {
    const b = keys[i]!;
    keys[i] = b & 0x80000000 ? ~b : b | 0x80000000;
  }
  flag(keys, 0, n);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    keys[i] = k & 0x80000000 ? k & 0x7fffffff : ~k;
  }
  return a;
}

/** Sorts keys[from, to) in place. */
function flag(keys: Uint32Array, from: number, to: number): void {
  if (to - from < SMALL) {
    keys.subarray(from, to).sort();
    return;
  }
  let lo = 0xffffffff;
  let hi = 0;
  for (let i = from; i < to; i++) {
    const k = keys[i]!;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  if (lo === hi) return;
  // the digit: the BITS bits ending at the highest bit in which the keys differ
  const shift = Math.max(0, 32 - Math.clz32(lo ^ hi) - BITS);
  const count = new Uint32Array(MASK + 1);
  for (let i = from; i < to; i++) count[(keys[i]! >>> shift) & MASK]!++;
  const next = new Uint32Array(MASK + 1);
  const end = new Uint32Array(MASK + 1);
  for (let d = 0, at = from; d <= MASK; d++) {
    next[d] = at;
    at += count[d]!;
    end[d] = at;
  }
  // each key is carried to the next free place of its bucket, and the key found there on
  for (let d = 0; d <= MASK; d++) {
    while (next[d]! < end[d]!) {
      let k = keys[next[d]!]!;
      let kd = (k >>> shift) & MASK;
      while (kd !== d) {
        const j = next[kd]!++;
        const t = keys[j]!;
        keys[j] = k;
        k = t;
        kd = (k >>> shift) & MASK;
      }
      keys[next[d]!++] = k;
    }
  }
  if (shift === 0) return; // the last digit: each bucket holds one value
  for (let d = 0, at = from; d <= MASK; d++) {
    if (count[d]! > 1) flag(keys, at, at + count[d]!);
    at += count[d]!;
  }
}
