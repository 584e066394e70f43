// Builds small linear ONNX models in memory (MatMul -> Add -> [Sigmoid]) for the benchmarks, with
// the protobuf writer deploy-check uses to rewrite graphs: no Python needed to run the benchmarks.
import { concat, field, utf8, varintField } from '../dist/onnx/protobuf.js';

const FLOAT = 1;
const str = (num, s) => field(num, utf8(s));

function tensor(name, dims, values) {
  const raw = new Uint8Array(Float32Array.from(values).buffer);
  return concat([...dims.map((d) => varintField(1, d)), varintField(2, FLOAT), str(8, name), field(9, raw)]);
}

function valueInfo(name, dims) {
  const shape = concat(dims.map((d) => field(1, typeof d === 'number' ? varintField(1, d) : str(2, d))));
  return concat([str(1, name), field(2, field(1, concat([varintField(1, FLOAT), field(2, shape)])))]);
}

function node(op, inputs, outputs) {
  return concat([...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op)]);
}

/**
 * y = sigmoid(x · w + b) with output "probability" [N, 1], or the linear value with output "value";
 * with `round` (a sigmoid's), the probability rounded to multiples of 1/round (a quantised model's
 * few distinct scores).
 */
export function linearModel({ weights, bias, sigmoid, input = 'input', round }) {
  const k = weights.length;
  const out = sigmoid ? 'probability' : 'value';
  const nodes = [node('MatMul', [input, 'w'], ['xw']), node('Add', ['xw', 'b'], [sigmoid ? 'z' : out])];
  if (sigmoid && round) nodes.push(node('Sigmoid', ['z'], ['p']), node('Mul', ['p', 'steps'], ['scaled']), node('Round', ['scaled'], ['rounded']), node('Div', ['rounded', 'steps'], [out]));
  else if (sigmoid) nodes.push(node('Sigmoid', ['z'], [out]));
  const graph = concat([
    ...nodes.map((n) => field(1, n)),
    str(2, 'bench_linear'),
    field(5, tensor('w', [k, 1], weights)),
    field(5, tensor('b', [1], [bias])),
    ...(round ? [field(5, tensor('steps', [1], [round]))] : []),
    field(11, valueInfo(input, ['N', k])),
    field(12, valueInfo(out, ['N', 1])),
  ]);
  return concat([varintField(1, 8), str(2, 'deploy-check-bench'), field(7, graph), field(8, concat([str(1, ''), varintField(2, 17)]))]);
}
