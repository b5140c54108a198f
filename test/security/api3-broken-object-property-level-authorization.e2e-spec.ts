/**
 * OWASP API3:2023 Broken Object Property Level Authorization: a client can neither set properties
 * it does not own (mass assignment: roles, prices, totals, states, owners) nor read properties it
 * must not see (hashes, tokens, internal keys). Request bodies are closed, and every response the
 * suite receives is checked against closed schemas by the contract validator.
 */
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/permissions';
import { addLine, ADDRESS, checkout, guestCart, setUpStaff, Staff, stockedProduct, StockedVariant } from '../support/commerce';
import { invalidFields, PASSWORD, signUp, uniqueEmail } from '../support/factories';
import { expectProblem } from '../support/problem';
import { ApiResponse, startTestApp, TestApp } from '../support/test-app';

/** Names that must never appear in any answer, at any depth. */
const SECRET_NAMES = /^(password|passwordHash|tokenHash|guestTokenHash|checkoutKey|checkoutScope|clientAddress|paymentClaimId|requestHash|emailNormalized)$/;

function secretKeysIn(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => secretKeysIn(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [...(SECRET_NAMES.test(key) ? [`${path}.${key}`] : []), ...secretKeysIn(item, `${path}.${key}`)]);
}

describe('API3 object property level authorization', () => {
  let t: TestApp;
  let staff: Staff;
  let variant: StockedVariant;
  beforeAll(async () => {
    t = await startTestApp();
    staff = await setUpStaff(t);
    [variant] = await stockedProduct(t, staff, 50, [1000]);
  });
  afterAll(() => t.close());

  it.each([
    ['roles at registration', '/v1/auth/register', () => ({ email: uniqueEmail(), password: PASSWORD, roles: ['admin'] }), ['roles']],
    ['an id at registration', '/v1/auth/register', () => ({ email: uniqueEmail(), password: PASSWORD, id: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' }), ['id']],
  ])('refuses %s (400 naming the field), and creates nothing', async (_, path, body, fields) => {
    const sent = body();
    const response = await t.request('POST', path, { body: sent });
    expectProblem(response, 400);
    expect(invalidFields(response)).toEqual(fields);
    const users = await t.get(DataSource).query('SELECT COUNT(*) AS n FROM users WHERE email_normalized = ?', [sent.email]);
    expect(Number(users[0].n)).toBe(0);
  });

  it('refuses prices, totals and states in a cart line or a checkout, and charges the catalog price', async () => {
    const cart = await guestCart(t, []);
    const line = await t.request('POST', `/v1/carts/${cart.id}/lines`, {
      headers: cart.headers,
      body: { variantId: variant.variantId, quantity: 1, unitPriceAmount: 1 },
    });
    expectProblem(line, 400);
    expect(invalidFields(line)).toEqual(['unitPriceAmount']);
    await addLine(t, cart, { variantId: variant.variantId, quantity: 1 });
    const forged = await checkout(t, cart, {
      body: { cartId: cart.id, email: 'guest@example.com', shippingAddress: ADDRESS, totalAmount: 1, status: 'paid', userId: staff.id },
    });
    expectProblem(forged, 400);
    expect(invalidFields(forged)).toEqual(['status', 'totalAmount', 'userId']);
    const order = await checkout(t, cart);
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ status: 'pending_payment', subtotalAmount: 1000, paidAmount: 0 });
  });

  it('lets only users:write change roles, and a customer cannot change their own', async () => {
    const customer = await signUp(t);
    expectProblem(await t.request('PATCH', `/v1/users/${customer.id}/roles`, { token: customer.accessToken, body: { roles: ['admin'] } }), 403);
    const profile = await t.request('PUT', '/v1/me/profile', { token: customer.accessToken, body: { firstName: 'A', lastName: 'B', roles: ['admin'] } });
    expectProblem(profile, 400);
    expect((await t.request('GET', '/v1/me', { token: customer.accessToken })).body.roles).toEqual(['customer']);
  });

  it('never answers hashes, tokens or internal keys, whoever asks', async () => {
    const admin = await signUp(t, [Role.Admin]);
    const customer = await signUp(t);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    const order = await checkout(t, cart);
    const answers: ApiResponse[] = [
      order,
      await t.request('GET', `/v1/orders/${order.body.id}`, { token: admin.accessToken }),
      await t.request('GET', '/v1/orders', { token: admin.accessToken }),
      await t.request('GET', `/v1/orders/${order.body.id}`, { headers: cart.headers }),
      await t.request('GET', '/v1/users', { token: admin.accessToken }),
      await t.request('GET', `/v1/users/${customer.id}`, { token: admin.accessToken }),
      await t.request('GET', '/v1/me', { token: customer.accessToken }),
      await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers }),
    ];
    for (const answer of answers) expect(answer.status).toBe(answer === order ? 201 : 200);
    expect(answers.flatMap((answer) => secretKeysIn(answer.body))).toEqual([]);
  });
});
