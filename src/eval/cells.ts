import { isNumberColumn, type Cell, type Column } from './datasets/types.js';

/**
 * Cells to numbers, strictly. Missing: an empty cell, null, or one of MISSING_WORDS. A number is
 * written as JavaScript and Python write decimals ("12", "-3.5", "1e-3", ".5"): "0x10", "1,5",
 * "1e400" (out of range), "inf" and words are refused with the reason.
 */
export const MISSING_WORDS = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None']);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export type Parsed = { ok: true; value: number } | { ok: false; missing: true } | { ok: false; missing: false; reason: string };

const MISSING: Parsed = { ok: false, missing: true };

export function parseNumber(cell: Cell): Parsed {
  switch (typeof cell) {
    case 'number':
      if (Number.isNaN(cell)) return MISSING;
      return Number.isFinite(cell) ? { ok: true, value: cell } : { ok: false, missing: false, reason: `${cell} is not finite` };
    case 'bigint':
      return Number.isSafeInteger(Number(cell)) ? { ok: true, value: Number(cell) } : { ok: false, missing: false, reason: `${cell} is beyond 2^53` };
    case 'string': {
      // numberOf holds the rule; what follows only says why a text is not a number
      const v = numberOf(cell);
      if (v !== undefined) return { ok: true, value: v };
      const s = cell.trim();
      if (MISSING_WORDS.has(s)) return MISSING;
      if (!DECIMAL.test(s)) return { ok: false, missing: false, reason: `${JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell)} is not a number${/^\d+,\d+$/.test(s) ? ' (a decimal comma?)' : ''}` };
      return { ok: false, missing: false, reason: `${s} is out of range` };
    }
    case 'undefined':
      return MISSING;
    case 'boolean':
      return { ok: false, missing: false, reason: `${cell} is a boolean, not a number` };
    default:
      return cell === null ? MISSING : { ok: false, missing: false, reason: 'is not a number' };
  }
}

/** The cell's number where parseNumber gives one, else undefined: without the reasons parseNumber writes for a word (a row of text each). */
export function numberOf(cell: Cell): number | undefined {
  if (typeof cell === 'string') {
    const s = cell.trim();
    if (MISSING_WORDS.has(s) || !DECIMAL.test(s)) return undefined;
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  const p = parseNumber(cell);
  return p.ok ? p.value : undefined;
}

/** A label or category as a string key: numbers in their shortest form, so 1, "1" and "1.0" meet. */
export function labelKey(cell: Cell, numeric: boolean): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (typeof cell === 'string') {
    const s = cell.trim();
    if (s === '') return undefined;
    if (numeric && DECIMAL.test(s)) return String(Number(s));
    return cell;
  }
  if (cell instanceof Date) return cell.toISOString();
  return String(cell);
}

/** Row i of a column as a number (the fast path of CSV columns parsed from bytes, or parseNumber). */
export function numberAt(c: Column, i: number): Parsed {
  if (isNumberColumn(c)) {
    const other = c.other.get(i);
    return other === undefined ? { ok: true, value: c.numbers[i]! } : parseNumber(other);
  }
  return parseNumber(c[i]);
}
