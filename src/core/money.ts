/**
 * BCC as users type and read it, and units as the protocol counts them (SPEC A, "Money").
 * Parsing is done on the decimal string, never through floating point.
 */
import { UNITS_PER_BCC } from './params.js';

const BCC_TEXT = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** Parses "9", "9.5" or "0.27" into units; undefined for anything else (signs, 3 decimals, junk). */
export function parseBcc(text: string): number | undefined {
  const m = BCC_TEXT.exec(text.trim());
  if (!m) return undefined;
  const whole = Number(m[1]);
  const cents = Number((m[2] ?? '').padEnd(2, '0'));
  const units = whole * UNITS_PER_BCC + cents;
  return Number.isSafeInteger(units) ? units : undefined;
}

/** Formats units as BCC with two decimals: 950 → "9.50". */
export function formatBcc(units: number): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  const whole = Math.floor(abs / UNITS_PER_BCC);
  const cents = String(abs % UNITS_PER_BCC).padStart(2, '0');
  return `${sign}${whole}.${cents}`;
}
