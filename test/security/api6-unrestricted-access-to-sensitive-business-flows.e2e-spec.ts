// OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: the purchase flow must hold for
// every cart the API accepts. Amounts above 32 bits once overflowed the order columns (a 500 at
// checkout on MySQL/MariaDB); now every sum is a BIGINT and one order is capped below what
// JavaScript numbers hold exactly.
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment, PaymentKind } from '../../src/payments/entities/payment.entity';
import { MAX_ORDER_AMOUNT } from '../../src/pricing/pricing.math';
import { checkout, guestCart, newKey, pay, setUpStaff, Staff, stockedProduct, stockOf } from '../support/commerce';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

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
