// Reads the given CSV files with deploy-check's reader, every column as numbers, and nothing else:
// the floor of the drift benchmark, run as its own process so that it starts cold, as a run does.
import { openDataset } from '../dist/eval/datasets/index.js';

let sum = 0;
for (const f of process.argv.slice(2)) {
  const source = await openDataset(f, f);
  for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'number' })), 8192, { reuse: true })) {
    for (const col of b.cells) sum += col.numbers ? col.numbers[0] : 0;
  }
}
if (Number.isNaN(sum)) throw new Error('unreachable');
