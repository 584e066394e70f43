import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { RunContext } from '../../src/context.js';
import { concat, field, utf8, varintField } from '../../src/onnx/protobuf.js';
import { scenario } from '../helpers.js';

// TensorProto.DataType codes
const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;

const str = (num: number, s: string) => field(num, utf8(s));
const valueInfo = (name: string, elem: number, dims: (number | string)[]) =>
  concat([str(1, name), field(2, field(1, concat([varintField(1, elem), field(2, concat(dims.map((d) => field(1, typeof d === 'number' ? varintField(1, d) : str(2, d)))))])))]);
const node = (op: string, inputs: string[], outputs: string[], attrs: Uint8Array[] = []) =>
  concat([...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op), ...attrs.map((a) => field(5, a))]);
/** AttributeProto { name, i, type: INT } */
const intAttr = (name: string, v: number) => concat([str(1, name), varintField(3, v), varintField(20, 2)]);

/** value = sum over columns of cast(input, float): a regression model with an int64 or bool input of width k. */
function sumModel(elem: number, k: number): Uint8Array {
  const graph = concat([
    field(1, node('Cast', ['x'], ['xf'], [intAttr('to', FLOAT)])),
    field(1, node('ReduceSum', ['xf'], ['value'], [intAttr('keepdims', 1), concat([str(1, 'axes'), varintField(8, 1), varintField(20, 7)])])),
    str(2, 'sum'),
    field(11, valueInfo('x', elem, ['N', k])),
    field(12, valueInfo('value', FLOAT, ['N', 1])),
  ]);
  // opset 11: ReduceSum takes its axes as an attribute (axes = [1]: one sum per row)
  return concat([varintField(1, 7), str(2, 'deploy-check-test'), field(7, graph), field(8, concat([str(1, ''), varintField(2, 11)]))]);
}

async function predict(elem: number, csv: string, k: number) {
  const dir = scenario({ 'd.csv': csv, 'm.onnx': Buffer.from(sumModel(elem, k)) });
  writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel: { path: m.onnx, task: regression }\ndatasets:\n  holdout: { path: d.csv, label: y }\nchecks:\n  - { type: metric, metric: mae, max: 100 }\n');
  const ctx = new RunContext(loadChecklist(join(dir, 'c.yaml')), new Date());
  return Array.from((await ctx.evaluation('model', undefined)).scores);
}

describe('input element types from the model signature', () => {
  it('int64: integers parsed exactly, fractions refused', async () => {
    expect(await predict(INT64, 'a,b,y\n1,2,0\n-3,40,0\n', 2)).toEqual([3, 37]);
    await expect(predict(INT64, 'a,b,y\n1,2.5,0\n', 2)).rejects.toThrow('d.csv  line 2: column "b": 2.5 is not an integer (input "x" is int64)');
  });
  it('bool: true/false and 1/0', async () => {
    expect(await predict(BOOL, 'a,b,y\ntrue,1,0\nFALSE,0,0\n', 2)).toEqual([2, 0]);
    await expect(predict(BOOL, 'a,b,y\nyes,1,0\n', 2)).rejects.toThrow('d.csv  line 2: column "a": "yes" is not a boolean (input "x" is bool)');
  });
});
