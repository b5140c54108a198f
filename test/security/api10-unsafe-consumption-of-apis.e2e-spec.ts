/**
 * OWASP API10:2023 Unsafe Consumption of APIs: what a payment provider sends is verified (signed,
 * fresh, once) and never trusted beyond what it proves. A payment the order cannot use (another
 * currency, another amount, an order already settled) is refunded, and only money in the
 * order's own currency ever counts in its totals.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment, PaymentKind, PaymentStatus } from '../../src/payments/entities/payment.entity';
import { checkout, guestCart, sendTestWebhook, setUpStaff, Staff, stockedProduct } from '../support/commerce';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

describe('API10 payment provider webhooks', () => {
  let t: TestApp;
  let staff: Staff;
  beforeAll(async () => {
    t = await startTestApp({ ORDER_SWEEP_INTERVAL_MS: '0' });
    staff = await setUpStaff(t);
  });
  afterAll(() => t.close());

  const webhook = (data: Record<string, unknown>, type = 'payment.succeeded', secret?: string) =>
    sendTestWebhook(t, { id: `evt_${randomUUID()}`, type, data }, { secret });
  const newOrder = async () => {
    const [variant] = await stockedProduct(t, staff, 5);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    return { cart, order: (await checkout(t, cart)).body };
  };
  const paymentsOf = (orderId: string) => t.get(DataSource).getRepository(Payment).find({ where: { orderId }, order: { id: 'ASC' } });

  it('refunds a payment in another currency and keeps it out of the order\'s paid and refunded amounts', async () => {
    const { cart, order } = await newOrder();
    expect(order.currency).toBe('EUR');
    const reference = `testpay_${randomUUID()}`;
    expect((await webhook({ orderId: order.id, reference, amount: order.totalAmount, currency: 'USD' })).status).toBe(200);

    const read = await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers });
    expect(read.body).toMatchObject({ status: 'pending_payment', paidAmount: 0, refundedAmount: 0 });
    const refund = read.body.timeline.find((event: { type: string }) => event.type === 'payment_refunded');
    expect(refund).toMatchObject({ amount: null, note: expect.stringContaining(`${order.totalAmount} USD`) });
    expect((await paymentsOf(order.id)).map(({ kind, status, currency, amount }) => ({ kind, status, currency, amount }))).toEqual([
      { kind: PaymentKind.Capture, status: PaymentStatus.Succeeded, currency: 'USD', amount: order.totalAmount },
      { kind: PaymentKind.Refund, status: PaymentStatus.Succeeded, currency: 'USD', amount: order.totalAmount },
    ]);
    // The order can still be paid properly, once.
    expect((await webhook({ orderId: order.id, reference: `testpay_${randomUUID()}`, amount: order.totalAmount, currency: 'EUR' })).status).toBe(200);
    expect((await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers })).body).toMatchObject({ status: 'paid', paidAmount: order.totalAmount, refundedAmount: 0 });
  });

  it('refunds a payment of the wrong amount in the order\'s currency, which then shows as paid and refunded alike', async () => {
    const { cart, order } = await newOrder();
    expect((await webhook({ orderId: order.id, reference: `testpay_${randomUUID()}`, amount: order.totalAmount - 1, currency: 'EUR' })).status).toBe(200);
    expect((await t.request('GET', `/v1/orders/${order.id}`, { headers: cart.headers })).body).toMatchObject({
      status: 'pending_payment',
      paidAmount: order.totalAmount - 1,
      refundedAmount: order.totalAmount - 1,
    });
  });

  it('refuses what the provider did not sign, or signed with another key, and what is not well-formed', async () => {
    const { order } = await newOrder();
    const data = { orderId: order.id, reference: `testpay_${randomUUID()}`, amount: order.totalAmount, currency: 'EUR' };
    expectProblem(await webhook(data, 'payment.succeeded', 'another-secret-of-enough-length'), 400);
    expectProblem(await t.request('POST', '/v1/payments/webhooks/test', { body: { id: 'evt_x', type: 'payment.succeeded', data } }), 400);
    expectProblem(await webhook({ ...data, amount: -5 }), 400);
    expectProblem(await webhook(data, 'payment.teleported'), 400);
    expectProblem(await t.request('POST', '/v1/payments/webhooks/someone-else', { body: { id: 'evt_y' } }), 404);
    expect(await paymentsOf(order.id)).toEqual([]);
  });
});
