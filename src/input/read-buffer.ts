/**
 * Where a large read lands in memory of its own: READ_AT bytes past the start of its ArrayBuffer.
 *
 * The kernel copies a file's pages (page-aligned) into the buffer a read is given, and that copy
 * runs several times slower when the destination sits 8 to 24 bytes past a page boundary (on the
 * development machine's AMD EPYC, 120 MB from the page cache in a loop of its own: ~75 ms at those
 * offsets, ~12 ms at any other; the 224 MB benchmark CSV: 130–170 ms against 45 ms). A large
 * ArrayBuffer's memory is mapped by the C allocator, which puts its first byte 16 bytes past a page
 * boundary: every read to offset 0 of such a buffer took the slow copy (the dataset's chunks, the
 * slots of the model host, the file hashed for its sha256; in a 1M-row run's profile, the tree's
 * copies from the page cache 0.22 → 0.17 s, the model host's 87 → 45 ms). READ_AT bytes in, the
 * destination is 80 bytes past a boundary there (64 where the allocator gives whole pages).
 */
export const READ_AT = 64;

/** A buffer of `bytes` bytes to read a file into, READ_AT bytes into memory of its own. */
export function readBuffer(bytes: number): Buffer {
  return Buffer.from(new ArrayBuffer(bytes + READ_AT), READ_AT, bytes);
}
