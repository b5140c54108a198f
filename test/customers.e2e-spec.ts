import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidFields, signUp, SignedInUser } from './support/factories';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

const address = (overrides: Record<string, unknown> = {}) => ({
  fullName: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  ...overrides,
});
const MISSING_ID = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';

describe('customers: profile and addresses', () => {
  let t: TestApp;
  let ada: SignedInUser;
  let bob: SignedInUser;

  beforeAll(async () => {
    t = await startTestApp();
    ada = await signUp(t);
    bob = await signUp(t);
  });
  afterAll(() => t.close());

  const create = async (user: SignedInUser, body: Record<string, unknown> = {}) => {
    const response = await t.request('POST', '/v1/me/addresses', { token: user.accessToken, body: address(body) });
    expect(response.status).toBe(201);
    return response;
  };

  describe('profile', () => {
    it('is 404 until saved; PUT creates (201), then replaces (200); each customer sees only their own', async () => {
      expectProblem(await t.request('GET', '/v1/me/profile', { token: ada.accessToken }), 404);
      const created = await t.request('PUT', '/v1/me/profile', { token: ada.accessToken, body: { firstName: ' Ada ', lastName: 'Lovelace', phone: '+44 1' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', phone: '+44 1' });
      const replaced = await t.request('PUT', '/v1/me/profile', { token: ada.accessToken, body: { firstName: 'Augusta', lastName: 'King' } });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ firstName: 'Augusta', lastName: 'King', phone: null });
      expect((await t.request('GET', '/v1/me/profile', { token: ada.accessToken })).body.firstName).toBe('Augusta');
      expectProblem(await t.request('GET', '/v1/me/profile', { token: bob.accessToken }), 404);
    });

    it('rejects blank names, unknown fields and anonymous callers', async () => {
      const invalid = await t.request('PUT', '/v1/me/profile', { token: ada.accessToken, body: { firstName: ' ', lastName: 'x'.repeat(101), userId: bob.id } });
      expectProblem(invalid, 400);
      expect(invalidFields(invalid)).toEqual(['firstName', 'lastName', 'userId']);
      expectProblem(await t.request('GET', '/v1/me/profile'), 401);
      expectProblem(await t.request('PUT', '/v1/me/profile', { body: { firstName: 'A', lastName: 'B' } }), 401);
    });
  });

  describe('addresses', () => {
    it('creates with Location, reads, lists, changes and deletes the caller\'s own addresses', async () => {
      const created = await create(ada, { label: 'Home', line2: '', region: 'Greater London' });
      expect(created.headers.get('location')).toBe(`/v1/me/addresses/${created.body.id}`);
      expect(created.body).toMatchObject({ label: 'Home', line2: null, region: 'Greater London', country: 'GB', isDefaultShipping: false, isDefaultBilling: false });
      const id = created.body.id as string;
      expect((await t.request('GET', `/v1/me/addresses/${id}`, { token: ada.accessToken })).body).toEqual(created.body);

      const changed = await t.request('PATCH', `/v1/me/addresses/${id}`, { token: ada.accessToken, body: { city: 'Cambridge', region: null } });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ city: 'Cambridge', region: null, line1: '12 St James Square' });

      const list = await t.request('GET', '/v1/me/addresses', { token: ada.accessToken });
      expect(list.status).toBe(200);
      expect(list.body.data.map((a: { id: string }) => a.id)).toContain(id);

      expect((await t.request('DELETE', `/v1/me/addresses/${id}`, { token: ada.accessToken })).status).toBe(204);
      expectProblem(await t.request('GET', `/v1/me/addresses/${id}`, { token: ada.accessToken }), 404);
      expectProblem(await t.request('DELETE', `/v1/me/addresses/${id}`, { token: ada.accessToken }), 404);
    });

    it('answers 404 to a second customer on every {id} route, and changes nothing', async () => {
      const { body: mine } = await create(ada, { label: 'Private' });
      const path = `/v1/me/addresses/${mine.id}`;
      expectProblem(await t.request('GET', path, { token: bob.accessToken }), 404);
      expectProblem(await t.request('PATCH', path, { token: bob.accessToken, body: { city: 'Stolen' } }), 404);
      expectProblem(await t.request('PATCH', path, { token: bob.accessToken, body: { isDefaultShipping: true } }), 404);
      expectProblem(await t.request('DELETE', path, { token: bob.accessToken }), 404);
      const list = await t.request('GET', '/v1/me/addresses', { token: bob.accessToken });
      expect(list.body.data.map((a: { id: string }) => a.id)).not.toContain(mine.id);
      const still = await t.request('GET', path, { token: ada.accessToken });
      expect(still.status).toBe(200);
      expect(still.body).toEqual(mine);
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        expectProblem(await t.request(method, '/v1/me/addresses/not-a-uuid', { token: ada.accessToken, body: method === 'PATCH' ? {} : undefined }), 404);
        expectProblem(await t.request(method, `/v1/me/addresses/${MISSING_ID}`, { token: ada.accessToken, body: method === 'PATCH' ? {} : undefined }), 404);
      }
      for (const method of ['GET', 'PATCH', 'DELETE']) expectProblem(await t.request(method, path, { body: method === 'PATCH' ? {} : undefined }), 401);
    });

    it('keeps at most one default shipping and one default billing address per customer', async () => {
      const customer = await signUp(t);
      const first = await create(customer, { isDefaultShipping: true, isDefaultBilling: true });
      const second = await create(customer, { isDefaultShipping: true });
      const defaults = async () => {
        const { body } = await t.request('GET', '/v1/me/addresses', { token: customer.accessToken });
        const data = body.data as { id: string; isDefaultShipping: boolean; isDefaultBilling: boolean }[];
        return {
          shipping: data.filter((a) => a.isDefaultShipping).map((a) => a.id),
          billing: data.filter((a) => a.isDefaultBilling).map((a) => a.id),
        };
      };
      expect(await defaults()).toEqual({ shipping: [second.body.id], billing: [first.body.id] });
      await t.request('PATCH', `/v1/me/addresses/${first.body.id}`, { token: customer.accessToken, body: { isDefaultShipping: true } });
      expect(await defaults()).toEqual({ shipping: [first.body.id], billing: [first.body.id] });

      // Another customer's default is untouched.
      const other = await create(bob, { isDefaultShipping: true });
      expect((await t.request('GET', `/v1/me/addresses/${other.body.id}`, { token: bob.accessToken })).body.isDefaultShipping).toBe(true);

      // Many addresses made the default at once: still exactly one.
      const many = await Promise.all(Array.from({ length: 6 }, () => create(customer)));
      const results = await Promise.all(
        many.map((a) => t.request('PATCH', `/v1/me/addresses/${a.body.id}`, { token: customer.accessToken, body: { isDefaultShipping: true, isDefaultBilling: true } })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      const after = await defaults();
      expect(after.shipping).toHaveLength(1);
      expect(after.billing).toHaveLength(1);
      expect((await t.request('GET', `/v1/me/addresses/${other.body.id}`, { token: bob.accessToken })).body.isDefaultShipping).toBe(true);
    });

    it('validates the country (ISO 3166-1 alpha-2, capitals) and the other fields', async () => {
      for (const country of ['gb', 'UK', 'ZZ', 'GBR', '', 12]) {
        const response = await t.request('POST', '/v1/me/addresses', { token: ada.accessToken, body: address({ country }) });
        expectProblem(response, 400);
        expect(invalidFields(response)).toEqual(['country']);
      }
      const invalid = await t.request('POST', '/v1/me/addresses', {
        token: ada.accessToken,
        body: { fullName: ' ', line1: 'x'.repeat(201), city: 'London', country: 'DE', isDefaultShipping: 'yes', userId: bob.id },
      });
      expectProblem(invalid, 400);
      expect(invalidFields(invalid)).toEqual(['fullName', 'isDefaultShipping', 'line1', 'postalCode', 'userId']);
      const patch = await t.request('PATCH', `/v1/me/addresses/${MISSING_ID}`, { token: ada.accessToken, body: { fullName: null, country: 'XX' } });
      expectProblem(patch, 400);
      expect(invalidFields(patch)).toEqual(['country', 'fullName']);
    });

    it('saves at most 50 addresses per customer (422 beyond)', async () => {
      const customer = await signUp(t);
      for (let i = 0; i < 50; i++) await create(customer, { label: `L${i}` });
      expectProblem(await t.request('POST', '/v1/me/addresses', { token: customer.accessToken, body: address() }), 422);
      // Another customer is not affected.
      expect((await t.request('POST', '/v1/me/addresses', { token: bob.accessToken, body: address() })).status).toBe(201);
    });

    it('pages through addresses with a cursor and rejects a forged one', async () => {
      const customer = await signUp(t);
      for (let i = 0; i < 3; i++) await create(customer, { label: `A${i}` });
      const first = await t.request('GET', '/v1/me/addresses?limit=2', { token: customer.accessToken });
      expect(first.body.data).toHaveLength(2);
      expect(first.headers.get('link')).toMatch(/rel="next"/);
      const second = await t.request('GET', `/v1/me/addresses?limit=2&cursor=${first.body.nextCursor}`, { token: customer.accessToken });
      expect(second.body.data.map((a: { label: string }) => a.label)).toEqual(['A2']);
      expect(second.body.nextCursor).toBeNull();
      expectProblem(await t.request('GET', '/v1/me/addresses?cursor=bogus', { token: customer.accessToken }), 400);
    });
  });
});
