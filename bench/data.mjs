// Benchmark data: CSV files of N rows × 30 standard-normal features (4 decimals) and a binary label
// drawn from a logistic model, seeded, cached under bench/.data.
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../dist/eval/bootstrap.js';

export const FEATURES = 30;
export const DATA = join(new URL('..', import.meta.url).pathname, 'bench', '.data');
mkdirSync(DATA, { recursive: true });

const random = mulberry32(42);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
export const trueWeights = Array.from({ length: FEATURES }, () => gaussian() * 0.5);

/** Writes binary-<rows>.csv (with every feature shifted by `shift`, for drift) unless it exists. */
export function writeCsv(rows, shift = 0) {
  const file = join(DATA, shift ? `binary-${rows}-shift${shift}.csv` : `binary-${rows}.csv`);
  if (existsSync(file)) return file;
  const fd = openSync(file, 'w');
  writeSync(fd, `${Array.from({ length: FEATURES }, (_, j) => `f${j}`).join(',')},y\n`);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    let z = 0;
    const cells = new Array(FEATURES);
    for (let j = 0; j < FEATURES; j++) {
      const x = Math.round((gaussian() + shift) * 10000) / 10000;
      z += x * trueWeights[j];
      cells[j] = x;
    }
    cells.push(random() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    chunk += `${cells.join(',')}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return file;
}
