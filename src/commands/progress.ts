import type { ProgressSink } from '../checks/context.js';
import { terminalText } from '../report/escape.js';

/**
 * A one-line progress bar for evaluations that take more than a second: rows, rows/s and an
 * estimate of the time left, redrawn at most ten times a second and erased when done. cli.ts
 * uses it only when stderr is a terminal; reports never contain it.
 */
export function progressBar(write: (s: string) => void, now: () => number = () => performance.now()): ProgressSink {
  let start: number | undefined;
  let lastDraw = 0;
  let drawn = false;
  return ({ dataset, rows, fraction, done }) => {
    const t = now();
    start ??= t;
    if (done) {
      if (drawn) write('\r\u001b[2K');
      start = undefined;
      drawn = false;
      return;
    }
    const elapsed = (t - start) / 1000;
    if (elapsed < 1 || t - lastDraw < 100) return;
    lastDraw = t;
    drawn = true;
    write(`\r\u001b[2K${formatProgress(dataset, rows, fraction, elapsed)}`);
  };
}

export function formatProgress(dataset: string, rows: number, fraction: number, elapsedSeconds: number): string {
  const rate = rows / elapsedSeconds;
  const width = 20;
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  const eta = fraction > 0 && fraction < 1 ? ` · ETA ${Math.ceil((elapsedSeconds / fraction) * (1 - fraction))} s` : '';
  return `  ${terminalText(dataset)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${rows.toLocaleString('en')} rows · ${Math.round(rate).toLocaleString('en')} rows/s${eta}`;
}
