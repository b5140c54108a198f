import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderSweeper } from '../src/orders/order-sweeper';
import { Payment, PaymentKind } from '../src/payments/entities/payment.entity';
import { testPaymentReference } from '../src/payments/providers/test-payment-provider';
import { signUp } from './support/factories';
import {
  Cart,
  checkout,
  countBy,
  customerCart,
  expectLedgerConsistent,
  guestCart,
  newKey,
  pay,
  setUpStaff,
  Staff,
  StockedVariant,
  stockedProduct,
  sendTestWebhook,
  stockOf,
} from './support/commerce';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

describe('payments', () => {
  let t: TestApp;
  let staff: Staff;

  beforeAll(async () => {
    t = await startTestApp({ ORDER_SWEEP_INTERVAL_MS: '0' });
    staff = await setUpStaff(t);
  });
  afterAll(() => t.close());

  const paymentsOf = (orderId: string) => t.get(DataSource).getRepository(Payment).find({ where: { orderId }, order: { id: 'ASC' } });

  async function placeOrder(quantity = 2, stock = 10): Promise<{ cart: Cart; order: any; variant: StockedVariant }> {
    const [variant] = await stockedProduct(t, staff, stock);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity }]);
    const placed = await checkout(t, cart);
    expect(placed.status).toBe(201);
    return { cart, order: placed.body, variant };
  }

  const webhook = (event: { id: string; type: string; data: Record<string, unknown> }, options?: { secret?: string; timestamp?: number }) =>
    sendTestWebhook(t, event, options);

  it('the guest pays: the order is paid, the stock sold, the timeline says so', async () => {
    const { cart, order, variant } = await placeOrder(2, 10);

    const paid = await pay(t, cart, order.id);

    expect(paid.status).toBe(201);
    expect(paid.headers.get('location')).toBe(`/v1/orders/${order.id}`);
    expect(paid.body).toMatchObject({ status: 'paid', paidAmount: order.totalAmount, refundedAmount: 0 });
    expect(paid.body.actions).toEqual([]);
    expect(paid.body.timeline.map((event: { type: string; toStatus: string | null }) => [event.type, event.toStatus])).toEqual([
      ['created', 'pending_payment'],
      ['status_changed', 'paid'],
    ]);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 8, reserved: 0, available: 8 });
    await expectLedgerConsistent(t, [variant.variantId]);
    const payments = await paymentsOf(order.id);
    expect(payments).toEqual([expect.objectContaining({ kind: 'capture', status: 'succeeded', amount: order.totalAmount, provider: 'test' })]);
    const staffView = await t.request('GET', `/v1/orders/${order.id}`, { token: staff.accessToken });
    expect(staffView.body.actions.map((link: { action: string }) => link.action)).toEqual(['cancel', 'fulfil', 'refund']);

    // Paying again is an illegal transition naming what the state allows.
    const again = await pay(t, cart, order.id);
    expectProblem(again, 409);
    expect(again.body).toMatchObject({ orderStatus: 'paid', allowed: ['cancel', 'fulfil', 'refund'] });
  });

  it('a declined card or insufficient funds is 402 with the failure code; the order still awaits payment', async () => {
    const { cart, order, variant } = await placeOrder(1, 5);

    const declined = await pay(t, cart, order.id, 'tok_declined');
    expectProblem(declined, 402);
    expect(declined.body.failureCode).toBe('card_declined');
    const poor = await pay(t, cart, order.id, 'tok_insufficient_funds');
    expectProblem(poor, 402);
    expect(poor.body.failureCode).toBe('insufficient_funds');

    const current = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
    expect(current.body).toMatchObject({ status: 'pending_payment', paidAmount: 0 });
    expect(current.body.timeline.filter((event: { type: string }) => event.type === 'payment_failed')).toHaveLength(2);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 1, available: 4 });
    expect((await paymentsOf(order.id)).map((p) => [p.status, p.failureCode])).toEqual([
      ['failed', 'card_declined'],
      ['failed', 'insufficient_funds'],
    ]);
    expect((await pay(t, cart, order.id)).status).toBe(201);
  });

  it('only the order\'s customer pays; others get 404; a provider that is not enabled is 422 naming those that are', async () => {
    const [variant] = await stockedProduct(t, staff, 5);
    const customer = await signUp(t);
    const cart = await customerCart(t, customer, [{ variantId: variant.variantId, quantity: 1 }]);
    const order = (await checkout(t, cart)).body;
    const other = await signUp(t);
    expectProblem(await pay(t, { ...cart, accessToken: other.accessToken }, order.id), 404);
    expectProblem(await pay(t, { ...cart, accessToken: undefined }, order.id), 404);
    expectProblem(await pay(t, { ...cart, accessToken: staff.accessToken }, order.id), 404);
    const unknown = await t.request('POST', `/v1/orders/${order.id}/payments`, {
      token: customer.accessToken,
      headers: { 'idempotency-key': newKey() },
      body: { provider: 'nope', source: 'tok_success' },
    });
    expectProblem(unknown, 422);
    expect(unknown.body.providers).toEqual(['test']);
    expect(unknown.body.detail).toBe('The payment provider nope is not enabled on this server; enabled: test.');
    expect((await pay(t, cart, order.id)).status).toBe(201);
  });

  it('20 parallel payments with one Idempotency-Key charge once', async () => {
    const { cart, order, variant } = await placeOrder(3, 10);
    const key = newKey();

    const responses = await Promise.all(Array.from({ length: 20 }, () => pay(t, cart, order.id, 'tok_success', key)));

    const statuses = countBy(responses);
    expect(statuses[201]).toBeGreaterThanOrEqual(1);
    expect((statuses[201] ?? 0) + (statuses[409] ?? 0)).toBe(20);
    for (const response of responses.filter((r) => r.status === 409)) expectProblem(response, 409);
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 7, reserved: 0, available: 7 });
    await expectLedgerConsistent(t, [variant.variantId]);
  });

  it('the webhook and the client capture arriving together record one payment', async () => {
    const { cart, order, variant } = await placeOrder(2, 10);
    const key = newKey();
    const reference = testPaymentReference(order.id, key);
    const event = {
      id: `evt_${newKey()}`,
      type: 'payment.succeeded',
      data: { orderId: order.id, reference, amount: order.totalAmount, currency: order.currency },
    };

    const [captured, hooked] = await Promise.all([pay(t, cart, order.id, 'tok_success', key), webhook(event)]);

    // The capture is recorded whichever comes first; a client request that arrives once the webhook
    // has paid the order is told so (409, the order is paid), never that anything failed.
    if (captured.status === 409) expect(captured.body).toMatchObject({ type: 'urn:emporium:problem:conflict', orderStatus: 'paid' });
    else expect(captured.status).toBe(201);
    expect(hooked.status).toBe(200);
    expect(hooked.body).toEqual({ received: true, duplicate: false });
    const payments = await paymentsOf(order.id);
    expect(payments).toEqual([expect.objectContaining({ reference, kind: 'capture', status: 'succeeded' })]);
    const current = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
    expect(current.body).toMatchObject({ status: 'paid', paidAmount: order.totalAmount });
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 8, reserved: 0, available: 8 });
    await expectLedgerConsistent(t, [variant.variantId]);

    // The same event delivered again: acknowledged as a duplicate, nothing happens.
    const replayed = await webhook(event);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual({ received: true, duplicate: true });
    expect(await paymentsOf(order.id)).toHaveLength(1);
  });

  it('a webhook alone pays the order; a bad signature, an old timestamp or a replayed id changes nothing', async () => {
    const { order, variant } = await placeOrder(1, 10);
    const event = {
      id: `evt_${newKey()}`,
      type: 'payment.succeeded',
      data: { orderId: order.id, reference: `testpay_${newKey()}`, amount: order.totalAmount, currency: order.currency },
    };

    expectProblem(await webhook(event, { secret: 'another-secret-of-enough-length' }), 400);
    expectProblem(await webhook(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 }), 400);
    const unsigned = await t.request('POST', '/v1/payments/webhooks/test', { body: event });
    expectProblem(unsigned, 400);
    expect(await paymentsOf(order.id)).toHaveLength(0);

    const accepted = await webhook(event);
    expect(accepted.body).toEqual({ received: true, duplicate: false });
    const replayed = await webhook(event);
    expect(replayed.body).toEqual({ received: true, duplicate: true });
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 9, reserved: 0, available: 9 });
  });

  it('a webhook payment of the wrong amount is refunded at once and leaves the order unpaid', async () => {
    const { cart, order, variant } = await placeOrder(1, 5);
    const event = {
      id: `evt_${newKey()}`,
      type: 'payment.succeeded',
      data: { orderId: order.id, reference: `testpay_${newKey()}`, amount: order.totalAmount - 1, currency: order.currency },
    };
    expect((await webhook(event)).status).toBe(200);
    const current = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
    expect(current.body).toMatchObject({ status: 'pending_payment', paidAmount: order.totalAmount - 1, refundedAmount: order.totalAmount - 1 });
    expect(current.body.timeline.at(-1)).toMatchObject({ type: 'payment_refunded', amount: order.totalAmount - 1 });
    expect((await paymentsOf(order.id)).map((p) => [p.kind, p.status])).toEqual([
      ['capture', 'succeeded'],
      ['refund', 'succeeded'],
    ]);
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 5, reserved: 1, available: 4 });
    const paid = await pay(t, cart, order.id);
    expect(paid.body).toMatchObject({ status: 'paid', paidAmount: 2 * order.totalAmount - 1, refundedAmount: order.totalAmount - 1 });
  });

  it('staff refund in parts; more than paid is 422; the full amount makes the order refunded', async () => {
    const { cart, order } = await placeOrder(1, 5);
    const refund = (amount: number, key = newKey()) =>
      t.request('POST', `/v1/orders/${order.id}/refunds`, { token: staff.accessToken, headers: { 'idempotency-key': key }, body: { amount, reason: 'goodwill' } });

    expectProblem(await refund(100), 409); // not paid yet
    expect((await pay(t, cart, order.id)).status).toBe(201);

    const part = await refund(300);
    expect(part.status).toBe(201);
    expect(part.body).toMatchObject({ status: 'paid', refundedAmount: 300 });
    const tooMuch = await refund(order.totalAmount - 300 + 1);
    expectProblem(tooMuch, 422);
    const rest = await refund(order.totalAmount - 300);
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ status: 'refunded', refundedAmount: order.totalAmount, actions: [] });
    expectProblem(await refund(1), 409);
    const refunds = (await paymentsOf(order.id)).filter((p) => p.kind === PaymentKind.Refund);
    expect(refunds.map((p) => p.amount).sort((a, b) => a - b)).toEqual([300, order.totalAmount - 300].sort((a, b) => a - b));
    const customer = await signUp(t);
    expectProblem(
      await t.request('POST', `/v1/orders/${order.id}/refunds`, { token: customer.accessToken, headers: { 'idempotency-key': newKey() }, body: { amount: 1, reason: 'x' } }),
      403,
    );
  });

  it('staff cancel a paid order: the payment is refunded and the stock restocked', async () => {
    const { cart, order, variant } = await placeOrder(2, 10);
    expect((await pay(t, cart, order.id)).status).toBe(201);
    expectProblem(await t.request('POST', `/v1/orders/${order.id}/cancel`, { headers: cart.headers, body: {} }), 409);

    const cancelled = await t.request('POST', `/v1/orders/${order.id}/cancel`, { token: staff.accessToken, body: { reason: 'customer called' } });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', paidAmount: order.totalAmount, refundedAmount: order.totalAmount });
    expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    await expectLedgerConsistent(t, [variant.variantId]);
    expect((await paymentsOf(order.id)).map((p) => [p.kind, p.status, p.amount])).toEqual([
      ['capture', 'succeeded', order.totalAmount],
      ['refund', 'succeeded', order.totalAmount],
    ]);
  });

  describe('a payment after the reservation expired', () => {
    async function expire(order: { reservationExpiresAt: string }): Promise<void> {
      await t.get(OrderSweeper).sweep(new Date(new Date(order.reservationExpiresAt).getTime() + 1));
    }

    it('is reconciled by reserving the stock again when it is there', async () => {
      const { cart, order, variant } = await placeOrder(2, 10);
      await expire(order);
      const expired = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
      expect(expired.body).toMatchObject({ status: 'cancelled', cancelReason: 'reservation_expired' });
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 10, reserved: 0, available: 10 });

      const event = {
        id: `evt_${newKey()}`,
        type: 'payment.succeeded',
        data: { orderId: order.id, reference: `testpay_${newKey()}`, amount: order.totalAmount, currency: order.currency },
      };
      expect((await webhook(event)).status).toBe(200);

      const reinstated = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
      expect(reinstated.body).toMatchObject({ status: 'paid', cancelReason: null, paidAmount: order.totalAmount });
      expect(reinstated.body.timeline.at(-1)).toMatchObject({ fromStatus: 'cancelled', toStatus: 'paid', actorKind: 'system' });
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 8, reserved: 0, available: 8 });
      await expectLedgerConsistent(t, [variant.variantId]);
    });

    it('racing the sweeper, each order ends paid (charged once, stock sold) or cancelled (not charged, stock released)', async () => {
      const [variant] = await stockedProduct(t, staff, 30);
      const placed = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 2 }]);
          return { cart, order: (await checkout(t, cart)).body };
        }),
      );
      const latest = Math.max(...placed.map(({ order }) => new Date(order.reservationExpiresAt).getTime()));

      const [, ...paid] = await Promise.all([
        t.get(OrderSweeper).sweep(new Date(latest + 1)),
        ...placed.map(({ cart, order }) => pay(t, cart, order.id)),
      ]);

      let sold = 0;
      for (const [i, { cart, order }] of placed.entries()) {
        const current = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
        if (paid[i].status === 201) {
          sold++;
          expect(current.body).toMatchObject({ status: 'paid', paidAmount: order.totalAmount, refundedAmount: 0 });
          expect(await paymentsOf(order.id)).toHaveLength(1);
        } else {
          expectProblem(paid[i], 409); // cancelled before the payment started: nothing was charged
          expect(current.body).toMatchObject({ status: 'cancelled', cancelReason: 'reservation_expired', paidAmount: 0 });
          expect(await paymentsOf(order.id)).toHaveLength(0);
        }
      }
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 30 - 2 * sold, reserved: 0, available: 30 - 2 * sold });
      await expectLedgerConsistent(t, [variant.variantId]);
    });

    it('is refunded automatically when the stock is gone, and the order says why', async () => {
      const { cart, order, variant } = await placeOrder(3, 3);
      await expire(order);
      const rival = await guestCart(t, [{ variantId: variant.variantId, quantity: 2 }]);
      expect((await checkout(t, rival)).status).toBe(201);

      const late = await pay(t, cart, order.id);
      expectProblem(late, 409); // the order is cancelled: paying is not an action it allows
      const event = {
        id: `evt_${newKey()}`,
        type: 'payment.succeeded',
        data: { orderId: order.id, reference: `testpay_${newKey()}`, amount: order.totalAmount, currency: order.currency },
      };
      expect((await webhook(event)).status).toBe(200);

      const current = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
      expect(current.body).toMatchObject({
        status: 'cancelled',
        cancelReason: 'payment_refunded_out_of_stock',
        paidAmount: order.totalAmount,
        refundedAmount: order.totalAmount,
      });
      expect(current.body.timeline.at(-1)).toMatchObject({ type: 'payment_refunded', amount: order.totalAmount });
      expect((await paymentsOf(order.id)).map((p) => [p.kind, p.status])).toEqual([
        ['capture', 'succeeded'],
        ['refund', 'succeeded'],
      ]);
      expect(await stockOf(t, staff, variant.variantId)).toEqual({ onHand: 3, reserved: 2, available: 1 });
      await expectLedgerConsistent(t, [variant.variantId]);
    });
  });
});
