import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './support/factories';
import {
  ADDRESS,
  checkout,
  countBy,
  customerCart,
  expectLedgerConsistent,
  guestCart,
  newKey,
  receive,
  setUpStaff,
  Staff,
  stockedProduct,
  stockOf,
} from './support/commerce';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

/** Runs the promises' makers `width` at a time (setup traffic, not the race under test). */
async function inBatches<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, i) => make(start + i)))));
  }
  return results;
}

describe('checkout', () => {
  let t: TestApp;
  let staff: Staff;

  beforeAll(async () => {
    t = await startTestApp();
    staff = await setUpStaff(t, { shipping: 500, taxBps: 1900 });
  });
  afterAll(() => t.close());

  it('a guest checks out: 201 pending order with price snapshots, totals, links and reserved stock', async () => {
    const [a, b] = await stockedProduct(t, staff, 10, [1250, 990]);
    const cart = await guestCart(t, [
      { variantId: a.variantId, quantity: 2 },
      { variantId: b.variantId, quantity: 1 },
    ]);

    const response = await checkout(t, cart);

    expect(response.status).toBe(201);
    const order = response.body;
    expect(response.headers.get('location')).toBe(`/v1/orders/${order.id}`);
    expect(order).toMatchObject({
      status: 'pending_payment',
      email: 'guest@example.com',
      currency: 'EUR',
      subtotalAmount: 2 * 1250 + 990,
      shippingAmount: 500,
      taxRateBps: 1900,
      pricesIncludeTax: false,
      paidAmount: 0,
      refundedAmount: 0,
      cancelReason: null,
      shippingAddress: ADDRESS,
    });
    expect(order.totalAmount).toBe(order.subtotalAmount + order.shippingAmount + order.taxAmount);
    expect(order.taxAmount).toBeGreaterThan(0);
    expect(order.lines).toEqual([
      expect.objectContaining({ variantId: a.variantId, sku: a.sku, unitPriceAmount: 1250, quantity: 2, lineTotalAmount: 2500 }),
      expect.objectContaining({ variantId: b.variantId, sku: b.sku, unitPriceAmount: 990, quantity: 1, lineTotalAmount: 990 }),
    ]);
    expect(order.actions.map((link: { action: string }) => link.action).sort()).toEqual(['cancel', 'pay']);
    expect(order.actions).toContainEqual({ action: 'pay', method: 'POST', href: `/v1/orders/${order.id}/payments` });
    expect(new Date(order.reservationExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(await stockOf(t, staff, a.variantId)).toEqual({ onHand: 10, reserved: 2, available: 8 });
    expect(await stockOf(t, staff, b.variantId)).toEqual({ onHand: 10, reserved: 1, available: 9 });
    await expectLedgerConsistent(t, [a.variantId, b.variantId]);

    // The guest reaches the order with the cart token; nobody else does.
    const own = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
    expect(own.status).toBe(200);
    expect(own.body.timeline).toEqual([expect.objectContaining({ type: 'created', toStatus: 'pending_payment', actorKind: 'customer' })]);
    expectProblem(await t.request('GET', `/v1/orders/${order.id}`), 404);
    expectProblem(await t.request('GET', `/v1/orders/${order.id}`, { headers: { 'x-cart-token': 'not-the-token' } }), 404);
    const stranger = await signUp(t);
    expectProblem(await t.request('GET', `/v1/orders/${order.id}`, { token: stranger.accessToken }), 404);
    const staffView = await t.request('GET', `/v1/orders/${order.id}`, { token: staff.accessToken });
    expect(staffView.status).toBe(200);
    expect(staffView.body.actions.map((link: { action: string }) => link.action)).toEqual(['cancel']);
  });

  it('a customer checks out with their account email, and the retry with the same key replays the order', async () => {
    const [variant] = await stockedProduct(t, staff, 5);
    const customer = await signUp(t);
    const cart = await customerCart(t, customer, [{ variantId: variant.variantId, quantity: 3 }]);
    const key = newKey();

    const first = await checkout(t, cart, { key });
    expect(first.status).toBe(201);
    expect(first.body.email).toBe(customer.email);

    const again = await checkout(t, cart, { key });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const mine = await t.request('GET', '/v1/me/orders', { token: customer.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((order: { id: string }) => order.id)).toEqual([first.body.id]);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 3, available: 2 });

    // The same cart again with a new key: it is checked out already.
    expectProblem(await checkout(t, cart), 409);
  });

  it('a customer ships to a saved address by its id; another customer\'s address is 404, and exactly one address kind is required', async () => {
    const [variant] = await stockedProduct(t, staff, 5);
    const customer = await signUp(t);
    const saved = await t.request('POST', '/v1/me/addresses', { token: customer.accessToken, body: { ...ADDRESS, label: 'Home' } });
    expect(saved.status).toBe(201);
    const cart = await customerCart(t, customer, [{ variantId: variant.variantId, quantity: 1 }]);

    const stranger = await signUp(t);
    const theirs = await t.request('POST', '/v1/me/addresses', { token: stranger.accessToken, body: ADDRESS });
    expectProblem(await checkout(t, cart, { body: { cartId: cart.id, shippingAddressId: theirs.body.id } }), 404);
    const both = await checkout(t, cart, { body: { cartId: cart.id, shippingAddressId: saved.body.id, shippingAddress: ADDRESS } });
    expectProblem(both, 400);
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'shippingAddressId' })]);
    const neither = await checkout(t, cart, { body: { cartId: cart.id } });
    expectProblem(neither, 400);
    expect(neither.body.errors).toEqual([expect.objectContaining({ field: 'shippingAddress' })]);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });

    const order = await checkout(t, cart, { body: { cartId: cart.id, shippingAddressId: saved.body.id } });
    expect(order.status).toBe(201);
    expect(order.body.shippingAddress).toEqual(expect.objectContaining(ADDRESS));

    const guest = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    const guestBody = { cartId: guest.id, email: 'guest@example.com', shippingAddressId: saved.body.id };
    const guestWithSaved = await checkout(t, guest, { body: guestBody });
    expectProblem(guestWithSaved, 400);
    expect(guestWithSaved.body.errors).toEqual([expect.objectContaining({ field: 'shippingAddressId' })]);
  });

  it('200 parallel checkouts for 50 units: exactly 50 orders, 150 problems naming the SKU, stock never negative', async () => {
    const [variant] = await stockedProduct(t, staff, 50);
    const carts = await inBatches(200, 20, () => guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]));

    const responses = await Promise.all(carts.map((cart) => checkout(t, cart)));

    expect(countBy(responses)).toEqual({ 201: 50, 409: 150 });
    for (const response of responses.filter((r) => r.status === 409)) {
      expectProblem(response, 409, '/v1/checkout');
      expect(response.body.skus).toEqual([variant.sku]);
      expect(response.body.detail).toContain(variant.sku);
    }
    expect(new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(50);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 50, reserved: 50, available: 0 });
    await expectLedgerConsistent(t, [variant.variantId]);
    const listed = await t.request('GET', '/v1/orders?status=pending_payment&limit=100', { token: staff.accessToken });
    const ids = new Set(listed.body.data.map((order: { id: string }) => order.id));
    for (const response of responses.filter((r) => r.status === 201)) expect(ids.has(response.body.id)).toBe(true);
  });

  it('a multi-line checkout with one short line reserves nothing at all', async () => {
    const [plenty, scarce] = await stockedProduct(t, staff, 0, [1000, 2000]);
    await receive(t, staff, plenty.variantId, 10);
    await receive(t, staff, scarce.variantId, 1);
    const cart = await guestCart(t, [
      { variantId: plenty.variantId, quantity: 3 },
      { variantId: scarce.variantId, quantity: 2 },
    ]);

    const response = await checkout(t, cart);

    expectProblem(response, 409);
    expect(response.body.skus).toEqual([scarce.sku]);
    expect(await stockOf(t, staff, plenty.variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect(await stockOf(t, staff, scarce.variantId)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    await expectLedgerConsistent(t, [plenty.variantId, scarce.variantId]);
    // The cart is still open: with enough stock the same cart checks out.
    await receive(t, staff, scarce.variantId, 1);
    expect((await checkout(t, cart)).status).toBe(201);
  });

  it('20 parallel checkouts with one Idempotency-Key make one order', async () => {
    const [variant] = await stockedProduct(t, staff, 10);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 2 }]);
    const key = newKey();

    const responses = await Promise.all(Array.from({ length: 20 }, () => checkout(t, cart, { key })));

    const created = responses.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const response of responses.filter((r) => r.status !== 201)) expectProblem(response, 409);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 10, reserved: 2, available: 8 });
    await expectLedgerConsistent(t, [variant.variantId]);
  });

  describe('bad input', () => {
    it('price fields in the body are rejected (400) and never used', async () => {
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      for (const extra of [{ totalAmount: 1 }, { lines: [{ variantId: variant.variantId, unitPriceAmount: 1 }] }, { subtotalAmount: 0 }]) {
        const response = await checkout(t, cart, { body: { cartId: cart.id, email: 'guest@example.com', shippingAddress: ADDRESS, ...extra } });
        expectProblem(response, 400);
      }
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    });

    it('another customer\'s cart, or a guest cart without its token, is 404', async () => {
      const [variant] = await stockedProduct(t, staff, 5);
      const owner = await signUp(t);
      const cart = await customerCart(t, owner, [{ variantId: variant.variantId, quantity: 1 }]);
      const other = await signUp(t);
      expectProblem(await checkout(t, { ...cart, accessToken: other.accessToken }), 404);
      const guest = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      expectProblem(await checkout(t, { ...guest, headers: {}, token: undefined }, { body: { cartId: guest.id, email: 'x@example.com', shippingAddress: ADDRESS } }), 404);
      expectProblem(await checkout(t, { ...guest, headers: { 'x-cart-token': 'someone-elses' } }), 404);
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    });

    it('an Idempotency-Key over 255 characters, or none, is 400', async () => {
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      const tooLong = await checkout(t, cart, { key: 'k'.repeat(256) });
      expectProblem(tooLong, 400);
      expect(JSON.stringify(tooLong.body.errors)).toContain('Idempotency-Key');
      const none = await t.request('POST', '/v1/checkout', {
        headers: cart.headers,
        body: { cartId: cart.id, email: 'guest@example.com', shippingAddress: ADDRESS },
      });
      expectProblem(none, 400);
      expect((await checkout(t, cart, { key: 'k'.repeat(255) })).status).toBe(201);
    });

    it('shipping to a country without a rate is 422 and reserves nothing', async () => {
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      const response = await checkout(t, cart, { address: { ...ADDRESS, country: 'NZ' } });
      expectProblem(response, 422);
      expect(response.body.detail).toContain('NZ');
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
      expect((await checkout(t, cart)).status).toBe(201);
    });

    it('a variant of a product archived after it was put in the cart is 422', async () => {
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      const archived = await t.request('POST', `/v1/products/${variant.productId}/archive`, { token: staff.accessToken });
      expect(archived.status).toBe(200);
      expectProblem(await checkout(t, cart), 422);
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    });

    it('a guest without an email, or with a malformed address, is 400', async () => {
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      const noEmail = await checkout(t, cart, { body: { cartId: cart.id, shippingAddress: ADDRESS } });
      expectProblem(noEmail, 400);
      expect(noEmail.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
      expectProblem(await checkout(t, cart, { address: { ...ADDRESS, country: 'Germany' } }), 400);
      expectProblem(await checkout(t, cart, { body: { cartId: 'not-a-uuid', email: 'a@example.com', shippingAddress: ADDRESS } }), 400);
    });
  });
});
