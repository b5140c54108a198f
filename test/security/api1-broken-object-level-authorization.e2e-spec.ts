/**
 * OWASP API1:2023 Broken Object Level Authorization: every object reachable by id answers only its
 * owner (or staff); another customer, another guest or an anonymous caller gets the same 404 as for
 * an id that does not exist, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/permissions';
import { ADDRESS, Cart, checkout, customerCart, guestCart, newKey, pay, setUpStaff, stockedProduct, StockedVariant } from '../support/commerce';
import { signUp, SignedInUser } from '../support/factories';
import { expectProblem } from '../support/problem';
import { ApiResponse, startTestApp, TestApp } from '../support/test-app';

describe('API1 object-level authorization', () => {
  let t: TestApp;
  let variant: StockedVariant;
  let owner: SignedInUser;
  let intruder: SignedInUser;
  let ownerCart: Cart;
  let ownerOrderId: string;
  let ownerAddressId: string;
  let guest: Cart;
  let guestOrderCart: Cart;
  let guestOrderId: string;
  let otherGuest: Cart;
  let intruderCart: Cart;

  beforeAll(async () => {
    t = await startTestApp();
    const staff = await setUpStaff(t);
    [variant] = await stockedProduct(t, staff, 100);
    owner = await signUp(t);
    intruder = await signUp(t);
    const address = await t.request('POST', '/v1/me/addresses', { token: owner.accessToken, body: ADDRESS });
    ownerAddressId = address.body.id;
    ownerCart = await customerCart(t, owner, [{ variantId: variant.variantId, quantity: 1 }]);
    const ordered = await checkout(t, ownerCart);
    ownerOrderId = ordered.body.id;
    ownerCart = await customerCart(t, owner, [{ variantId: variant.variantId, quantity: 2 }]);
    guestOrderCart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    guestOrderId = (await checkout(t, guestOrderCart)).body.id;
    guest = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    otherGuest = await guestCart(t, []);
    intruderCart = await customerCart(t, intruder, [{ variantId: variant.variantId, quantity: 1 }]);
  });
  afterAll(() => t.close());

  /** Each cross-owner request, as [description, response]. */
  async function crossOwnerRequests(): Promise<[string, ApiResponse][]> {
    const asIntruder = { token: intruder.accessToken };
    const asOtherGuest = { headers: otherGuest.headers };
    const requests: [string, Promise<ApiResponse>][] = [
      ['read another customer\'s address', t.request('GET', `/v1/me/addresses/${ownerAddressId}`, asIntruder)],
      ['change another customer\'s address', t.request('PATCH', `/v1/me/addresses/${ownerAddressId}`, { ...asIntruder, body: { city: 'Elsewhere' } })],
      ['delete another customer\'s address', t.request('DELETE', `/v1/me/addresses/${ownerAddressId}`, asIntruder)],
      ['read another customer\'s cart', t.request('GET', `/v1/carts/${ownerCart.id}`, asIntruder)],
      ['add to another customer\'s cart', t.request('POST', `/v1/carts/${ownerCart.id}/lines`, { ...asIntruder, body: { variantId: variant.variantId, quantity: 1 } })],
      ['read a guest cart with another guest\'s token', t.request('GET', `/v1/carts/${guest.id}`, asOtherGuest)],
      ['read a guest cart anonymously', t.request('GET', `/v1/carts/${guest.id}`)],
      ['read another customer\'s order', t.request('GET', `/v1/orders/${ownerOrderId}`, asIntruder)],
      ['cancel another customer\'s order', t.request('POST', `/v1/orders/${ownerOrderId}/cancel`, { ...asIntruder, body: {} })],
      ['pay another customer\'s order', t.request('POST', `/v1/orders/${ownerOrderId}/payments`, { ...asIntruder, headers: { 'idempotency-key': newKey() }, body: { provider: 'test', source: 'tok_success' } })],
      ['read a guest order as a customer', t.request('GET', `/v1/orders/${guestOrderId}`, asIntruder)],
      ['read a guest order with another guest\'s token', t.request('GET', `/v1/orders/${guestOrderId}`, asOtherGuest)],
      ['cancel a guest order anonymously', t.request('POST', `/v1/orders/${guestOrderId}/cancel`, { body: {} })],
      [
        'check out another customer\'s cart',
        t.request('POST', '/v1/checkout', { ...asIntruder, headers: { 'idempotency-key': newKey() }, body: { cartId: ownerCart.id, shippingAddress: ADDRESS } }),
      ],
      ['ship to another customer\'s saved address', checkout(t, intruderCart, { body: { cartId: intruderCart.id, shippingAddressId: ownerAddressId } })],
    ];
    return Promise.all(requests.map(async ([what, response]) => [what, await response] as [string, ApiResponse]));
  }

  it('answers 404 to every cross-owner request, as for an id that does not exist', async () => {
    const answers = await crossOwnerRequests();
    const wrong = answers.filter(([, response]) => response.status !== 404).map(([what, response]) => `${what}: ${response.status}`);
    expect(wrong).toEqual([]);
    for (const [, response] of answers) expectProblem(response, 404);
  });

  it('changed nothing: the owner still sees the address, the cart and the order unpaid and open', async () => {
    const address = await t.request('GET', `/v1/me/addresses/${ownerAddressId}`, { token: owner.accessToken });
    expect(address.body.city).toBe(ADDRESS.city);
    const cart = await t.request('GET', `/v1/carts/${ownerCart.id}`, { token: owner.accessToken });
    expect(cart.body.lines).toEqual([expect.objectContaining({ variantId: variant.variantId, quantity: 2 })]);
    const order = await t.request('GET', `/v1/orders/${ownerOrderId}`, { token: owner.accessToken });
    expect(order.body).toMatchObject({ status: 'pending_payment', paidAmount: 0 });
    const guestOrder = await t.request('GET', `/v1/orders/${guestOrderId}`, { headers: guestOrderCart.headers });
    expect(guestOrder.body.status).toBe('pending_payment');
    const intruderCartNow = await t.request('GET', `/v1/carts/${intruderCart.id}`, { token: intruder.accessToken });
    expect(intruderCartNow.body.status).toBe('open');
  });

  it('lists only the caller\'s own orders and addresses', async () => {
    const orders = await t.request('GET', '/v1/me/orders', { token: intruder.accessToken });
    expect(orders.body.data.map((order: { id: string }) => order.id)).not.toContain(ownerOrderId);
    const addresses = await t.request('GET', '/v1/me/addresses', { token: intruder.accessToken });
    expect(addresses.body.data).toEqual([]);
  });

  it('lets staff with orders:read:any read any order, but a support agent cannot pay or cancel it', async () => {
    const support = await signUp(t, [Role.Support]);
    expect((await t.request('GET', `/v1/orders/${ownerOrderId}`, { token: support.accessToken })).status).toBe(200);
    expectProblem(await pay(t, { id: '', accessToken: support.accessToken, headers: {} }, ownerOrderId), 404);
    const cancel = await t.request('POST', `/v1/orders/${ownerOrderId}/cancel`, { token: support.accessToken, body: {} });
    expect([403, 404]).toContain(cancel.status);
  });
});
