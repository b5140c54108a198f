import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { expect } from 'vitest';
import { Role } from '../../src/auth/permissions';
import { signTestWebhook } from '../../src/payments/providers/webhook-signature';
import { signUp, SignedInUser } from './factories';
import type { ApiResponse, TestApp } from './test-app';

/**
 * Shared helpers for the commerce tests (checkout, orders, payments): staff creating products
 * with stock, shipping and tax rates, guest and customer carts with lines.
 */

export const COUNTRY = 'DE';
export const CURRENCY = 'EUR';

export const ADDRESS = {
  fullName: 'Ada Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  country: COUNTRY,
};

export interface Staff extends SignedInUser {
  locationId: string;
}

export interface StockedVariant {
  productId: string;
  variantId: string;
  sku: string;
  priceAmount: number;
}

export function expectStatus(response: ApiResponse, status: number, what: string): void {
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
}

/** A manager (catalog, inventory, orders, pricing) with one stock location, and the default rates for DE/EUR. */
export async function setUpStaff(t: TestApp, rates: { shipping?: number; taxBps?: number } = {}): Promise<Staff> {
  const manager = await signUp(t, [Role.Manager]);
  // Plain fetch, not t.request: this is setup of another module, not the contract under test here.
  const location = await fetch(`${t.baseUrl}/v1/stock-locations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${manager.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      code: `wh-${randomBytes(3).toString('hex')}`,
      name: 'Warehouse',
      address: { line1: 'Lagerstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      priority: 0,
    }),
  });
  const created = (await location.json()) as { id: string };
  if (location.status !== 201) throw new Error(`create stock location: ${location.status} ${JSON.stringify(created)}`);
  await setRates(t, manager.accessToken, COUNTRY, CURRENCY, rates.shipping ?? 500, rates.taxBps ?? 1900);
  return { ...manager, locationId: created.id };
}

export async function setRates(t: TestApp, token: string, country: string, currency: string, shipping: number, taxBps: number): Promise<void> {
  const shippingRate = await t.request('PUT', `/v1/shipping-rates/${country}/${currency}`, { token, body: { amount: shipping } });
  if (![200, 201].includes(shippingRate.status)) expectStatus(shippingRate, 200, 'set shipping rate');
  const taxRate = await t.request('PUT', `/v1/tax-rates/${country}`, { token, body: { rateBps: taxBps } });
  if (![200, 201].includes(taxRate.status)) expectStatus(taxRate, 200, 'set tax rate');
}

/** An active product with one variant per price, each with `stock` units received at the staff's location. */
export async function stockedProduct(t: TestApp, staff: Staff, stock: number, prices: number[] = [1000]): Promise<StockedVariant[]> {
  const suffix = randomBytes(4).toString('hex');
  const product = await t.request('POST', '/v1/products', {
    token: staff.accessToken,
    body: {
      slug: `product-${suffix}`,
      name: `Product ${suffix}`,
      status: 'active',
      variants: prices.map((priceAmount, i) => ({ sku: `SKU-${suffix}-${i}`.toUpperCase(), priceAmount, currency: CURRENCY, options: { size: String(i) } })),
    },
  });
  expectStatus(product, 201, 'create product');
  const variants: StockedVariant[] = product.body.variants.map((variant: { id: string; sku: string; priceAmount: number }) => ({
    productId: product.body.id,
    variantId: variant.id,
    sku: variant.sku,
    priceAmount: variant.priceAmount,
  }));
  for (const variant of variants) {
    if (stock > 0) await receive(t, staff, variant.variantId, stock);
  }
  return variants;
}

export async function receive(t: TestApp, staff: Staff, variantId: string, quantity: number): Promise<void> {
  const received = await t.request('POST', '/v1/inventory/receipts', {
    token: staff.accessToken,
    body: { variantId, locationId: staff.locationId, quantity },
  });
  if (![200, 201].includes(received.status)) expectStatus(received, 201, 'receive stock');
}

/** Stock of a variant summed over locations, through the staff API. */
export async function stockOf(t: TestApp, staff: Staff, variantId: string): Promise<{ onHand: number; reserved: number; available: number }> {
  const stock = await t.request('GET', `/v1/inventory/variants/${variantId}`, { token: staff.accessToken });
  expectStatus(stock, 200, 'read stock');
  return stock.body.totals;
}

export interface Cart {
  id: string;
  /** Guests only. */
  token?: string;
  /** Customers only. */
  accessToken?: string;
  headers: Record<string, string>;
}

let keyCounter = 0;
/** A fresh Idempotency-Key. */
export function newKey(): string {
  keyCounter++;
  return `key-${process.pid}-${keyCounter}-${randomBytes(6).toString('hex')}`;
}

/** Checks a cart out (guest: with the cart token and an email). */
export function checkout(t: TestApp, cart: Cart, options: { key?: string; body?: Record<string, unknown>; address?: Record<string, unknown> } = {}): Promise<ApiResponse> {
  return t.request('POST', '/v1/checkout', {
    token: cart.accessToken,
    headers: { ...cart.headers, 'idempotency-key': options.key ?? newKey() },
    body: options.body ?? {
      cartId: cart.id,
      ...(cart.token ? { email: 'guest@example.com' } : {}),
      shippingAddress: options.address ?? ADDRESS,
    },
  });
}

/** Pays an order as its customer or guest. */
export function pay(t: TestApp, cart: Cart, orderId: string, source = 'tok_success', key = newKey()): Promise<ApiResponse> {
  return t.request('POST', `/v1/orders/${orderId}/payments`, {
    token: cart.accessToken,
    headers: { ...cart.headers, 'idempotency-key': key },
    body: { provider: 'test', source },
  });
}

/** Posts an event to the test provider's webhook, signed with its secret (or `options.secret`) at `options.timestamp` (now). */
export function sendTestWebhook(
  t: TestApp,
  event: { id: string; type: string; data: Record<string, unknown> },
  options: { secret?: string; timestamp?: number } = {},
): Promise<ApiResponse> {
  const payload = JSON.stringify(event);
  return t.request('POST', '/v1/payments/webhooks/test', {
    rawBody: payload,
    headers: { 'content-type': 'application/json', 'emporium-signature': signTestWebhook(payload, options.secret ?? t.config.payments.testWebhookSecret, options.timestamp) },
  });
}

export function countBy(responses: ApiResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

/** A guest cart holding the lines (through the carts API). */
export async function guestCart(t: TestApp, lines: { variantId: string; quantity: number }[]): Promise<Cart> {
  const created = await t.request('POST', '/v1/carts');
  expectStatus(created, 201, 'create guest cart');
  const token: string = created.body.cartToken;
  const cart: Cart = { id: created.body.id, token, headers: { 'x-cart-token': token } };
  for (const line of lines) await addLine(t, cart, line);
  return cart;
}

/** The customer's cart holding the lines. */
export async function customerCart(t: TestApp, customer: SignedInUser, lines: { variantId: string; quantity: number }[]): Promise<Cart> {
  const created = await t.request('POST', '/v1/carts', { token: customer.accessToken });
  if (![200, 201].includes(created.status)) expectStatus(created, 201, 'create customer cart');
  const cart: Cart = { id: created.body.id, accessToken: customer.accessToken, headers: {} };
  for (const line of lines) await addLine(t, cart, line);
  return cart;
}

export async function addLine(t: TestApp, cart: Cart, line: { variantId: string; quantity: number }): Promise<void> {
  const added = await t.request('POST', `/v1/carts/${cart.id}/lines`, { token: cart.accessToken, headers: cart.headers, body: line });
  if (![200, 201].includes(added.status)) expectStatus(added, 201, 'add cart line');
}

/**
 * The inventory invariants, read from the database: no level negative or over-reserved, and per
 * (variant, location) the ledger sums equal the levels.
 */
export async function expectLedgerConsistent(t: TestApp, variantIds: string[]): Promise<void> {
  const db = t.get(DataSource);
  const levels: { variant_id: string; location_id: string; on_hand: number | string; reserved: number | string }[] = await db
    .createQueryBuilder()
    .select(['l.variant_id AS variant_id', 'l.location_id AS location_id', 'l.on_hand AS on_hand', 'l.reserved AS reserved'])
    .from('stock_levels', 'l')
    .where('l.variant_id IN (:...ids)', { ids: variantIds })
    .getRawMany();
  const sums: { variant_id: string; location_id: string; on_hand: number | string; reserved: number | string }[] = await db
    .createQueryBuilder()
    .select(['m.variant_id AS variant_id', 'm.location_id AS location_id', 'SUM(m.on_hand_delta) AS on_hand', 'SUM(m.reserved_delta) AS reserved'])
    .from('stock_movements', 'm')
    .where('m.variant_id IN (:...ids)', { ids: variantIds })
    .groupBy('m.variant_id')
    .addGroupBy('m.location_id')
    .getRawMany();
  const key = (row: { variant_id: string; location_id: string }) => `${row.variant_id}/${row.location_id}`;
  const ledger = new Map(sums.map((row) => [key(row), { onHand: Number(row.on_hand), reserved: Number(row.reserved) }]));
  for (const level of levels) {
    const onHand = Number(level.on_hand);
    const reserved = Number(level.reserved);
    expect(reserved).toBeGreaterThanOrEqual(0);
    expect(onHand).toBeGreaterThanOrEqual(reserved);
    expect(ledger.get(key(level)) ?? { onHand: 0, reserved: 0 }).toEqual({ onHand, reserved });
  }
}
