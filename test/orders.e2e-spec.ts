import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { signUp, SignedInUser } from './support/factories';
import {
  Cart,
  checkout,
  customerCart,
  expectLedgerConsistent,
  guestCart,
  pay,
  setUpStaff,
  Staff,
  stockedProduct,
  stockOf,
} from './support/commerce';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

const actionsOf = (order: { actions: { action: string }[] }) => order.actions.map((link) => link.action);

describe('orders', () => {
  let t: TestApp;
  let staff: Staff;
  let support: SignedInUser;

  beforeAll(async () => {
    t = await startTestApp({ ORDER_SWEEP_INTERVAL_MS: '0' });
    staff = await setUpStaff(t);
    support = await signUp(t, [Role.Support]);
  });
  afterAll(() => t.close());

  async function placeOrder(cart?: Cart): Promise<{ cart: Cart; order: any; variantId: string }> {
    const [variant] = await stockedProduct(t, staff, 10);
    const theCart = cart ?? (await guestCart(t, [{ variantId: variant.variantId, quantity: 2 }]));
    const placed = await checkout(t, theCart);
    expect(placed.status).toBe(201);
    return { cart: theCart, order: placed.body, variantId: variant.variantId };
  }

  // Without a body unless one is given: fulfil, ship and deliver take none (a body is 400), cancel's reason is optional.
  const post = (path: string, options: { token?: string; headers?: Record<string, string>; body?: unknown } = {}) => t.request('POST', path, options);

  it('the customer cancels while unpaid: the reservation is released; then nothing more is allowed', async () => {
    const { cart, order, variantId } = await placeOrder();
    expect(await stockOf(t, staff, variantId)).toEqual({ onHand: 10, reserved: 2, available: 8 });

    const cancelled = await post(`/v1/orders/${order.id}/cancel`, { headers: cart.headers, body: { reason: 'changed my mind' } });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled_by_customer', actions: [] });
    expect(cancelled.body.timeline.at(-1)).toMatchObject({
      type: 'status_changed', fromStatus: 'pending_payment', toStatus: 'cancelled', actorKind: 'customer', note: 'changed my mind',
    });
    expect(await stockOf(t, staff, variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    await expectLedgerConsistent(t, [variantId]);

    const again = await post(`/v1/orders/${order.id}/cancel`, { headers: cart.headers });
    expectProblem(again, 409);
    expect(again.body).toMatchObject({ orderStatus: 'cancelled', allowed: [] });
    const payLate = await pay(t, cart, order.id);
    expectProblem(payLate, 409);
  });

  it('staff move a paid order through fulfil, ship and deliver; illegal steps are 409 naming the allowed ones', async () => {
    const { cart, order } = await placeOrder();
    const early = await post(`/v1/orders/${order.id}/fulfil`, { token: staff.accessToken });
    expectProblem(early, 409);
    expect(early.body).toMatchObject({ orderStatus: 'pending_payment', allowed: ['pay', 'cancel'] });
    expect(early.body.detail).toContain('pay, cancel');
    expect((await pay(t, cart, order.id)).status).toBe(201);

    const skipping = await post(`/v1/orders/${order.id}/ship`, { token: staff.accessToken });
    expectProblem(skipping, 409);
    expect(skipping.body.allowed).toEqual(['cancel', 'fulfil', 'refund']);

    const fulfilled = await post(`/v1/orders/${order.id}/fulfil`, { token: staff.accessToken });
    expect(fulfilled.status).toBe(200);
    expect(fulfilled.body.status).toBe('fulfilled');
    expect(actionsOf(fulfilled.body)).toEqual(['cancel', 'ship', 'refund']);
    const shipped = await post(`/v1/orders/${order.id}/ship`, { token: staff.accessToken });
    expect(shipped.body.status).toBe('shipped');
    const delivered = await post(`/v1/orders/${order.id}/deliver`, { token: staff.accessToken });
    expect(delivered.status).toBe(200);
    expect(delivered.body.status).toBe('delivered');
    expect(actionsOf(delivered.body)).toEqual(['refund']);
    expect(delivered.body.timeline.map((event: { toStatus: string }) => event.toStatus)).toEqual([
      'pending_payment', 'paid', 'fulfilled', 'shipped', 'delivered',
    ]);
    expect(delivered.body.timeline.slice(2).every((event: { actorKind: string; actorId: string }) => event.actorKind === 'staff' && event.actorId === staff.id)).toBe(true);
    const cancelDelivered = await post(`/v1/orders/${order.id}/cancel`, { token: staff.accessToken });
    expectProblem(cancelDelivered, 409);
    expect(cancelDelivered.body.allowed).toEqual(['refund']);

    // The guest sees the delivered order but may do nothing with it.
    const guestView = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
    expect(guestView.body.actions).toEqual([]);
  });

  it('customers and support staff cannot move orders; unknown orders are 404', async () => {
    const { cart, order } = await placeOrder();
    const customer = await signUp(t);
    expectProblem(await post(`/v1/orders/${order.id}/fulfil`, { token: customer.accessToken }), 403);
    expectProblem(await post(`/v1/orders/${order.id}/fulfil`, { token: support.accessToken }), 403);
    expectProblem(await post(`/v1/orders/${order.id}/cancel`, { token: customer.accessToken }), 404);
    expectProblem(await post(`/v1/orders/${order.id}/cancel`, { token: support.accessToken }), 403);
    expect((await t.request('GET', `/v1/orders/${order.id}`, { token: support.accessToken })).status).toBe(200);
    expectProblem(await post('/v1/orders/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e/fulfil', { token: staff.accessToken }), 404);
    expectProblem(await t.request('GET', '/v1/orders/not-a-uuid', { headers: cart.headers }), 404);
    expectProblem(await t.request('GET', '/v1/orders', { token: customer.accessToken }), 403);
  });

  it('customers list their own orders newest first; staff list and filter all of them', async () => {
    const customer = await signUp(t);
    const [variant] = await stockedProduct(t, staff, 20);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const cart = await customerCart(t, customer, [{ variantId: variant.variantId, quantity: 1 }]);
      ids.push((await placeOrder(cart)).order.id);
    }
    await placeOrder(); // someone else's

    const first = await t.request('GET', '/v1/me/orders?limit=2', { token: customer.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.data.map((order: { id: string }) => order.id)).toEqual([ids[2], ids[1]]);
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await t.request('GET', `/v1/me/orders?limit=2&cursor=${first.body.nextCursor}`, { token: customer.accessToken });
    expect(second.body).toMatchObject({ data: [expect.objectContaining({ id: ids[0], email: customer.email })], nextCursor: null });
    expect(second.body.data[0].timeline).toBeUndefined();

    const byUser = await t.request('GET', `/v1/orders?userId=${customer.id}`, { token: support.accessToken });
    expect(byUser.body.data.map((order: { id: string }) => order.id)).toEqual([...ids].reverse());
    const byEmail = await t.request('GET', `/v1/orders?email=${encodeURIComponent(customer.email)}&limit=1`, { token: staff.accessToken });
    expect(byEmail.body.data.map((order: { id: string }) => order.id)).toEqual([ids[2]]);
    const cancelled = await post(`/v1/orders/${ids[1]}/cancel`, { token: customer.accessToken });
    expect(cancelled.status).toBe(200);
    const byStatus = await t.request('GET', `/v1/orders?status=cancelled&userId=${customer.id}`, { token: staff.accessToken });
    expect(byStatus.body.data.map((order: { id: string }) => order.id)).toEqual([ids[1]]);
    const future = await t.request('GET', `/v1/orders?createdFrom=${new Date(Date.now() + 60_000).toISOString()}`, { token: staff.accessToken });
    expect(future.body.data).toEqual([]);
    const past = await t.request('GET', `/v1/orders?createdTo=${new Date(Date.now() + 60_000).toISOString()}&userId=${customer.id}`, { token: staff.accessToken });
    expect(past.body.data).toHaveLength(3);
    expectProblem(await t.request('GET', '/v1/orders?status=lost', { token: staff.accessToken }), 400);
    expectProblem(await t.request('GET', '/v1/orders?cursor=bogus', { token: staff.accessToken }), 400);
  });
});

describe('order sweeper', () => {
  let t: TestApp;
  let staff: Staff;

  beforeAll(async () => {
    t = await startTestApp({ CHECKOUT_RESERVATION_TTL_SECONDS: '2', ORDER_SWEEP_INTERVAL_MS: '200' });
    staff = await setUpStaff(t);
  });
  afterAll(() => t.close());

  it('cancels unpaid orders whose reservation expired and releases their stock; paid ones stay', async () => {
    const [variant] = await stockedProduct(t, staff, 10);
    const unpaid = await guestCart(t, [{ variantId: variant.variantId, quantity: 3 }]);
    const paid = await guestCart(t, [{ variantId: variant.variantId, quantity: 2 }]);
    const unpaidOrder = (await checkout(t, unpaid)).body;
    const paidOrder = (await checkout(t, paid)).body;
    expect((await pay(t, paid, paidOrder.id)).status).toBe(201);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 8, reserved: 3, available: 5 });

    let current: any;
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      current = (await t.request('GET', `/v1/orders/${unpaidOrder.id}`, { headers: unpaid.headers })).body;
      if (current.status !== 'pending_payment') break;
    }
    expect(current).toMatchObject({ status: 'cancelled', cancelReason: 'reservation_expired', actions: [] });
    expect(current.timeline.at(-1)).toMatchObject({ fromStatus: 'pending_payment', toStatus: 'cancelled', actorKind: 'system', actorId: null });
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 8, reserved: 0, available: 8 });
    await expectLedgerConsistent(t, [variant.variantId]);
    const still = await t.request('GET', `/v1/orders/${paidOrder.id}`, { headers: paid.headers });
    expect(still.body.status).toBe('paid');
  });
});
