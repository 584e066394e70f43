import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { RunContext } from '../../src/checks/context.js';
import { BOOL, FLOAT, INT64, intAttr, intsAttr, model, node, valueInfo } from '../onnx-builder.js';
import { scenario } from '../helpers.js';

/** value = sum over columns of cast(input, float): a regression model with an int64 or bool input of width k. */
function sumModel(elem: number, k: number): Uint8Array {
  return model(
    [node('Cast', ['x'], ['xf'], [intAttr('to', FLOAT)]), node('ReduceSum', ['xf'], ['value'], [intAttr('keepdims', 1), intsAttr('axes', 1)])],
    [valueInfo('x', elem, ['N', k])],
    [valueInfo('value', FLOAT, ['N', 1])],
  );
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
