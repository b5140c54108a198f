import { describe, expect, it } from 'vitest';
import { COUNTRIES, isCountryCode } from './countries';
import { computeQuote, divideRoundHalfUp, MAX_ORDER_AMOUNT, OrderTooLargeError, subtotalOf } from './pricing.math';

describe('divideRoundHalfUp', () => {
  it.each([
    [0n, 1n, 0n],
    [4n, 10n, 0n],
    [5n, 10n, 1n],
    [6n, 10n, 1n],
    [14n, 10n, 1n],
    [15n, 10n, 2n],
    [25n, 10n, 3n],
    [-15n, 10n, -2n],
    [-14n, 10n, -1n],
  ])('%i / %i = %i', (numerator, denominator, expected) => {
    expect(divideRoundHalfUp(numerator, denominator)).toBe(expected);
  });

  it('rejects a zero or negative denominator', () => {
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});

describe('computeQuote, net prices (tax on top)', () => {
  it('adds tax on goods and shipping', () => {
    // (10000 + 500) * 19 % = 1995
    expect(computeQuote(10_000, 500, 1900, false)).toEqual({ subtotalAmount: 10_000, shippingAmount: 500, taxAmount: 1995, totalAmount: 12_495 });
  });

  it('rounds half a cent up', () => {
    // 250 * 2 % = 5 exactly; 25 * 2 % = 0.5 -> 1; 24 * 2 % = 0.48 -> 0; 75 * 10 % = 7.5 -> 8
    expect(computeQuote(25, 0, 200, false).taxAmount).toBe(1);
    expect(computeQuote(24, 0, 200, false).taxAmount).toBe(0);
    expect(computeQuote(75, 0, 1000, false).taxAmount).toBe(8);
    expect(computeQuote(1999, 0, 2050, false).taxAmount).toBe(410); // 409.795
    expect(computeQuote(1999, 1, 2500, false).taxAmount).toBe(500); // 500 exactly
  });

  it('handles 0 % and 100 %', () => {
    expect(computeQuote(1234, 99, 0, false)).toMatchObject({ taxAmount: 0, totalAmount: 1333 });
    expect(computeQuote(1234, 99, 10_000, false)).toMatchObject({ taxAmount: 1333, totalAmount: 2666 });
  });

  it('stays exact where floating point would not', () => {
    const big = (2 ** 31 - 1) * 99; // the largest price times a default cart's largest quantity
    const { taxAmount } = computeQuote(big, 0, 1999, false);
    expect(BigInt(taxAmount)).toBe((BigInt(big) * 1999n * 2n + 10_000n) / 20_000n);
  });
});

describe('computeQuote, gross prices (tax included)', () => {
  it('extracts the tax the prices contain', () => {
    // 11900 gross at 19 %: net 10000, tax 1900
    expect(computeQuote(11_400, 500, 1900, true)).toEqual({ subtotalAmount: 11_400, shippingAmount: 500, taxAmount: 1900, totalAmount: 11_900 });
  });

  it('rounds the net amount half up, so the tax rounds half down', () => {
    // total 21 at 5 %: net 20 exactly -> tax 1
    expect(computeQuote(21, 0, 500, true).taxAmount).toBe(1);
    // total 1 at 100 %: net 0.5 -> 1, tax 0
    expect(computeQuote(1, 0, 10_000, true).taxAmount).toBe(0);
    // total 3 at 100 %: net 1.5 -> 2, tax 1
    expect(computeQuote(3, 0, 10_000, true).taxAmount).toBe(1);
    // total 1999 at 20 %: net 1665.83 -> 1666, tax 333
    expect(computeQuote(1999, 0, 2000, true)).toMatchObject({ taxAmount: 333, totalAmount: 1999 });
  });

  it('has no tax at 0 % and a total equal to goods plus shipping', () => {
    expect(computeQuote(1000, 250, 0, true)).toMatchObject({ taxAmount: 0, totalAmount: 1250 });
  });
});

describe('the maximum order amount', () => {
  it('keeps an amount times the basis-point scale a safe integer', () => {
    expect(Number.isSafeInteger(MAX_ORDER_AMOUNT * 10_000)).toBe(true);
  });

  it('fits the largest price times 99 with the largest shipping charge, even at 100 % tax', () => {
    const largest = 2 ** 31 - 1;
    expect(computeQuote(subtotalOf([{ unitPriceAmount: largest, quantity: 99 }]), largest, 10_000, false).totalAmount).toBe(429_496_729_400);
  });

  it('takes a total of exactly the maximum, net or gross', () => {
    expect(computeQuote(MAX_ORDER_AMOUNT - 500, 500, 0, false).totalAmount).toBe(MAX_ORDER_AMOUNT);
    expect(computeQuote(MAX_ORDER_AMOUNT - 500, 500, 10_000, true)).toMatchObject({ taxAmount: MAX_ORDER_AMOUNT / 2, totalAmount: MAX_ORDER_AMOUNT });
  });

  it('refuses a total above it, whether shipping or tax takes it there', () => {
    expect(() => computeQuote(MAX_ORDER_AMOUNT, 1, 0, false)).toThrow(OrderTooLargeError);
    expect(() => computeQuote(MAX_ORDER_AMOUNT - 100, 0, 1, false)).toThrow(OrderTooLargeError); // tax 0.01 % of it is 50,000,000
  });

  it('refuses goods above it before any sum leaves the exact range, with a 422 naming the maximum', () => {
    const lines = Array.from({ length: 10_000 }, () => ({ unitPriceAmount: 2 ** 31 - 1, quantity: 1_000_000 })); // every config ceiling
    expect(() => subtotalOf(lines)).toThrow(OrderTooLargeError);
    expect(() => subtotalOf(lines)).toThrow(`at most ${MAX_ORDER_AMOUNT}`);
    expect(new OrderTooLargeError(1n)).toMatchObject({ status: 422, type: 'rule-violation' });
  });
});

describe('input checks', () => {
  it('rejects fractional or negative amounts and out-of-range rates', () => {
    expect(() => computeQuote(1.5, 0, 0, false)).toThrow(RangeError);
    expect(() => computeQuote(-1, 0, 0, false)).toThrow(RangeError);
    expect(() => computeQuote(1, -1, 0, false)).toThrow(RangeError);
    expect(() => computeQuote(1, 0, 10_001, false)).toThrow(RangeError);
    expect(() => computeQuote(1, 0, 0.5, false)).toThrow(RangeError);
  });

  it('sums lines exactly and rejects bad quantities', () => {
    expect(subtotalOf([])).toBe(0);
    expect(subtotalOf([{ unitPriceAmount: 1999, quantity: 3 }, { unitPriceAmount: 1, quantity: 1 }])).toBe(5998);
    expect(() => subtotalOf([{ unitPriceAmount: 100, quantity: 0.5 }])).toThrow(RangeError);
    expect(() => subtotalOf([{ unitPriceAmount: 100, quantity: -1 }])).toThrow(RangeError);
  });
});

describe('countries', () => {
  it('holds the 249 ISO 3166-1 alpha-2 codes, each known to ICU', () => {
    expect(COUNTRIES).toHaveLength(249);
    expect(new Set(COUNTRIES).size).toBe(249);
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    expect(COUNTRIES.filter((code) => !names.of(code))).toEqual([]);
    expect(isCountryCode('DE')).toBe(true);
    for (const code of ['de', 'EU', 'UK', 'XK', 'ZZ', 'DEU', '']) expect(isCountryCode(code)).toBe(false);
  });
});
