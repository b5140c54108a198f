/**
 * OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: one client cannot hold a shop's
 * stock with unpaid orders, while ordinary shoppers never meet the caps; parallel payments reach
 * the provider once; a provider that is not enabled takes no money; and the purchase flow holds
 * for every cart the API accepts (amounts above 32 bits once overflowed the order columns, a 500).
 */
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment, PaymentKind } from '../../src/payments/entities/payment.entity';
import { MAX_ORDER_AMOUNT } from '../../src/pricing/pricing.math';
import { addLine, ADDRESS, Cart, checkout, countBy, guestCart, newKey, pay, setUpStaff, Staff, stockedProduct, StockedVariant, stockOf } from '../support/commerce';
import { expectProblem } from '../support/problem';
import { ApiResponse, startTestApp, TEST_METRICS_TOKEN, TestApp, TestEnv } from '../support/test-app';

/** The shipped defaults of the caps (the test config raises them for every other file). */
const DEFAULT_CAPS: TestEnv = {
  CHECKOUT_MAX_UNPAID_ORDERS_PER_ADDRESS: '10',
  CHECKOUT_MAX_UNPAID_ORDERS_PER_EMAIL: '3',
  CHECKOUT_MAX_UNPAID_ORDERS_PER_CUSTOMER: '3',
  CHECKOUT_MAX_RESERVED_UNITS_PER_ADDRESS: '200',
  CHECKOUT_MAX_RESERVED_UNITS_PER_EMAIL: '60',
  CHECKOUT_MAX_RESERVED_UNITS_PER_CUSTOMER: '60',
  TRUST_PROXY: 'loopback',
};

/** A guest at a network address of its own (through the proxy the app trusts). */
async function guestAt(t: TestApp, address: string, lines: { variantId: string; quantity: number }[]): Promise<Cart> {
  const cart = await guestCart(t, []);
  cart.headers = { ...cart.headers, 'x-forwarded-for': address };
  for (const line of lines) await addLine(t, cart, line);
  return cart;
}

function checkoutAs(t: TestApp, cart: Cart, email: string): Promise<ApiResponse> {
  return checkout(t, cart, { body: { cartId: cart.id, email, shippingAddress: ADDRESS } });
}

