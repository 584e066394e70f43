import { concat, field, utf8, varintField } from '../src/onnx/protobuf.js';

/** Tiny ONNX models written by hand for tests, with the protobuf writer deploy-check rewrites graphs with. */
export const FLOAT = 1;
export const INT64 = 7;
export const BOOL = 9;

const str = (num: number, s: string) => field(num, utf8(s));

export const valueInfo = (name: string, elem: number, dims: (number | string)[]) =>
  concat([str(1, name), field(2, field(1, concat([varintField(1, elem), field(2, concat(dims.map((d) => field(1, typeof d === 'number' ? varintField(1, d) : str(2, d)))))])))]);

export const node = (op: string, inputs: string[], outputs: string[], attrs: Uint8Array[] = []) =>
  concat([...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op), ...attrs.map((a) => field(5, a))]);

/** AttributeProto { name, i, type: INT } */
export const intAttr = (name: string, v: number) => concat([str(1, name), varintField(3, v), varintField(20, 2)]);
/** AttributeProto { name, ints: [v], type: INTS } */
export const intsAttr = (name: string, v: number) => concat([str(1, name), varintField(8, v), varintField(20, 7)]);

/** A model from nodes, inputs and outputs; it imports the default domain at opset 11 unless `opsets` says otherwise. */
export function model(nodes: Uint8Array[], inputs: Uint8Array[], outputs: Uint8Array[], opsets: [domain: string, version: number][] = [['', 11]]): Uint8Array {
  const graph = concat([...nodes.map((n) => field(1, n)), str(2, 'test'), ...inputs.map((i) => field(11, i)), ...outputs.map((o) => field(12, o))]);
  return concat([varintField(1, 7), str(2, 'deploy-check-test'), field(7, graph), ...opsets.map(([d, v]) => field(8, concat([str(1, d), varintField(2, v)])))]);
}

/** A Constant node giving an int64 tensor of the given values (a 1-D shape or repeats). */
export function int64Constant(output: string, values: number[]): Uint8Array {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  const tensor = concat([varintField(1, values.length), varintField(2, INT64), field(9, raw)]);
  return node('Constant', [], [output], [concat([str(1, 'value'), field(5, tensor), varintField(20, 4)])]);
}

/** A Constant node giving a float tensor of the given shape and values (row-major). */
export function floatConstant(output: string, dims: number[], values: number[]): Uint8Array {
  const tensor = concat([...dims.map((d) => varintField(1, d)), varintField(2, FLOAT), field(9, new Uint8Array(Float32Array.from(values).buffer))]);
  return node('Constant', [], [output], [concat([str(1, 'value'), field(5, tensor), varintField(20, 4)])]);
}
