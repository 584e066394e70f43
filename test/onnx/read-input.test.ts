import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxInfo } from '../../src/onnx/read-input.js';
import { FIXTURES } from '../helpers.js';

describe('onnxInfo', () => {
  it('parses given bytes once (the loader plans a model and the run loads it from the same bytes); other bytes, even equal, are parsed again', () => {
    const bytes = readFileSync(join(FIXTURES, 'breast-cancer', 'model.onnx'));
    const info = onnxInfo(bytes, 'model.onnx');
    expect(onnxInfo(bytes, 'model.onnx')).toBe(info);
    const copy = onnxInfo(Buffer.from(bytes), 'model.onnx');
    expect(copy).not.toBe(info);
    expect(copy).toEqual(info);
  });

  it('bytes that are not ONNX: one error naming the file, every time', () => {
    const bytes = Buffer.from('not a model');
    for (let i = 0; i < 2; i++) expect(() => onnxInfo(bytes, 'm.onnx')).toThrow(/^m\.onnx {2}is not a readable ONNX model: /);
  });
});
