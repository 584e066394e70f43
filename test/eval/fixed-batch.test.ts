import { describe, expect, it } from 'vitest';
import { fixedBatch, runsOf } from '../../src/eval/predict.js';
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

  it('a fixed batch of 4: runs of exactly 4 rows, the last filled up with copies of its last row', () => {
    const runs = runsOf(batch(), 4);
    expect(runs.map((r) => [r.from, r.rows.n, r.sent.n])).toEqual([[0, 4, 4], [4, 1, 4]]);
    expect(plain(runs[0]!.sent)).toEqual({ n: 4, numbers: [10, 0, 12, 13], other: [[1, 'y']], text: ['a', 'b', 'c', 'd'], refs: [2, 3, 4, 5] });
    expect(plain(runs[1]!.rows)).toEqual({ n: 1, numbers: [0], other: [[0, 'x']], text: ['e'], refs: [6] });
    expect(plain(runs[1]!.sent)).toEqual({ n: 4, numbers: [0, 0, 0, 0], other: [[0, 'x'], [1, 'x'], [2, 'x'], [3, 'x']], text: ['e', 'e', 'e', 'e'], refs: [6, 6, 6, 6] });
  });

  it('any batch size: one run, a single row sent twice', () => {
    const b = batch();
    const [one, ...rest] = runsOf(b, undefined);
    expect(rest).toEqual([]);
    expect(one!.sent).toBe(b);
    const single: RawBatch = { n: 1, cells: [{ numbers: Float64Array.of(7), other: new Map() }, ['z']], unit: 'row', refs: [9] };
    const [alone] = runsOf(single, undefined);
    expect(plain(alone!.sent)).toEqual({ n: 2, numbers: [7, 7], other: [], text: ['z', 'z'], refs: [9, 9] });
    expect(alone!.rows).toBe(single);
  });
});
