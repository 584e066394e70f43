/**
 * The few protobuf primitives needed to read an ONNX ModelProto without a protobuf library:
 * field iteration over a byte range, varints, length-delimited slices. Bounds are checked so a
 * truncated or hostile file fails with a clear message instead of reading past its end.
 */
export class ProtoError extends Error {}

export interface Field {
  /** offset of the field's key: bytes [head, end) are the whole field */
  head: number;
  num: number;
  wire: number;
  /** varint or fixed value (as a number; 64-bit values beyond 2^53 are approximated) */
  int: number;
  /** start/end of a length-delimited payload */
  start: number;
  end: number;
}

export function* fields(buf: Uint8Array, start = 0, end = buf.length): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const head = pos;
    const [key, afterKey] = varint(buf, pos, end);
    pos = afterKey;
    const num = Math.floor(key / 8);
    const wire = key % 8;
    if (num === 0) throw new ProtoError(`invalid field number 0 at byte ${pos}`);
    switch (wire) {
      case 0: {
        const [v, next] = varint(buf, pos, end);
        yield { head, num, wire, int: v, start: pos, end: next };
        pos = next;
        break;
      }
      case 1:
        if (pos + 8 > end) throw new ProtoError(`truncated 64-bit field at byte ${pos}`);
        yield { head, num, wire, int: 0, start: pos, end: pos + 8 };
        pos += 8;
        break;
      case 2: {
        const [len, next] = varint(buf, pos, end);
        if (next + len > end) throw new ProtoError(`length-delimited field ${num} at byte ${pos} runs past the end (${len} bytes)`);
        yield { head, num, wire, int: len, start: next, end: next + len };
        pos = next + len;
        break;
      }
      case 5:
        if (pos + 4 > end) throw new ProtoError(`truncated 32-bit field at byte ${pos}`);
        yield { head, num, wire, int: 0, start: pos, end: pos + 4 };
        pos += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${wire} at byte ${pos}`);
    }
  }
}

function varint(buf: Uint8Array, pos: number, end: number): [number, number] {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new ProtoError(`truncated varint at byte ${pos}`);
    const b = buf[pos++]!;
    result += (b & 0x7f) * scale;
    if (b < 0x80) return [result, pos];
    scale *= 128;
  }
  throw new ProtoError(`varint longer than 10 bytes at byte ${pos}`);
}

const decoder = new TextDecoder('utf-8', { fatal: false });
export function text(buf: Uint8Array, f: Field): string {
  return decoder.decode(buf.subarray(f.start, f.end));
}

/** A signed int64 varint read as a JavaScript number (negative values arrive as 2^64 + v). */
export function signed(f: Field): number {
  return f.int >= 2 ** 63 ? f.int - 2 ** 64 : f.int;
}

// Writing: just what rewriting a graph and building small models needs.

export function field(num: number, payload: Uint8Array): Uint8Array {
  return concat([encodeVarint(num * 8 + 2), encodeVarint(payload.length), payload]);
}

export function varintField(num: number, value: number): Uint8Array {
  return concat([encodeVarint(num * 8), encodeVarint(value)]);
}

export function encodeVarint(v: number): Uint8Array {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
