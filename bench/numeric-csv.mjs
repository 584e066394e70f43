// The independent floors' CSV reader (bench/floor.mjs, bench/read-floor.mjs): a byte-level parser of
// a numeric CSV (plain decimals, no quotes, a header row) into one Float64Array per batch, the
// simplest fast code a user could write. Shares no code with src/.
import { closeSync, openSync, readSync } from 'node:fs';

const POW = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Yields { values, rows, width }: `rows` lines of `width` numbers each, row-major; `values` is reused. */
export function* numericBatches(file, batchRows) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let len = readSync(fd, buf, 0, buf.length, null);
  let pos = buf.indexOf(10) + 1; // skip the header
  const width = buf.subarray(0, pos).toString('latin1').split(',').length;
  const values = new Float64Array(batchRows * width);
  let rows = 0;
  let at = 0;
  for (;;) {
    const end = buf.lastIndexOf(10, len - 1);
    while (pos <= end) {
      for (;;) {
        let neg = false;
        if (buf[pos] === 45) {
          neg = true;
          pos++;
        }
        let m = 0;
        let frac = 0;
        let c = buf[pos];
        while (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          c = buf[++pos];
        }
        if (c === 46) {
          c = buf[++pos];
          while (c >= 48 && c <= 57) {
            m = m * 10 + (c - 48);
            frac++;
            c = buf[++pos];
          }
        }
        values[at++] = neg ? -m / POW[frac] : m / POW[frac];
        pos++; // the comma or the line feed
        if (c === 10) break;
      }
      if (++rows === batchRows) {
        yield { values, rows, width };
        rows = 0;
        at = 0;
      }
    }
    const rest = len - pos;
    buf.copy(buf, 0, pos, len);
    pos = 0;
    const got = readSync(fd, buf, rest, buf.length - rest, null);
    len = rest + got;
    if (got === 0) break;
  }
  if (rows) yield { values, rows, width };
  closeSync(fd);
}
