import { describe, expect, it } from 'vitest';
import { formatProgress, progressBar } from '../../src/commands/progress.js';

describe('progress bar', () => {
  it('stays silent for the first second, then draws at most ten times a second, and erases itself', () => {
    let t = 0;
    const out: string[] = [];
    const bar = progressBar((s) => out.push(s), () => t);
    bar({ dataset: 'h.csv', rows: 4096, fraction: 0.1 });
    t = 900;
    bar({ dataset: 'h.csv', rows: 8192, fraction: 0.2 });
    expect(out).toEqual([]);
    t = 1000;
    bar({ dataset: 'h.csv', rows: 10_000, fraction: 0.25 });
    t = 1050;
    bar({ dataset: 'h.csv', rows: 12_000, fraction: 0.3 });
    expect(out).toEqual(['\r\u001b[2K  h.csv [#####...............] 10,000 rows · 10,000 rows/s · ETA 3 s']);
    bar({ dataset: 'h.csv', rows: 40_000, fraction: 1, done: true });
    expect(out.at(-1)).toBe('\r\u001b[2K');
  });
  it('never draws for a short evaluation', () => {
    let t = 0;
    const out: string[] = [];
    const bar = progressBar((s) => out.push(s), () => t);
    bar({ dataset: 'h.csv', rows: 100, fraction: 1 });
    t = 200;
    bar({ dataset: 'h.csv', rows: 100, fraction: 1, done: true });
    expect(out).toEqual([]);
  });
  it('escapes the dataset name', () => {
    expect(formatProgress('a\u001b[2Kb', 1, 0.5, 1)).toContain('a\\u{1b}[2Kb');
  });
});
