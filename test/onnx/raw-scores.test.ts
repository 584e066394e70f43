import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelInfo, rawScoresFrom } from '../../src/onnx/model-info.js';
import { concat, field, utf8, varintField } from '../../src/onnx/protobuf.js';
import { FIXTURES } from '../helpers.js';
import { FLOAT, floatConstant, model, node, valueInfo } from '../onnx-builder.js';

const from = (bytes: Uint8Array, output: string) => rawScoresFrom(readModelInfo(bytes), output);
const fixture = (path: string, output: string) => from(readFileSync(join(FIXTURES, path)), output);
/** An ai.onnx.ml node, with its post_transform when given. */
const ml = (op: string, inputs: string[], outputs: string[], post?: string) =>
  concat([node(op, inputs, outputs, post === undefined ? [] : [concat([field(1, utf8('post_transform')), field(4, utf8(post)), varintField(20, 3)])]), field(7, utf8('ai.onnx.ml'))]);
const built = (nodes: Uint8Array[], output = 'y') => from(model(nodes, [valueInfo('x', FLOAT, ['N', 2])], [valueInfo(output, FLOAT, ['N', 1])], [['', 17], ['ai.onnx.ml', 1]]), output);

describe('what the graph says of a score output (rawScoresFrom)', () => {
  it('real exports: PyTorch ending at a Linear layer are raw scores; a sigmoid, a softmax or scikit-learn’s LOGISTIC and SOFTMAX classifiers are not', () => {
    expect(fixture('pytorch-weather/logits.onnx', 'scores')).toBe('the Gemm node "/body/body.2/Gemm"');
    expect(fixture('pytorch-weather/rain-linear-score.onnx', 'scores')).toBe('the Gemm node "/head/Gemm"');
    expect(fixture('pytorch-weather/rain-two-outputs.onnx', 'logit')).toBe('the Gemm node "/net/body/body.2/Gemm"');
    expect(fixture('pytorch-weather/rain-two-outputs.onnx', 'p')).toBeUndefined();
    for (const f of ['rain-sigmoid.onnx', 'softmax.onnx', 'embedding.onnx']) expect(fixture(`pytorch-weather/${f}`, 'scores')).toBeUndefined();
    expect(fixture('breast-cancer/model.onnx', 'probabilities')).toBeUndefined();
    expect(fixture('wine/model.onnx', 'output_probability')).toBeUndefined();
  });

  it('through reshapes and casts to a MatMul and its bias; a linear or SVM classifier without post-transform; no claim past an operator that changes values', () => {
    const w = floatConstant('w', [2, 1], [1, -1]);
    const b = floatConstant('b', [1], [0.5]);
    expect(built([w, node('MatMul', ['x', 'w'], ['z']), node('Reshape', ['z', 'shape'], ['y'])])).toBe('the MatMul node');
    expect(built([w, b, node('MatMul', ['x', 'w'], ['z']), node('Add', ['z', 'b'], ['a']), node('Cast', ['a'], ['y'])])).toBe('the Add node after the MatMul node');
    expect(built([w, b, node('MatMul', ['x', 'w'], ['z']), node('Add', ['z', 'b'], ['a']), node('Sigmoid', ['a'], ['y'])])).toBeUndefined();
    // temperature or any other arithmetic: the graph no longer says
    expect(built([w, b, node('MatMul', ['x', 'w'], ['z']), node('Mul', ['z', 'b'], ['y'])])).toBeUndefined();
    expect(built([ml('LinearClassifier', ['x'], ['label', 'y'], 'NONE')])).toBe('the LinearClassifier node with post_transform NONE (margins)');
    expect(built([ml('SVMClassifier', ['x'], ['label', 'y'])])).toBe('the SVMClassifier node with post_transform NONE (margins)');
    expect(built([ml('LinearClassifier', ['x'], ['label', 'y'], 'LOGISTIC')])).toBeUndefined();
    // a tree ensemble's NONE averages leaf values, which may well be probabilities (a random forest)
    expect(built([ml('TreeEnsembleClassifier', ['x'], ['label', 'y'], 'NONE')])).toBeUndefined();
    // an output that is a graph input or has no producer
    expect(built([], 'x')).toBeUndefined();
  });
});
