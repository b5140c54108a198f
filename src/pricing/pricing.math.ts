import { RuleViolationError } from '../common/problem/app-error';

/** Tax rates are in basis points: 1 bps = 0.01 %, so 10,000 bps = 100 %. */
export const BPS_SCALE = 10_000;

/**
 * The most one order may come to, in minor units (5 billion in a two-decimal currency). Room for
 * the largest line a default cart holds (99 × the catalog's largest price, 2^31 − 1) with the
 * largest shipping charge and even 100 % tax: 429,496,729,400. Small enough that an amount ×
 * BPS_SCALE (5 × 10^15) stays below 2^53, so every amount of an order, and the tax arithmetic on
 * it, is exact as a JavaScript number; the database columns are BIGINT.
 */
export const MAX_ORDER_AMOUNT = 500_000_000_000;

/** 422: the order would come to more than MAX_ORDER_AMOUNT; checkout refuses the cart as it is. */
export class OrderTooLargeError extends RuleViolationError {
  constructor(amount: bigint) {
    super(
      `This order would come to at least ${amount} minor units of its currency; one order may come to at most ${MAX_ORDER_AMOUNT}. ` +
        'Remove some items, or split them over several orders.',
    );
  }
}

/**
 * numerator / denominator rounded to the nearest whole number, halves away from zero (up, for the
 * non-negative amounts of money here). Exact for any safe integers: the products are BigInts.
 */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  if (numerator < 0n) return -divideRoundHalfUp(-numerator, denominator);
  return (2n * numerator + denominator) / (2n * denominator);
}

export interface QuoteAmounts {
  subtotalAmount: number;
  shippingAmount: number;
  taxAmount: number;
  totalAmount: number;
}

function wholeAmount(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number of minor units, 0 or more (got ${value})`);
  return BigInt(value);
}

/**
 * Tax and total of an order, in minor units. Shipping is taxed like the goods.
 * - Net prices (tax on top): tax = round_half_up((subtotal + shipping) × bps / 10000), total = subtotal + shipping + tax.
 * - Gross prices (tax included): total = subtotal + shipping, tax = total − round_half_up(total × 10000 / (10000 + bps)).
 * A total above MAX_ORDER_AMOUNT is an OrderTooLargeError.
 */
export function computeQuote(subtotalAmount: number, shippingAmount: number, taxRateBps: number, pricesIncludeTax: boolean): QuoteAmounts {
  const subtotal = wholeAmount('subtotalAmount', subtotalAmount);
  const shipping = wholeAmount('shippingAmount', shippingAmount);
  if (!Number.isInteger(taxRateBps) || taxRateBps < 0 || taxRateBps > BPS_SCALE) throw new RangeError(`taxRateBps must be 0 to ${BPS_SCALE} (got ${taxRateBps})`);
  const bps = BigInt(taxRateBps);
  const scale = BigInt(BPS_SCALE);
  const taxable = subtotal + shipping;
  let tax: bigint;
  let total: bigint;
  if (pricesIncludeTax) {
    total = taxable;
    tax = total - divideRoundHalfUp(total * scale, scale + bps);
  } else {
    tax = divideRoundHalfUp(taxable * bps, scale);
    total = taxable + tax;
  }
  if (total > BigInt(MAX_ORDER_AMOUNT)) throw new OrderTooLargeError(total);
  return { subtotalAmount, shippingAmount, taxAmount: Number(tax), totalAmount: Number(total) };
}

/** Σ unit price × quantity, checked: whole, non-negative amounts and quantities only, and at most MAX_ORDER_AMOUNT. */
export function subtotalOf(lines: readonly { unitPriceAmount: number; quantity: number }[]): number {
  let subtotal = 0n;
  for (const line of lines) {
    subtotal += wholeAmount('unitPriceAmount', line.unitPriceAmount) * wholeAmount('quantity', line.quantity);
  }
  if (subtotal > BigInt(MAX_ORDER_AMOUNT)) throw new OrderTooLargeError(subtotal);
  return Number(subtotal);
}
