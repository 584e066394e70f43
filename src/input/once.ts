/**
 * `make`'s value, made at the first call and kept. For the zod schemas a run may never need (a
 * report read by `diff`, a shard's tally, a check type's parts): zod builds a schema when it is
 * declared, and those of every module took ~45 ms of each start, when most runs use a few.
 */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
