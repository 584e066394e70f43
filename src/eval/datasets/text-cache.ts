/**
 * The texts of one column, made into strings once each: a column of categories ("Biscoe", "MALE")
 * then costs a handful of strings instead of one a row (their decoding and their collection were a
 * third of reading such a file). Short ASCII texts only, found by a hash of their bytes and checked
 * byte by byte; a column with more distinct texts than MAX stops being cached (names, ids).
 */
export class TextCache {
  private readonly map = new Map<number, string>();
  private off = false;

  text(buf: Buffer, s: number, e: number): string {
    const length = e - s;
    if (this.off || length > MAX_LENGTH) return buf.toString('utf8', s, e);
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return buf.toString('utf8', s, e);
      h = Math.imul(h ^ c, 0x01000193);
    }
    // a small integer key (V8 keeps it unboxed); a text of another hash under it is decoded every time
    const key = (h ^ length) & 0x3fffffff;
    const seen = this.map.get(key);
    if (seen !== undefined && sameText(seen, buf, s, length)) return seen;
    const t = buf.toString('latin1', s, e);
    if (seen === undefined) {
      this.map.set(key, t);
      if (this.map.size > MAX) {
        this.off = true;
        this.map.clear();
      }
    }
    return t;
  }
}

const MAX_LENGTH = 48;
const MAX = 4096;

function sameText(t: string, buf: Buffer, s: number, length: number): boolean {
  if (t.length !== length) return false;
  for (let k = 0; k < length; k++) if (t.charCodeAt(k) !== buf[s + k]) return false;
  return true;
}
