import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatBcc, parseBcc } from '../../src/core/money.js';

describe('parseBcc', () => {
  it.each([
    ['9', 900],
    ['9.5', 950],
    ['9.50', 950],
    ['0.27', 27],
    ['0.01', 1],
    ['0', 0],
    ['1000', 100_000],
    [' 12.3 ', 1230],
  ])('parses %j as %i units', (text, units) => {
    expect(parseBcc(text)).toBe(units);
  });

  it.each(['-1', '1.234', 'abc', '', '1e3', '+1', '1.', '.5', '1,5', '0x10', 'NaN', 'Infinity', '9 9', '١'])('rejects %j', (text) => {
    expect(parseBcc(text)).toBeUndefined();
  });

  it('rejects amounts beyond the safe-integer range instead of rounding them', () => {
    expect(parseBcc('99999999999999999')).toBeUndefined();
  });

  it('is exact where floating point is not (0.29 * 100 = 28.999…)', () => {
    expect(parseBcc('0.29')).toBe(29);
    expect(parseBcc('1.13')).toBe(113);
    expect(parseBcc('4.35')).toBe(435);
  });
});

describe('formatBcc', () => {
  it.each([
    [900, '9.00'],
    [950, '9.50'],
    [27, '0.27'],
    [1, '0.01'],
    [0, '0.00'],
    [-27, '-0.27'],
    [-950, '-9.50'],
    [123_456_789, '1234567.89'],
  ])('formats %i units as %j', (units, text) => {
    expect(formatBcc(units)).toBe(text);
  });

  it('round-trips with parseBcc for every non-negative amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 15 - 1 }), (units) => parseBcc(formatBcc(units)) === units),
      { numRuns: 1000 },
    );
  });
});
