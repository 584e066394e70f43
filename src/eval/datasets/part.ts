import { fmix32 } from '../../input/hash.js';

/**
 * Which rows of a dataset one shard reads (`run --shard i/n`). Text formats: a row belongs to shard
 * `hash(bytes of its record) mod n`, the record's bytes without its line end (so CRLF and LF files
 * agree); never a byte range, since a quoted field may hold a newline. Parquet: whole row groups,
 * group g to shard g mod n. Every row belongs to exactly one shard, whatever n, and identical rows
 * to the same one.
 */
export interface Part {
  /** 0 … count − 1 */
  index: number;
  count: number;
}

/** FNV-1a over bytes [from, to), finished with MurmurHash3's fmix32 so that `mod n` is even. */
export function recordHash(buf: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return fmix32(h);
}

/** Whether the record [from, to) (its line end included or not) belongs to `part`. */
export function inPart(part: Part, buf: Uint8Array, from: number, to: number): boolean {
  let e = to;
  if (e > from && buf[e - 1] === 10) e--;
  if (e > from && buf[e - 1] === 13) e--;
  return recordHash(buf, from, e) % part.count === part.index;
}
