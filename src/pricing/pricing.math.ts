/** Tax rates are in basis points: 1 bps = 0.01 %, so 10,000 bps = 100 %. */
export const BPS_SCALE = 10_000;

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
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('the total exceeds the largest amount this API handles');
  return { subtotalAmount, shippingAmount, taxAmount: Number(tax), totalAmount: Number(total) };
}

/** Σ unit price × quantity, checked: whole, non-negative amounts and quantities only. */
export function subtotalOf(lines: readonly { unitPriceAmount: number; quantity: number }[]): number {
  let subtotal = 0n;
  for (const line of lines) {
    subtotal += wholeAmount('unitPriceAmount', line.unitPriceAmount) * wholeAmount('quantity', line.quantity);
  }
  if (subtotal > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('the subtotal exceeds the largest amount this API handles');
  return Number(subtotal);
}