async function providerCalls(t: TestApp, operation: 'capture' | 'refund'): Promise<number> {
  const text = (await t.request('GET', '/metrics', { token: TEST_METRICS_TOKEN })).body as string;
  const pattern = new RegExp(`^payment_provider_requests_total\\{[^}]*operation="${operation}"[^}]*\\} (\\d+)`, 'gm');
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function transactionRetries(t: TestApp): Promise<number> {
  const text = (await t.request('GET', '/metrics', { token: TEST_METRICS_TOKEN })).body as string;
  return [...text.matchAll(/^db_transaction_retries_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('API6 reservation denial of service', () => {
  let t: TestApp;
  let staff: Staff;
  let catalog: StockedVariant[];
  const STOCK = 100;

  beforeAll(async () => {
    t = await startTestApp({ ...DEFAULT_CAPS, ORDER_SWEEP_INTERVAL_MS: '0' });
    staff = await setUpStaff(t);
    catalog = await stockedProduct(t, staff, STOCK, [1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900]);
  });
  afterAll(() => t.close());

  it('caps what one anonymous address holds in unpaid orders, and a real shopper can still buy', async () => {
    const attacker = '203.0.113.66';
    // The attack: guest carts of 20 units (the per-variant cap) of every variant, checked out and never paid.
    const attempts: ApiResponse[] = [];
    for (let round = 0; round < 5; round++) {
      const carts = await Promise.all(Array.from({ length: 6 }, () => guestAt(t, attacker, catalog.map((v) => ({ variantId: v.variantId, quantity: 20 })))));
      attempts.push(...(await Promise.all(carts.map((cart, i) => checkoutAs(t, cart, `grab+${round}-${i}@example.com`)))));
    }
    expect(countBy(attempts)).toEqual({ 429: attempts.length });
    expectProblem(attempts[0], 429);
    // 200 units is all one address may hold, and more than one email may (60).
    expect(attempts[0].body).toMatchObject({ type: 'urn:emporium:problem:unpaid-order-limit', limit: { kind: 'email', counts: 'units', max: 60 } });
    expect(Number(attempts[0].headers.get('retry-after'))).toBeGreaterThan(0);

    // Smaller carts get further, but never past 200 units or 10 orders for the address.
    const small: ApiResponse[] = [];
    for (let i = 0; i < 15; i++) {
      const cart = await guestAt(t, attacker, [{ variantId: catalog[i % catalog.length].variantId, quantity: 20 }]);
      small.push(await checkoutAs(t, cart, `grab-small-${i}@example.com`));
    }
    const held = small.filter((answer) => answer.status === 201).reduce((units, answer) => units + answer.body.lines[0].quantity, 0);
    expect(held).toBe(200);
    expect(small.filter((answer) => answer.status === 429).every((answer) => answer.body.type === 'urn:emporium:problem:unpaid-order-limit')).toBe(true);
    const reserved = await Promise.all(catalog.map((variant) => stockOf(t, staff, variant.variantId)));
    expect(reserved.reduce((sum, level) => sum + level.reserved, 0)).toBe(200);

    // A real shopper elsewhere buys what they want and pays.
    const shopper = await guestAt(t, '198.51.100.10', [{ variantId: catalog[0].variantId, quantity: 2 }]);
    const order = await checkoutAs(t, shopper, 'shopper@example.com');
    expect(order.status).toBe(201);
    expect((await pay(t, shopper, order.body.id)).status).toBe(201);
  });

  it('caps unpaid orders per email and per address, and frees the cap as soon as an order is paid or cancelled', async () => {
    const [variant] = catalog;
    const email = 'same.person+tag@example.com';
    const placed: ApiResponse[] = [];
    const carts: Cart[] = [];
    for (let i = 0; i < 4; i++) {
      const cart = await guestAt(t, `198.51.100.${20 + i}`, [{ variantId: variant.variantId, quantity: 1 }]);
      carts.push(cart);
      // Case and +tags do not make another mailbox.
      placed.push(await checkoutAs(t, cart, i % 2 ? email.toUpperCase() : email.replace('+tag', `+other${i}`)));
    }
    expect(placed.map((answer) => answer.status)).toEqual([201, 201, 201, 429]);
    expect(placed[3].body.limit).toEqual({ kind: 'email', counts: 'orders', max: 3 });
    // Paying one frees its place at once: the fourth order goes through.
    expect((await pay(t, carts[0], placed[0].body.id)).status).toBe(201);
    expect((await checkoutAs(t, carts[3], email)).status).toBe(201);
    // Cancelling frees it too.
    expectProblem(await checkoutAs(t, await guestAt(t, '198.51.100.30', [{ variantId: variant.variantId, quantity: 1 }]), email), 429);
    const cancelled = await t.request('POST', `/v1/orders/${placed[1].body.id}/cancel`, { headers: carts[1].headers, body: {} });
    expect(cancelled.status).toBe(200);
    expect((await checkoutAs(t, await guestAt(t, '198.51.100.30', [{ variantId: variant.variantId, quantity: 1 }]), email)).status).toBe(201);
  });

  it('never stops ordinary shoppers: 40 shoppers, some ordering twice, all check out and pay, without a deadlock', async () => {
    const retriesBefore = await transactionRetries(t);
    const answers: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        for (let order = 0; order < (i % 4 === 0 ? 2 : 1); order++) {
          const cart = await guestAt(t, `192.0.2.${i + 1}`, [
            { variantId: catalog[(i + order) % catalog.length].variantId, quantity: 1 + (i % 2) },
            { variantId: catalog[(i + 3) % catalog.length].variantId, quantity: 1 },
          ]);
          const placed = await checkoutAs(t, cart, `shopper-${i}@example.com`);
          answers.push(placed.status);
          if (placed.status === 201) answers.push((await pay(t, cart, placed.body.id)).status);
        }
      }),
    );
    expect(countBy(answers.map((status) => ({ status }) as ApiResponse))).toEqual({ 201: 100 });
    // New clients' counter rows are made before the checkout transaction: no gap locks to deadlock on
    // (on MariaDB these shoppers once deadlocked ~30 times a run, and now and then past the retries: a 503).
    expect(await transactionRetries(t)).toBe(retriesBefore);
  });
});

describe('API6 short first reservation', () => {
  let t: TestApp;
  let staff: Staff;
  beforeAll(async () => {
    t = await startTestApp({ ...DEFAULT_CAPS, CHECKOUT_INITIAL_RESERVATION_SECONDS: '2', CHECKOUT_RESERVATION_TTL_SECONDS: '900', ORDER_SWEEP_INTERVAL_MS: '200', PAYMENTS_TEST_FAILURE_DELAY_MS: '10' });
    staff = await setUpStaff(t);
  });
  afterAll(() => t.close());

  it('releases an unpaid order\'s stock and cap after the first reservation, unless a payment was attempted, which extends it to the full TTL', async () => {
    const [variant] = await stockedProduct(t, staff, 10);
    const abandoned = await guestAt(t, '203.0.113.70', [{ variantId: variant.variantId, quantity: 5 }]);
    const kept = await guestAt(t, '203.0.113.71', [{ variantId: variant.variantId, quantity: 5 }]);
    const first = await checkoutAs(t, abandoned, 'leaves@example.com');
    const second = await checkoutAs(t, kept, 'tries@example.com');
    expect(first.status).toBe(201);
    expect(new Date(first.body.reservationExpiresAt).getTime() - new Date(first.body.createdAt).getTime()).toBe(2000);
    // A declined attempt still counts as trying to pay: the reservation now lasts 900 s from checkout.
    expectProblem(await pay(t, kept, second.body.id, 'tok_declined'), 402);
    const extended = await t.request('GET', `/v1/orders/${second.body.id}`, { headers: kept.headers });
    expect(new Date(extended.body.reservationExpiresAt).getTime() - new Date(extended.body.createdAt).getTime()).toBe(900_000);

    await expect.poll(async () => (await t.request('GET', `/v1/orders/${first.body.id}`, { headers: abandoned.headers })).body.status, { timeout: 10_000, interval: 200 }).toBe('cancelled');
    expect((await t.request('GET', `/v1/orders/${second.body.id}`, { headers: kept.headers })).body.status).toBe('pending_payment');
    expect(await stockOf(t, staff, variant.variantId)).toMatchObject({ reserved: 5, available: 5 });
    expect((await pay(t, kept, second.body.id)).status).toBe(201);
  });
});

describe('API6 parallel payments of one order', () => {
  let t: TestApp;
  let staff: Staff;
  beforeAll(async () => {
    t = await startTestApp({ PAYMENTS_TEST_FAILURE_DELAY_MS: '300' });
    staff = await setUpStaff(t);
  });
  afterAll(() => t.close());

  const payments = async (orderId: string) => t.get(DataSource).getRepository(Payment).find({ where: { orderId, kind: PaymentKind.Capture } });

  it('sends one capture to the provider for five parallel payments with different keys; the others get 409, never "cancelled"', async () => {
    const [variant] = await stockedProduct(t, staff, 5);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    const order = (await checkout(t, cart)).body;
    const before = await providerCalls(t, 'capture');
    const answers = await Promise.all(Array.from({ length: 5 }, () => pay(t, cart, order.id, 'tok_success', newKey())));
    expect(countBy(answers)).toEqual({ 201: 1, 409: 4 });
    for (const loser of answers.filter((answer) => answer.status === 409)) {
      expectProblem(loser, 409);
      expect(['pending_payment', 'paid']).toContain(loser.body.orderStatus);
      expect(loser.body.detail).not.toMatch(/cancelled|refunded/);
    }
    expect((await providerCalls(t, 'capture')) - before).toBe(1);
    expect(await payments(order.id)).toHaveLength(1);
    expect(await providerCalls(t, 'refund')).toBe(0);
    const read = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
    expect(read.body).toMatchObject({ status: 'paid', paidAmount: order.totalAmount, refundedAmount: 0 });
  });

  it('keeps the others waiting while a slow capture is at the provider, then lets a new attempt through when it fails', async () => {
    const [variant] = await stockedProduct(t, staff, 5);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    const order = (await checkout(t, cart)).body;
    const before = await providerCalls(t, 'capture');
    const slow = pay(t, cart, order.id, 'tok_fail_after_delay', newKey());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = await Promise.all(Array.from({ length: 4 }, () => pay(t, cart, order.id, 'tok_success', newKey())));
    for (const answer of waiting) {
      expectProblem(answer, 409);
      expect(answer.body).toMatchObject({ type: 'urn:emporium:problem:payment-in-progress', orderStatus: 'pending_payment', paymentStartedAt: expect.any(String) });
    }
    // The customer cannot cancel under a capture either.
    expectProblem(await t.request('POST', `/v1/orders/${order.id}/cancel`, { headers: cart.headers, body: {} }), 409);
    expectProblem(await slow, 402);
    expect((await pay(t, cart, order.id, 'tok_success', newKey())).status).toBe(201);
    expect((await providerCalls(t, 'capture')) - before).toBe(2);
  });
});

describe('API6 payment providers in production', () => {
  it('takes no payment through a provider that is not enabled: 422 naming the enabled ones (none by default)', async () => {
    const t = await startTestApp({ NODE_ENV: 'production', JWT_SECRET: 'production-secret-that-is-long-enough-0001' });
    try {
      const staff = await setUpStaff(t);
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      const order = (await checkout(t, cart)).body;
      const refused = await pay(t, cart, order.id, 'tok_success');
      expectProblem(refused, 422);
      expect(refused.body).toMatchObject({ providers: [], detail: 'The payment provider test is not enabled on this server; enabled: none.' });
      const read = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
      expect(read.body).toMatchObject({ status: 'pending_payment', paidAmount: 0 });
    } finally {
      await t.close();
    }
  });
});

/** The largest price the catalog accepts, in minor units. */
const MAX_PRICE = 2_147_483_647;
/** The most units of one variant a cart line holds in these tests (CART_MAX_LINE_QUANTITY). */
const MAX_QUANTITY = 99;

describe('money cannot overflow', () => {
  let t: TestApp;
  let staff: Staff;

  beforeAll(async () => {
    t = await startTestApp({ CART_MAX_LINE_QUANTITY: String(MAX_QUANTITY), ORDER_SWEEP_INTERVAL_MS: '0' });
    staff = await setUpStaff(t, { shipping: 500, taxBps: 1900 });
  });
  afterAll(() => t.close());

  it('the largest price times the largest quantity checks out with exact totals, and is paid and refunded in full', async () => {
    const [variant] = await stockedProduct(t, staff, MAX_QUANTITY, [MAX_PRICE]);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: MAX_QUANTITY }]);

    const placed = await checkout(t, cart);
    expect(placed.status).toBe(201);
    // 2,147,483,647 × 99 = 212,600,881,053; tax 19 % of (goods + 500 shipping) = 40,394,167,495.07, rounded.
    const totals = { subtotalAmount: 212_600_881_053, shippingAmount: 500, taxAmount: 40_394_167_495, totalAmount: 252_995_049_048 };
    expect(placed.body).toMatchObject({ ...totals, paidAmount: 0, refundedAmount: 0 });
    expect(placed.body.lines).toEqual([expect.objectContaining({ unitPriceAmount: MAX_PRICE, quantity: MAX_QUANTITY, lineTotalAmount: totals.subtotalAmount })]);
    const order = placed.body;

    const paid = await pay(t, cart, order.id);
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ ...totals, status: 'paid', paidAmount: totals.totalAmount, refundedAmount: 0 });

    const refunded = await t.request('POST', `/v1/orders/${order.id}/refunds`, {
      token: staff.accessToken,
      headers: { 'idempotency-key': newKey() },
      body: { amount: totals.totalAmount, reason: 'returned in full' },
    });
    expect(refunded.status).toBe(201);
    expect(refunded.body).toMatchObject({ ...totals, status: 'refunded', paidAmount: totals.totalAmount, refundedAmount: totals.totalAmount });

    // Read back from the database: the BIGINT columns come back as exact numbers, never strings.
    const read = await t.request('GET', `/v1/orders/${order.id}`, { token: staff.accessToken });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ ...totals, paidAmount: totals.totalAmount, refundedAmount: totals.totalAmount });
    expect(read.body.lines[0].lineTotalAmount).toBe(totals.subtotalAmount);
    expect(read.body.timeline.map((event: { amount: number | null }) => event.amount).filter((amount: number | null) => amount !== null)).toEqual([
      totals.totalAmount, // created
      totals.totalAmount, // paid
      totals.totalAmount, // refund
    ]);
    const listed = await t.request('GET', `/v1/orders?email=${encodeURIComponent('guest@example.com')}&limit=100`, { token: staff.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.data.find((row: { id: string }) => row.id === order.id)).toMatchObject({ ...totals, refundedAmount: totals.totalAmount });
    const db = t.get(DataSource);
    const payments = await db.getRepository(Payment).find({ where: { orderId: order.id }, order: { id: 'ASC' } });
    expect(payments.map((payment) => [payment.kind, payment.amount])).toEqual([
      [PaymentKind.Capture, totals.totalAmount],
      [PaymentKind.Refund, totals.totalAmount],
    ]);
    // Raw statements (the compiled hot paths) get numbers too.
    expect(await db.query('SELECT total_amount, paid_amount FROM orders WHERE id = ?', [order.id])).toEqual([
      { total_amount: totals.totalAmount, paid_amount: totals.totalAmount },
    ]);
  });

  it('a cart whose total would pass the maximum order amount is 422 at checkout: nothing is reserved and the cart stays open', async () => {
    const [first, second] = await stockedProduct(t, staff, MAX_QUANTITY, [MAX_PRICE, MAX_PRICE]);
    const cart = await guestCart(t, [
      { variantId: first.variantId, quantity: MAX_QUANTITY },
      { variantId: second.variantId, quantity: MAX_QUANTITY },
    ]);
    const read = await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers });
    // The goods alone fit; shipping and tax take the order over.
    expect(read.body.subtotalAmount).toBe(2 * MAX_PRICE * MAX_QUANTITY);
    expect(read.body.subtotalAmount).toBeLessThan(MAX_ORDER_AMOUNT);

    const refused = await checkout(t, cart);
    expectProblem(refused, 422);
    expect(refused.body.type).toBe('urn:emporium:problem:rule-violation');
    expect(refused.body.detail).toContain(String(MAX_ORDER_AMOUNT));

    expect(await stockOf(t, staff, first.variantId)).toEqual({ onHand: MAX_QUANTITY, reserved: 0, available: MAX_QUANTITY });
    expect(await stockOf(t, staff, second.variantId)).toEqual({ onHand: MAX_QUANTITY, reserved: 0, available: MAX_QUANTITY });
    const after = await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers });
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('open');

    // The cart is still the customer's to change: with one line fewer it checks out.
    const lineId = after.body.lines.find((line: { variantId: string }) => line.variantId === second.variantId).id;
    expect((await t.request('DELETE', `/v1/carts/${cart.id}/lines/${lineId}`, { headers: cart.headers })).status).toBe(204);
    const placed = await checkout(t, cart);
    expect(placed.status).toBe(201);
    expect(placed.body.subtotalAmount).toBe(MAX_PRICE * MAX_QUANTITY);
  });
});
