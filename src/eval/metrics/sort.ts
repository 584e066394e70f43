/** Below this many elements a range goes to the native sort. */
const SMALL = 4096;
const BITS = 11;
const MASK = (1 << BITS) - 1;

/** At most this many keys are sorted through a scratch array (4 MB); a larger range is first distributed in place. */
const SCRATCH = 1 << 20;

/**
 * Sorts a Float32Array ascending in place, as `Float32Array.prototype.sort()` does (−0 before +0,
 * equal values indistinguishable): the values' bits are turned into unsigned keys that order as
 * the values do, sorted by radix, and turned back. Up to SCRATCH keys (a million scores), a
 * least-significant-digit radix sort through a scratch array: a pass of 11 bits at a time over the
 * bits below the keys' common prefix (three passes for probabilities), a pass whose keys share the
 * digit skipped. A larger range is distributed in place first (an American flag sort on the 11
 * bits below the common prefix: ties and clustered scores, such as probabilities that share an
 * exponent, still spread), each bucket sorted the same way, so that the scratch stays at 4 MB
 * whatever the rows. A million scores sort in about a fifth of the native sort's time, which
 * compares through a function n log n times. No NaN (the callers refuse them first). `scratch`:
 * tests, a smaller bound.
 */
export function sortFloat32(a: Float32Array, scratch = SCRATCH): Float32Array {
  const n = a.length;
  if (n < SMALL) return a.sort();
  const keys = new Uint32Array(a.buffer, a.byteOffset, n);
  if (n <= scratch) {
    wholeLsd(keys, new Uint32Array(n));
    return a;
  }
  // order-preserving keys: a negative value has every bit flipped, a positive one its sign bit set
  for (let i = 0; i < n; i++) {
    const b = keys[i]!;
    keys[i] = b & 0x80000000 ? ~b : b | 0x80000000;
  }
  sortKeys(keys, 0, n, new Uint32Array(Math.min(n, scratch)));
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    keys[i] = k & 0x80000000 ? k & 0x7fffffff : ~k;
  }
  return a;
}

/**
 * Sorts the float32 bits in `keys` (as values) through `scratch` (as long), in as few passes over
 * them as a least-significant-digit radix sort can make: one that turns each value into its
 * order-preserving key and counts the three digits (11, 11 and 10 bits) at once, one a digit
 * whose keys differ there (a digit all keys share moves nothing), and the last turning the keys back
 * as it writes them. (sortKeys counts a digit a pass and turns the keys in passes of their own:
 * half as many passes again, on the work after the last row, when one core may idle.)
 */
function wholeLsd(keys: Uint32Array, scratch: Uint32Array): void {
  const n = keys.length;
  const counts = [new Uint32Array(MASK + 1), new Uint32Array(MASK + 1), new Uint32Array(MASK + 1)] as const;
  turnAndCount(keys, counts[0], counts[1], counts[2]);
  let src = keys;
  let dst = scratch;
  for (let d = 0; d < 3; d++) {
    const count = counts[d]!;
    const shift = d * BITS;
    if (count[(src[0]! >>> shift) & MASK] === n) continue;
    scatter(src, dst, count, shift);
    const t = src;
    src = dst;
    dst = t;
  }
  turnBack(src, keys);
}

// wholeLsd's loops over the keys are functions of their own: V8 optimises a loop that runs long
// while it runs (on-stack replacement), as code for the whole function it is in, and that code
// stops at the first line after the loop that had never run; with three long loops in one
// function, wholeLsd was compiled three times and left twice, at the start of the work after the
// last row.

/** Each value's bits into its order-preserving key, in place, its three digits counted. */
function turnAndCount(keys: Uint32Array, c0: Uint32Array, c1: Uint32Array, c2: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) {
    const b = keys[i]!;
    const k = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[i] = k;
    c0[k & MASK]!++;
    c1[(k >>> BITS) & MASK]!++;
    c2[k >>> (2 * BITS)]!++;
  }
}

/** The keys in `src` back to the values' bits, into `keys` (which may be `src`). */
function turnBack(src: Uint32Array, keys: Uint32Array): void {
  for (let i = 0; i < src.length; i++) {
    const k = src[i]!;
    keys[i] = k & 0x80000000 ? k & 0x7fffffff : ~k;
  }
}

/** One pass of a radix sort: `src` into `dst` (as long) by the digit at `shift`, whose counts `count` holds (turned into places here). */
function scatter(src: Uint32Array, dst: Uint32Array, count: Uint32Array, shift: number): void {
  for (let d = 0, at = 0; d <= MASK; d++) {
    const c = count[d]!;
    count[d] = at;
    at += c;
  }
  for (let i = 0; i < src.length; i++) {
    const k = src[i]!;
    dst[count[(k >>> shift) & MASK]!++] = k;
  }
}

/** Sorts keys[from, to) in place, through `scratch` when the range fits it. */
function sortKeys(keys: Uint32Array, from: number, to: number, scratch: Uint32Array): void {
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
  const bits = 32 - Math.clz32(lo ^ hi);
  if (to - from <= scratch.length) lsd(keys.subarray(from, to), scratch.subarray(0, to - from), bits);
  else flag(keys, from, to, Math.max(0, bits - BITS), scratch);
}

/** Sorts `keys` by their lowest `bits` bits (the others are the same in all), a digit at a time through `scratch` (as long). */
function lsd(keys: Uint32Array, scratch: Uint32Array, bits: number): void {
  const n = keys.length;
  const count = new Uint32Array(MASK + 1);
  let src = keys;
  let dst = scratch;
  for (let shift = 0; shift < bits; shift += BITS) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & MASK]!++;
    if (count[(src[0]! >>> shift) & MASK] === n) continue; // one digit: the pass moves nothing
    scatter(src, dst, count, shift);
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== keys) keys.set(src);
}

/** Distributes keys[from, to) in place by the digit at `shift` (the BITS bits ending at the highest bit in which they differ), then sorts each bucket. */
function flag(keys: Uint32Array, from: number, to: number, shift: number, scratch: Uint32Array): void {
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
    if (count[d]! > 1) sortKeys(keys, at, at + count[d]!, scratch);
    at += count[d]!;
  }
}
