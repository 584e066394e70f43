import { formatNumber } from './format-value.js';
import { htmlText as h } from './escape.js';

/**
 * Small inline SVG charts for the HTML report, drawn here (no library, no script, no font): every
 * label goes through htmlText, every number is formatted by us. Each returns one <svg> element with
 * a <title> for screen readers.
 */

const W = 360;
const H = 240;
const M = { left: 46, right: 12, top: 12, bottom: 38 };
const IW = W - M.left - M.right;
const IH = H - M.top - M.bottom;
export const PALETTE = ['#2563eb', '#d97706', '#059669', '#7c3aed'];
const n3 = (x: number) => formatNumber(x);

function frame(title: string, body: string, width = W, height = H): string {
  return `<svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${h(title)}</title>${body}</svg>`;
}

function axes(xLabel: string, yLabel: string, x: [number, number], y: [number, number]): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const tx = ticks.map((f) => {
    const px = M.left + f * IW;
    return `<line x1="${px}" y1="${M.top + IH}" x2="${px}" y2="${M.top + IH + 4}" stroke="#555"/><text x="${px}" y="${M.top + IH + 16}" font-size="10" text-anchor="middle">${n3(x[0] + f * (x[1] - x[0]))}</text>`;
  });
  const ty = ticks.map((f) => {
    const py = M.top + IH - f * IH;
    return `<line x1="${M.left - 4}" y1="${py}" x2="${M.left}" y2="${py}" stroke="#555"/><line x1="${M.left}" y1="${py}" x2="${M.left + IW}" y2="${py}" stroke="#eee"/><text x="${M.left - 6}" y="${py + 3}" font-size="10" text-anchor="end">${n3(y[0] + f * (y[1] - y[0]))}</text>`;
  });
  return [
    ...ty,
    ...tx,
    `<rect x="${M.left}" y="${M.top}" width="${IW}" height="${IH}" fill="none" stroke="#555"/>`,
    `<text x="${M.left + IW / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${h(xLabel)}</text>`,
    `<text x="12" y="${M.top + IH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${M.top + IH / 2})">${h(yLabel)}</text>`,
  ].join('');
}

/** Lines in the unit square (ROC, precision-recall, calibration), with an optional diagonal. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: { name: string; points: [number, number][]; dots?: boolean }[], diagonal: boolean): string {
  const px = (x: number) => (M.left + x * IW).toFixed(1);
  const py = (y: number) => (M.top + IH - y * IH).toFixed(1);
  const lines = series.map((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const path = `<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`;
    const dots = s.dots ? s.points.map(([x, y]) => `<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${color}"/>`).join('') : '';
    return path + dots;
  });
  // the legend in the lower right corner, where these curves seldom go
  const legendTop = M.top + IH - 10 - series.length * 14;
  const legend = series.map((s, k) => `<rect x="${M.left + IW - 96}" y="${legendTop + 8 + k * 14}" width="10" height="3" fill="${PALETTE[k % PALETTE.length]}"/><text x="${M.left + IW - 82}" y="${legendTop + 12 + k * 14}" font-size="10">${h(s.name)}</text>`);
  const diag = diagonal ? `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999" stroke-dasharray="4 3"/>` : '';
  return frame(title, axes(xLabel, yLabel, [0, 1], [0, 1]) + diag + lines.join('') + legend.join(''));
}

/** A heat map of a confusion matrix: rows the true class, columns the predicted one. */
export function heatmap(title: string, labels: string[], matrix: number[][]): string {
  const k = labels.length;
  const cell = Math.min(48, Math.floor(200 / k));
  const left = 70;
  const top = 34;
  const max = Math.max(1, ...matrix.flat());
  const cells = matrix.flatMap((row, i) =>
    row.map((v, j) => {
      const shade = Math.round(245 - (v / max) * 190);
      const fill = i === j ? `rgb(${shade},${Math.min(255, shade + 20)},255)` : `rgb(255,${shade},${shade})`;
      return `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"/><text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" font-size="11" text-anchor="middle">${v}</text>`;
    }),
  );
  const cols = labels.map((l, j) => `<text x="${left + j * cell + cell / 2}" y="${top - 6}" font-size="10" text-anchor="middle">${h(l)}</text>`);
  const rows = labels.map((l, i) => `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" font-size="10" text-anchor="end">${h(l)}</text>`);
  const width = left + k * cell + 12;
  const height = top + k * cell + 30;
  const captions = `<text x="${left + (k * cell) / 2}" y="12" font-size="11" text-anchor="middle">predicted</text><text x="12" y="${top + (k * cell) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${top + (k * cell) / 2})">true</text>`;
  return frame(title, captions + cells.join('') + cols.join('') + rows.join(''), width, height);
}

/**
 * Horizontal bars with optional error bars and a threshold line: metric per slice, drift statistic
 * per column, a metric with its interval, latency percentiles.
 */
