// The independent read floor of the drift and data benchmarks: a process that reads the given
// numeric CSV files and parses every field into a Float64Array batch, and nothing else, with its own
// byte-level parser (plain decimals, no quotes). Shares no code with src/; started cold, as a run is.
import { closeSync, openSync, readSync } from 'node:fs';

const POW = Array.from({ length: 23 }, (_, i) => 10 ** i);
let sum = 0;
for (const file of process.argv.slice(2)) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let len = readSync(fd, buf, 0, buf.length, null);
  let pos = buf.indexOf(10) + 1;
  const width = buf.subarray(0, pos).toString('latin1').split(',').length;
  const batch = new Float64Array(8192 * width);
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
        batch[at++] = neg ? -m / POW[frac] : m / POW[frac];
        pos++;
        if (c === 10) break;
      }
      if (at >= batch.length - width) {
        sum += batch[0];
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
  closeSync(fd);
}
if (Number.isNaN(sum)) throw new Error('unreachable');
