import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { RuleViolationError } from '../src/common/problem/app-error';
import { TransactionService } from '../src/database/transaction.service';
import { DEMO_SHIPPING_RATES, DEMO_TAX_RATES, DemoPricingBootstrap } from '../src/pricing/pricing.seeder';
import { PricingService, QuoteInput } from '../src/pricing/pricing.service';
import { invalidFields, signUp, SignedInUser } from './support/factories';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

describe('pricing', () => {
  let t: TestApp;
  let manager: SignedInUser;
  let support: SignedInUser;
  let customer: SignedInUser;

  beforeAll(async () => {
    t = await startTestApp();
    [manager, support, customer] = await Promise.all([signUp(t, [Role.Manager]), signUp(t, [Role.Support]), signUp(t)]);
  });
  afterAll(() => t.close());

  const as = (user: SignedInUser) => ({
    get: (path: string) => t.request('GET', path, { token: user.accessToken }),
    put: (path: string, body: unknown) => t.request('PUT', path, { token: user.accessToken, body }),
    delete: (path: string) => t.request('DELETE', path, { token: user.accessToken }),
  });
  const dataSource = () => t.app.get<DataSource>(getDataSourceToken());

  describe('access', () => {
    it('is staff only (pricing:write), reads included', async () => {
      for (const [method, path] of [
        ['GET', '/v1/shipping-rates'],
        ['GET', '/v1/shipping-rates/DE/EUR'],
        ['PUT', '/v1/shipping-rates/DE/EUR'],
        ['DELETE', '/v1/shipping-rates/DE/EUR'],
        ['GET', '/v1/tax-rates'],
        ['GET', '/v1/tax-rates/DE'],
        ['PUT', '/v1/tax-rates/DE'],
        ['DELETE', '/v1/tax-rates/DE'],
      ]) {
        const body = method === 'PUT' ? { amount: 1, rateBps: 1 } : undefined;
        expectProblem(await t.request(method, path, { body }), 401);
        expectProblem(await t.request(method, path, { body, token: customer.accessToken }), 403);
        const denied = await t.request(method, path, { body, token: support.accessToken });
        expectProblem(denied, 403);
        expect(denied.body.detail).toMatch(/pricing:write/);
      }
    });
  });

  describe('shipping rates', () => {
    it('creates (201 + Location), replaces (200), reads, lists and deletes a rate', async () => {
      const staff = as(manager);
      const created = await staff.put('/v1/shipping-rates/DE/EUR', { amount: 495 });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('/v1/shipping-rates/DE/EUR');
      expect(created.body).toEqual({ country: 'DE', currency: 'EUR', amount: 495 });
      const replaced = await staff.put('/v1/shipping-rates/DE/EUR', { amount: 0 });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toEqual({ country: 'DE', currency: 'EUR', amount: 0 });
      expect((await staff.put('/v1/shipping-rates/DE/EUR', { amount: 0 })).status).toBe(200); // same value again
      expect((await staff.get('/v1/shipping-rates/DE/EUR')).body).toEqual({ country: 'DE', currency: 'EUR', amount: 0 });

      expect((await staff.put('/v1/shipping-rates/DE/USD', { amount: 700 })).status).toBe(201);
      expect((await staff.put('/v1/shipping-rates/AT/EUR', { amount: 600 })).status).toBe(201);
      const first = await staff.get('/v1/shipping-rates?limit=2');
      expect(first.body.data).toEqual([
        { country: 'AT', currency: 'EUR', amount: 600 },
        { country: 'DE', currency: 'EUR', amount: 0 },
      ]);
      expect(first.headers.get('link')).toMatch(/rel="next"/);
      const second = await staff.get(`/v1/shipping-rates?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ data: [{ country: 'DE', currency: 'USD', amount: 700 }], nextCursor: null });

      expect((await staff.delete('/v1/shipping-rates/DE/USD')).status).toBe(204);
      expectProblem(await staff.delete('/v1/shipping-rates/DE/USD'), 404);
      expectProblem(await staff.get('/v1/shipping-rates/DE/USD'), 404);
    });

    it('settles concurrent creations of one rate on one row', async () => {
      const staff = as(manager);
      const answers = await Promise.all([100, 200, 300, 400, 500].map((amount) => staff.put('/v1/shipping-rates/FR/EUR', { amount })));
      expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
      expect(answers.every((answer) => answer.status === 201 || answer.status === 200)).toBe(true);
      const rows = await dataSource().query('SELECT COUNT(*) AS n FROM shipping_rates WHERE country = ? AND currency = ?', ['FR', 'EUR']);
      expect(Number(rows[0].n)).toBe(1);
    });

    it.each([
      ['a lower-case country', '/v1/shipping-rates/de/EUR', ['country']],
      ['an unknown country', '/v1/shipping-rates/XX/EUR', ['country']],
      ['a non-country region code', '/v1/shipping-rates/EU/EUR', ['country']],
      ['a three-letter country', '/v1/shipping-rates/DEU/EUR', ['country']],
      ['an unknown currency', '/v1/shipping-rates/DE/XYZ', ['currency']],
      ['a lower-case currency', '/v1/shipping-rates/DE/eur', ['currency']],
      ['both wrong', '/v1/shipping-rates/ZZ/EURO', ['country', 'currency']],
    ])('answers 400 to %s', async (_, path, fields) => {
      for (const response of [await as(manager).put(path, { amount: 1 }), await as(manager).get(path), await as(manager).delete(path)]) {
        expectProblem(response, 400);
        expect(invalidFields(response)).toEqual(fields);
      }
    });

    it.each([
      ['negative', { amount: -1 }],
      ['fractional', { amount: 1.5 }],
      ['a string', { amount: '100' }],
      ['too large', { amount: 2 ** 31 }],
      ['missing', {}],
    ])('answers 400 to an amount that is %s', async (_, body) => {
      const response = await as(manager).put('/v1/shipping-rates/NL/EUR', body);
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['amount']);
    });

    it('answers 400 to unknown fields', async () => {
      const response = await as(manager).put('/v1/shipping-rates/NL/EUR', { amount: 1, currency: 'EUR' });
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['currency']);
    });
  });

  describe('tax rates', () => {
    it('creates, replaces, reads, lists and deletes a rate', async () => {
      const staff = as(manager);
      const created = await staff.put('/v1/tax-rates/DE', { rateBps: 1900 });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('/v1/tax-rates/DE');
      expect(created.body).toEqual({ country: 'DE', rateBps: 1900 });
      expect((await staff.put('/v1/tax-rates/DE', { rateBps: 700 })).status).toBe(200);
      expect((await staff.put('/v1/tax-rates/US', { rateBps: 0 })).status).toBe(201);
      expect((await staff.put('/v1/tax-rates/AT', { rateBps: 10_000 })).status).toBe(201);
      expect((await staff.get('/v1/tax-rates/DE')).body).toEqual({ country: 'DE', rateBps: 700 });
      const first = await staff.get('/v1/tax-rates?limit=2');
      expect(first.body.data).toEqual([{ country: 'AT', rateBps: 10_000 }, { country: 'DE', rateBps: 700 }]);
      const second = await staff.get(`/v1/tax-rates?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ data: [{ country: 'US', rateBps: 0 }], nextCursor: null });
      expect((await staff.delete('/v1/tax-rates/AT')).status).toBe(204);
      expectProblem(await staff.delete('/v1/tax-rates/AT'), 404);
      expectProblem(await staff.get('/v1/tax-rates/AT'), 404);
    });

    it.each([
      ['above 10000', { rateBps: 10_001 }],
      ['negative', { rateBps: -1 }],
      ['fractional', { rateBps: 19.5 }],
      ['missing', {}],
    ])('answers 400 to a rate that is %s', async (_, body) => {
      const response = await as(manager).put('/v1/tax-rates/NL', body);
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['rateBps']);
    });

    it('answers 400 to an unknown or lower-case country', async () => {
      for (const country of ['nl', 'UK', 'X1', 'N']) {
        const response = await as(manager).put(`/v1/tax-rates/${country}`, { rateBps: 100 });
        expectProblem(response, 400);
        expect(invalidFields(response)).toEqual(['country']);
      }
    });

    it('answers 400 to a malformed cursor', async () => {
      expectProblem(await as(manager).get('/v1/tax-rates?cursor=bm90LWEtY3Vyc29y'), 400);
      expectProblem(await as(manager).get('/v1/shipping-rates?cursor=e30'), 400);
    });
  });

  describe('quotes', () => {
    const quote = (input: QuoteInput, pricesIncludeTax = false) => {
      const service = pricesIncludeTax
        ? new PricingService(t.get(TransactionService), { ...t.config, checkout: { ...t.config.checkout, pricesIncludeTax: true } })
        : t.get(PricingService);
      return t.get(TransactionService).run((em) => service.quote(em, input));
    };

    beforeAll(async () => {
      const staff = as(manager);
      await staff.put('/v1/shipping-rates/BE/EUR', { amount: 500 });
      await staff.put('/v1/tax-rates/BE', { rateBps: 2100 });
      await staff.put('/v1/shipping-rates/CH/EUR', { amount: 900 });
      await staff.put('/v1/tax-rates/GR', { rateBps: 2400 });
    });

    it('adds tax on top of net prices, shipping included, rounding half up', async () => {
      const lines = [{ unitPriceAmount: 1999, quantity: 3 }, { unitPriceAmount: 250, quantity: 1 }];
      // subtotal 6247 + shipping 500 = 6747; 21 % = 1416.87 -> 1417
      expect(await quote({ country: 'BE', currency: 'EUR', lines })).toEqual({
        subtotalAmount: 6247,
        shippingAmount: 500,
        taxAmount: 1417,
        totalAmount: 8164,
        taxRateBps: 2100,
        pricesIncludeTax: false,
      });
    });

    it('extracts the tax from gross prices when PRICES_INCLUDE_TAX is on', async () => {
      const lines = [{ unitPriceAmount: 1999, quantity: 3 }, { unitPriceAmount: 250, quantity: 1 }];
      // total 6747; net = 6747 / 1.21 = 5576.03 -> 5576; tax 1171
      expect(await quote({ country: 'BE', currency: 'EUR', lines }, true)).toEqual({
        subtotalAmount: 6247,
        shippingAmount: 500,
        taxAmount: 1171,
        totalAmount: 6747,
        taxRateBps: 2100,
        pricesIncludeTax: true,
      });
    });

    it('refuses (422) a country without a shipping rate in the currency, or without a tax rate', async () => {
      const lines = [{ unitPriceAmount: 100, quantity: 1 }];
      await expect(quote({ country: 'BE', currency: 'USD', lines })).rejects.toThrow(RuleViolationError);
      await expect(quote({ country: 'BE', currency: 'USD', lines })).rejects.toThrow(/no shipping rate for BE in USD/);
      await expect(quote({ country: 'GR', currency: 'EUR', lines })).rejects.toThrow(/no shipping rate for GR in EUR/);
      await expect(quote({ country: 'CH', currency: 'EUR', lines })).rejects.toThrow(/no tax rate for CH/);
    });
  });

  describe('demo rates', () => {
    it('are seeded at start-up only when SEED_DEMO_DATA is on and both tables are empty', async () => {
      const tx = t.get(TransactionService);
      const bootstrap = (seedDemoData: boolean) => new DemoPricingBootstrap(tx, { ...t.config, seedDemoData });
      // This app runs with SEED_DEMO_DATA=false and already has rates from the tests above.
      expect(await bootstrap(true).seed()).toBe(false);
      await dataSource().query('DELETE FROM shipping_rates');
      await dataSource().query('DELETE FROM tax_rates');
      await bootstrap(false).onApplicationBootstrap();
      expect((await as(manager).get('/v1/tax-rates')).body.data).toEqual([]);
      await bootstrap(true).onApplicationBootstrap();
      const shipping = await as(manager).get('/v1/shipping-rates?limit=100');
      expect(shipping.body.data).toHaveLength(DEMO_SHIPPING_RATES.length);
      expect(shipping.body.data).toContainEqual({ country: 'DE', currency: 'EUR', amount: 495 });
      const tax = await as(manager).get('/v1/tax-rates?limit=100');
      expect(tax.body.data).toHaveLength(DEMO_TAX_RATES.length);
      for (const country of ['US', 'GB', 'DE', 'FR', 'NL', 'CA']) {
        expect(tax.body.data.map((rate: { country: string }) => rate.country)).toContain(country);
        expect(shipping.body.data).toContainEqual(expect.objectContaining({ country, currency: 'EUR' }));
      }
      expect(await bootstrap(true).seed()).toBe(false);
    });
  });
});
