import { describe, expect, it } from 'vitest';
import { fixedBatch, sentFor } from '../../src/eval/predict.js';
import type { OnnxModelInfo } from '../../src/onnx/model-info.js';
import type { NumberColumn, RawBatch } from '../../src/eval/datasets/types.js';

const tensorInput = (name: string, shape: (number | string | null)[]) => ({ name, type: { kind: 'tensor' as const, elemType: 'float32', shape } });
const model = (...inputs: ReturnType<typeof tensorInput>[]) => ({ path: 'm.onnx', info: { inputs } as unknown as OnnxModelInfo });

describe('models whose inputs fix the batch size', () => {
  it('reads the fixed first dimension; symbolic, unknown or absent ones fix nothing; inputs that disagree are refused', () => {
    expect(fixedBatch(model(tensorInput('x', ['N', 4])))).toBeUndefined();
    expect(fixedBatch(model(tensorInput('x', [null, 4])))).toBeUndefined();
    expect(fixedBatch(model(tensorInput('x', [1, 4])))).toBe(1);
    expect(fixedBatch(model(tensorInput('a', ['N', 1]), tensorInput('b', [16, 3])))).toBe(16);
    expect(fixedBatch(model(tensorInput('a', [16, 1]), tensorInput('b', [16, 3])))).toBe(16);
    expect(() => fixedBatch(model(tensorInput('a', [1, 1]), tensorInput('b', [8, 3])))).toThrow('m.onnx  inputs "a" and "b" fix different batch sizes (1 and 8 rows): deploy-check cannot run the model');
  });

  // five rows; column 0 numbers with two cells that are not (rows 1 and 4), column 1 text
  const batch = (): RawBatch => ({
    n: 5,
    cells: [{ numbers: Float64Array.of(10, 0, 12, 13, 0), other: new Map([[1, 'y'], [4, 'x']]) }, ['a', 'b', 'c', 'd', 'e']],
    unit: 'line',
    refs: Int32Array.of(2, 3, 4, 5, 6),
  });
  const plain = (b: RawBatch) => ({ n: b.n, numbers: [...(b.cells[0] as NumberColumn).numbers], other: [...(b.cells[0] as NumberColumn).other], text: b.cells[1], refs: [...(b.refs as Int32Array)] });

  it('a fixed batch of 4: a multiple of 4 rows, filled up with copies of the last row', () => {
    expect(plain(sentFor(batch(), 4))).toEqual({ n: 8, numbers: [10, 0, 12, 13, 0, 0, 0, 0], other: [[1, 'y'], [4, 'x'], [5, 'x'], [6, 'x'], [7, 'x']], text: ['a', 'b', 'c', 'd', 'e', 'e', 'e', 'e'], refs: [2, 3, 4, 5, 6, 6, 6, 6] });
    const b = batch();
    expect(sentFor(b, 5)).toBe(b);
    expect(sentFor(b, 1)).toBe(b);
    expect(plain(sentFor(b, 16)).refs).toEqual([2, 3, 4, 5, ...Array(12).fill(6)]);
  });

  it('any batch size: the batch as it is, but a single row sent twice', () => {
    const b = batch();
    expect(sentFor(b, undefined)).toBe(b);
    const single: RawBatch = { n: 1, cells: [{ numbers: Float64Array.of(7), other: new Map() }, ['z']], unit: 'row', refs: [9] };
    expect(plain(sentFor(single, undefined))).toEqual({ n: 2, numbers: [7, 7], other: [], text: ['z', 'z'], refs: [9, 9] });
    expect(sentFor(single, 1)).toBe(single);
  });
});
