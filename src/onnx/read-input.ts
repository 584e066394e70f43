import { readFileSync } from 'node:fs';
import { InputError } from '../input/errors.js';
import { readModelInfo, type OnnxModelInfo } from './model-info.js';

/** The one message for a file that cannot be read: "no such file", or the system's reason. */
export function cannotRead(display: string, err: unknown): InputError {
  const e = err as NodeJS.ErrnoException;
  return new InputError(display, `cannot read: ${e?.code === 'ENOENT' ? 'no such file' : (e?.message ?? String(err))}`);
}

/** A file's bytes, or an InputError naming it. */
export function readInput(path: string, display: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw cannotRead(display, err);
  }
}

/** What bytes already parsed declared: the loader plans a model, and the run loads it, from the same bytes. */
const parsed = new WeakMap<Uint8Array, OnnxModelInfo>();

/** What an ONNX file's bytes declare (parsed once per bytes), or an InputError naming it. */
export function onnxInfo(bytes: Uint8Array, display: string): OnnxModelInfo {
  let info = parsed.get(bytes);
  if (info) return info;
  try {
    info = readModelInfo(bytes);
  } catch (err) {
    throw new InputError(display, `is not a readable ONNX model: ${(err as Error).message}`);
  }
  parsed.set(bytes, info);
  return info;
}

/** An ONNX file's bytes and what they declare. */
export function readOnnx(path: string, display: string): { bytes: Buffer; info: OnnxModelInfo } {
  const bytes = readInput(path, display);
  return { bytes, info: onnxInfo(bytes, display) };
}
