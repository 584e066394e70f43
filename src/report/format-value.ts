import type { Measurement } from './types.js';

/** Numbers as reports print them: at most 4 significant decimals, integers as they are. */
export function formatNumber(v: number | null): string {
  if (v === null) return 'undefined';
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function formatMeasurement(m: Measurement): string {
  const unit = m.unit ? ` ${m.unit}` : '';
  let text = `${m.name} ${formatNumber(m.value)}${unit}`;
  if (m.ci) text += ` [${formatNumber(m.ci[0])}, ${formatNumber(m.ci[1])}]`;
  const t = m.threshold;
  if (t?.min !== undefined && t.max !== undefined) text += ` (required ${formatNumber(t.min)}..${formatNumber(t.max)})`;
  else if (t?.min !== undefined) text += ` (required ≥ ${formatNumber(t.min)})`;
  else if (t?.max !== undefined) text += ` (required ≤ ${formatNumber(t.max)}${unit})`;
  return text;
}

/** A finding's location, "file" or "file:line", split (any text may be in the file part). */
export function splitLocation(location: string): { file: string; line?: number } {
  const m = /^([\s\S]*?)(?::(\d+))?$/.exec(location)!;
  return m[2] ? { file: m[1]!, line: Number(m[2]) } : { file: m[1]! };
}
