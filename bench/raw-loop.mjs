// The independent measurement of bench/latency.mjs: a plain session.run loop in a process of its own
// (deploy-check times its runs in its model host, also a process of its own). Prints p50 per batch
// size as JSON. Arguments: the model, its input width, the milliseconds to spend on each size.
import ort from 'onnxruntime-node';
import { SESSION_OPTIONS } from '../dist/onnx/session.js';
import { percentile, mulberry32 } from '../dist/eval/bootstrap.js';

const [file, k, budgetMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
if (!file || !(k > 0) || !(budgetMs > 0)) throw new Error('usage: node bench/raw-loop.mjs model.onnx <input width> <milliseconds a batch size>');
const session = await ort.InferenceSession.create(file, { ...SESSION_OPTIONS, executionProviders: [...SESSION_OPTIONS.executionProviders] });
const out = {};
for (const size of [1, 256]) {
  const r = mulberry32(1);
  const input = new ort.Tensor('float32', Float32Array.from({ length: size * k }, () => r() * 2 - 1), [size, k]);
  // warmed as deploy-check's check warms (5 runs and a tenth of the budget): the first calls in a
  // process pay for JIT compilation and allocator growth, which a p50 over the runs that follow
  // would otherwise carry in one loop and not the other
  const begin = performance.now();
  for (let w = 0; w < 5 || performance.now() < begin + budgetMs * 0.1; w++) await session.run({ input });
  // timed until the budget is spent, as the check is with a max_runs it does not reach
  const times = [];
  const end = begin + budgetMs;
  while (performance.now() < end) {
    const t = performance.now();
    await session.run({ input });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  out[size] = percentile(times, 0.5);
}
await session.release();
console.log(JSON.stringify(out));
