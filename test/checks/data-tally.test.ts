// The merge of data-check tallies' duplicates (rows first seen in several shards), against a
// brute-force count over every (hash, place) pair, and its refusals of parts that are not sorted.
import { describe, expect, it } from 'vitest';
import { mergeDataTallies, ROW_PARTS, rowParts } from '../../src/checks/data-tally.js';
import { mulberry32 } from '../../src/eval/bootstrap.js';

function tally(n: number, total: number, own: number, firsts: { hashes: string[]; refs: string[] }) {
  return { path: 'd.csv', expectations: {}, absent: [], unit: 'line', n, total, max: 5, columns: [], labels: null, duplicates: { matches: { count: own, examples: [] }, firsts }, shared: null };
}

describe('the duplicates of sharded data checks', () => {
  it('finds every row first seen in several shards, and only those, whatever the shards', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = mulberry32(seed);
      const shards = 1 + Math.floor(rnd() * 6);
      // distinct rows: hashes below 2^53, some shared between shards; each shard's distinct rows with their first place
      const pool = Array.from({ length: 3000 }, () => Math.floor(rnd() * 2 ** 21) * 2 ** 32 + Math.floor(rnd() * 2 ** 32));
      const places = [...Array(20000).keys()].sort(() => rnd() - 0.5);
      const perShard: { hashes: number[]; refs: number[] }[] = Array.from({ length: shards }, () => ({ hashes: [], refs: [] }));
      const seen = perShard.map(() => new Set<number>());
      for (let i = 0; i < 8000; i++) {
        const s = Math.floor(rnd() * shards);
        const h = pool[Math.floor(rnd() * pool.length)]!;
        if (seen[s]!.has(h)) continue;
        seen[s]!.add(h);
        perShard[s]!.hashes.push(h);
        perShard[s]!.refs.push(places[i]!);
      }
      // brute force: per hash, its places over all shards; all but the smallest repeat
      const byHash = new Map<number, number[]>();
      perShard.forEach((p) => p.hashes.forEach((h, i) => byHash.set(h, [...(byHash.get(h) ?? []), p.refs[i]!])));
      const repeats = [...byHash.values()].flatMap((ps) => ps.sort((a, b) => a - b).slice(1)).sort((a, b) => a - b);
      const n = perShard.reduce((s, p) => s + p.hashes.length, 0);
      const merged = mergeDataTallies(perShard.map((p, s) => tally(p.hashes.length, n, s, rowParts(Float64Array.from(p.hashes), Int32Array.from(p.refs)))));
      const own = (shards * (shards - 1)) / 2;
      expect(merged.duplicates!.matches.count).toBe(own + repeats.length);
      expect(merged.duplicates!.matches.examples).toEqual(repeats.slice(0, 5).map((r) => [r, null]));
    }
  });

  it('writes each part in ascending order of hash, the places following their rows', () => {
    const hashes = Float64Array.from([2 ** 52 + 5, 3, 2 ** 47 - 1, 2 ** 47, 7, 2 ** 53 - 1]);
    const refs = Int32Array.from([10, 11, 12, 13, 14, 15]);
    const parts = rowParts(hashes, refs);
    expect(parts.hashes).toHaveLength(ROW_PARTS);
    const decode = (b64: string, T: Float64ArrayConstructor | Int32ArrayConstructor) => [...new T(Uint8Array.from(Buffer.from(b64, 'base64')).buffer)];
    expect(decode(parts.hashes[0]!, Float64Array)).toEqual([3, 7, 2 ** 47 - 1]);
    expect(decode(parts.refs[0]!, Int32Array)).toEqual([11, 14, 12]);
    expect(decode(parts.hashes[1]!, Float64Array)).toEqual([2 ** 47]);
    expect(decode(parts.hashes[32]!, Float64Array)).toEqual([2 ** 52 + 5]);
    expect(decode(parts.refs[63]!, Int32Array)).toEqual([15]);
  });

  it('refuses parts out of order, in the wrong part, or cut short', () => {
    const ok = rowParts(Float64Array.from([3, 7]), Int32Array.from([1, 2]));
    const b64 = (a: Float64Array | Int32Array) => Buffer.from(a.buffer).toString('base64');
    const swapped = { ...ok, hashes: ok.hashes.map((h, q) => (q === 0 ? b64(Float64Array.from([7, 3])) : h)) };
    expect(() => mergeDataTallies([tally(2, 2, 0, swapped)])).toThrow('shard 0: row hashes out of order or in the wrong part');
    const moved = { hashes: ok.hashes.map((h, q) => (q === 0 ? '' : q === 1 ? ok.hashes[0]! : h)), refs: ok.refs.map((r, q) => (q === 0 ? '' : q === 1 ? ok.refs[0]! : r)) };
    expect(() => mergeDataTallies([tally(2, 2, 0, moved)])).toThrow('shard 0: row hashes out of order or in the wrong part');
    const cut = { ...ok, hashes: ok.hashes.map((h, q) => (q === 0 ? h.slice(0, 8) : h)) };
    expect(() => mergeDataTallies([tally(2, 2, 0, cut)])).toThrow('shard 0: row hashes or places cut short');
    expect(() => mergeDataTallies([tally(2, 2, 0, { hashes: ok.hashes.slice(1), refs: ok.refs.slice(1) })])).toThrow(/shard 0: duplicates\.firsts\.hashes/);
  });
});
