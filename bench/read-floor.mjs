// The independent read floor of the drift and data benchmarks: a process that reads and parses the
// given numeric CSV files (bench/numeric-csv.mjs) and does nothing else. Shares no code with src/;
// started cold, as a run is.
import { numericBatches } from './numeric-csv.mjs';

let sum = 0;
for (const file of process.argv.slice(2)) for (const b of numericBatches(file, 8192)) sum += b.values[0];
if (Number.isNaN(sum)) throw new Error('unreachable');