export function barChart(title: string, bars: { label: string; value: number | null; ci?: [number, number]; bad?: boolean }[], options: { threshold?: number; unit?: string } = {}): string {
  const row = 20;
  // room for the longest label (about 5.6 px a character at 10 px), within reason; a longer one is
  // cut with an ellipsis and kept whole in its <title>
  const longest = Math.max(8, ...bars.map((b) => b.label.length));
  const chars = Math.min(longest, 60);
  const left = 12 + Math.ceil(chars * 5.6);
  const inner = 260;
  const width = left + inner + 70;
  const height = 24 + bars.length * row + 20;
  const values = bars.flatMap((b) => [b.value ?? 0, ...(b.ci ?? [])]).concat(options.threshold ?? 0, 0);
  const lo = Math.min(...values);
  const hi = Math.max(...values) || 1;
  const span = hi - lo || 1;
  const x = (v: number) => left + ((v - lo) / span) * inner;
  const body = bars.map((b, i) => {
    const y = 16 + i * row;
    const shown = b.label.length > chars ? `${b.label.slice(0, chars - 1)}…` : b.label;
    const label = `<text x="${left - 6}" y="${y + 12}" font-size="10" text-anchor="end"><title>${h(b.label)}</title>${h(shown)}</text>`;
    if (b.value === null) return `${label}<text x="${left + 4}" y="${y + 12}" font-size="10" fill="#b91c1c">undefined</text>`;
    const x0 = x(Math.min(0, b.value));
    const bar = `<rect x="${x0.toFixed(1)}" y="${y + 3}" width="${Math.max(1, Math.abs(x(b.value) - x(0))).toFixed(1)}" height="11" fill="${b.bad ? '#dc2626' : '#2563eb'}" opacity="0.8"/>`;
    const err = b.ci ? `<line x1="${x(b.ci[0]).toFixed(1)}" y1="${y + 8.5}" x2="${x(b.ci[1]).toFixed(1)}" y2="${y + 8.5}" stroke="#111" stroke-width="1.5"/><line x1="${x(b.ci[0]).toFixed(1)}" y1="${y + 4}" x2="${x(b.ci[0]).toFixed(1)}" y2="${y + 13}" stroke="#111"/><line x1="${x(b.ci[1]).toFixed(1)}" y1="${y + 4}" x2="${x(b.ci[1]).toFixed(1)}" y2="${y + 13}" stroke="#111"/>` : '';
    const val = `<text x="${(Math.max(x(b.value), b.ci ? x(b.ci[1]) : 0) + 4).toFixed(1)}" y="${y + 12}" font-size="10">${n3(b.value)}${options.unit ? ` ${h(options.unit)}` : ''}</text>`;
    return label + bar + err + val;
  });
  const threshold = options.threshold === undefined ? '' : `<line x1="${x(options.threshold).toFixed(1)}" y1="10" x2="${x(options.threshold).toFixed(1)}" y2="${height - 18}" stroke="#b91c1c" stroke-dasharray="4 3"/><text x="${x(options.threshold).toFixed(1)}" y="${height - 6}" font-size="10" text-anchor="middle" fill="#b91c1c">threshold ${n3(options.threshold)}</text>`;
  return frame(title, body.join('') + threshold, width, height);
}

/**
 * One row of a forest plot: a value, its interval and its threshold on an axis scaled to the range
 * that matters (the three of them, with a margin), not from zero: the interval that decides a
 * verdict is as wide as the plot allows. The ends of the axis are labelled.
 */
export function intervalStrip(title: string, m: { value: number | null; ci?: [number, number]; threshold?: { min?: number; max?: number }; passed?: boolean }): string {
  const width = 220;
  const height = 26;
  const pad = 8;
  const marks = [m.value, ...(m.ci ?? []), m.threshold?.min, m.threshold?.max].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (m.value === null || marks.length === 0) return '';
  let lo = Math.min(...marks);
  let hi = Math.max(...marks);
  const margin = (hi - lo || Math.abs(hi) || 1) * 0.15;
  lo -= margin;
  hi += margin;
  // a proportion's axis stays within [0, 1]
  if (marks.every((v) => v >= 0 && v <= 1)) {
    lo = Math.max(0, lo);
    hi = Math.min(1, hi);
  }
  const x = (v: number) => (pad + ((v - lo) / (hi - lo)) * (width - 2 * pad)).toFixed(1);
  const color = m.passed === false ? '#dc2626' : '#2563eb';
  const parts = [`<line x1="${pad}" y1="12" x2="${width - pad}" y2="12" stroke="#ccc"/>`];
  for (const t of [m.threshold?.min, m.threshold?.max]) if (t !== undefined) parts.push(`<line x1="${x(t)}" y1="3" x2="${x(t)}" y2="21" stroke="#b91c1c" stroke-dasharray="3 2"/>`);
  if (m.ci) parts.push(`<line x1="${x(m.ci[0])}" y1="12" x2="${x(m.ci[1])}" y2="12" stroke="${color}" stroke-width="2.5"/><line x1="${x(m.ci[0])}" y1="7" x2="${x(m.ci[0])}" y2="17" stroke="${color}"/><line x1="${x(m.ci[1])}" y1="7" x2="${x(m.ci[1])}" y2="17" stroke="${color}"/>`);
  parts.push(`<circle cx="${x(m.value)}" cy="12" r="4" fill="${color}"/>`);
  parts.push(`<text x="${pad}" y="25" font-size="8" fill="#777">${n3(lo)}</text><text x="${width - pad}" y="25" font-size="8" fill="#777" text-anchor="end">${n3(hi)}</text>`);
  return `<svg class="strip" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${h(title)}</title>${parts.join('')}</svg>`;
}
