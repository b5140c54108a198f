/**
 * OWASP API8:2023 Security Misconfiguration: every string the API takes is well-formed Unicode
 * before any validator sees it (a lone UTF-16 surrogate in an email was a 500); X-Forwarded-For is
 * believed only from the proxies TRUST_PROXY names, so a client-written one changes nothing; a
 * production server refuses to start with the test payment provider, and readiness tells
 * anonymous callers nothing about the dependencies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/app-config';
import { ADDRESS, Cart, guestCart, newKey, setUpStaff, Staff, stockedProduct } from '../support/commerce';
import { PASSWORD, uniqueEmail } from '../support/factories';
import { expectProblem } from '../support/problem';
import { ApiResponse, startTestApp, TestApp, TestEnv } from '../support/test-app';

const LONE_SURROGATES = [
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', '\udfff'],
  ['a reversed pair', '\udc00\ud800'],
];

/** A 400 validation problem with exactly this one error, which does not echo what it refuses. */
function expectRefused(response: ApiResponse, field: string, message = 'must be well-formed Unicode text'): void {
  expectProblem(response, 400);
  expect(response.body.type).toBe('urn:emporium:problem:validation');
  expect(response.body.errors).toEqual([{ field, message }]);
  // JSON.stringify writes a lone surrogate as a \u escape, and a well-formed pair as itself.
  expect(JSON.stringify(response.body)).not.toMatch(/\\u[dD][89a-fA-F]/);
}

describe('text that is not well-formed Unicode', () => {
  let t: TestApp;
  let staff: Staff;
  let variantId: string;
  beforeAll(async () => {
    t = await startTestApp();
    staff = await setUpStaff(t);
    [{ variantId }] = await stockedProduct(t, staff, 100);
  });
  afterAll(() => t.close());

  const checkout = (cart: Cart, body: Record<string, unknown>) =>
    t.request('POST', '/v1/checkout', { headers: { ...cart.headers, 'idempotency-key': newKey() }, body: { cartId: cart.id, ...body } });

  describe.each(LONE_SURROGATES)('%s in an email', (_, lone) => {
    const email = `ada${lone}@example.com`;

    it('is refused by register', async () => {
      expectRefused(await t.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } }), 'email');
    });

    it('is refused by login', async () => {
      expectRefused(await t.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } }), 'email');
    });

    it('is refused by checkout', async () => {
      const cart = await guestCart(t, [{ variantId, quantity: 1 }]);
      expectRefused(await checkout(cart, { email, shippingAddress: ADDRESS }), 'email');
    });
  });

  it('is refused as a member name, naming the object that holds it', async () => {
    const login = await t.request('POST', '/v1/auth/login', { body: { email: 'ada@example.com', password: PASSWORD, '\ud800': 1 } });
    expectRefused(login, 'body', 'has a member name that is not well-formed Unicode text');

    const cart = await guestCart(t, [{ variantId, quantity: 1 }]);
    const placed = await checkout(cart, { email: 'guest@example.com', shippingAddress: { ...ADDRESS, '\udfff': 'x' } });
    expectRefused(placed, 'shippingAddress', 'has a member name that is not well-formed Unicode text');
  });

  it('is refused deep inside a nested value, naming it by its path', async () => {
    const created = await t.request('POST', '/v1/products', {
      token: staff.accessToken,
      body: {
        slug: 'lone-surrogate-shirt',
        name: 'Shirt',
        variants: [
          { sku: 'LONE-1', priceAmount: 1000, currency: 'EUR', options: { colour: 'red' } },
          { sku: 'LONE-2', priceAmount: 1000, currency: 'EUR', options: { colour: 'blue\udfff' } },
        ],
      },
    });
    expectRefused(created, 'variants.1.options.colour');
    expect((await t.request('GET', '/v1/products/by-slug/lone-surrogate-shirt', { token: staff.accessToken })).status).toBe(404);
  });

  it.each([
    ['a lone surrogate encoded as UTF-8 would be', Buffer.from('{"email":"ada\xed\xa0\x80@example.com","password":"x"}', 'latin1')],
    ['a byte that is never UTF-8', Buffer.from('{"email":"ada\xff@example.com","password":"x"}', 'latin1')],
  ])('refuses a body with %s, instead of reading it as U+FFFD', async (_, bytes) => {
    const response = await t.request('POST', '/v1/auth/login', { rawBody: bytes, headers: { 'content-type': 'application/json' } });
    expectRefused(response, 'body', 'must be UTF-8 encoded text');
  });

  describe('in a query string', () => {
    it.each([
      ['a lone high surrogate', 'q=%ED%A0%80'],
      ['a lone low surrogate', 'q=%ED%BF%BF'],
      ['a byte that is never UTF-8', 'q=%FF'],
      ['an overlong encoding', 'q=%C0%AF'],
      ['a stray percent sign', 'q=100%'],
      ['a broken parameter among good ones', 'limit=5&q=%ED%A0%80&sort=relevance'],
    ])('refuses %s, naming the parameter', async (_, query) => {
      expectRefused(await t.request('GET', `/v1/products?${query}`), 'q', 'must be percent-encoded UTF-8 text');
    });

    it('refuses a parameter name that does not decode, without echoing it', async () => {
      expectRefused(await t.request('GET', '/v1/products?%ED%A0%80=1'), 'query', 'has a parameter name that is not percent-encoded UTF-8 text');
    });

    it('still takes well-formed text, emoji and encoded percent signs included', async () => {
      for (const query of ['q=%F0%9F%98%80', 'q=%25ED%25A0%2580', 'q=caf%C3%A9+cr%C3%A8me']) {
        const response = await t.request('GET', `/v1/products?${query}`);
        expect(response.status, query).toBe(200);
      }
    });
  });

  it.each(['/v1/products/%ED%A0%80', '/v1/products/by-slug/%FF', '/v1/carts/%ED%BF%BF'])(
    'refuses it in a path parameter before routing: %s',
    async (path) => {
      const response = await t.request('GET', path);
      expectProblem(response, 400, path);
      expect(response.body.detail).toBe('The URL is not validly percent-encoded.');
    },
  );

  describe('a well-formed surrogate pair', () => {
    it('is taken in a name, escaped or not', async () => {
      for (const name of ['"Ada \\ud83d\\ude00"', '"Ada 😀"']) {
        const email = uniqueEmail();
        const registered = await t.request('POST', '/v1/auth/register', {
          rawBody: `{"email":"${email}","password":"${PASSWORD}","name":${name}}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(registered.status).toBe(201);
        expect(registered.body.name).toBe('Ada 😀');
      }
    });

    it('is taken in a shipping address, through checkout', async () => {
      const cart = await guestCart(t, [{ variantId, quantity: 1 }]);
      const placed = await checkout(cart, { email: 'guest@example.com', shippingAddress: { ...ADDRESS, fullName: 'Ada 😀 Lovelace' } });
      expect(placed.status).toBe(201);
      expect(placed.body.shippingAddress.fullName).toBe('Ada 😀 Lovelace');
    });
  });
});

const wrongPassword = { email: 'victim@example.com', password: 'wrong-password-0' };
const forged = (i: number) => `10.${i >> 8}.${i & 255}.1`;

async function guessesUntilThrottled(t: TestApp, header: (i: number) => string): Promise<number> {
  for (let i = 0; i < 120; i++) {
    const response = await t.request('POST', '/v1/auth/login', { body: wrongPassword, headers: { 'x-forwarded-for': header(i) } });
    if (response.status === 429) return i;
  }
  return 120;
}

describe('API8 X-Forwarded-For', () => {
  const LIMITS: TestEnv = { AUTH_THROTTLE_LIMIT: '20' };

  it('is ignored without TRUST_PROXY: 120 guesses with forged addresses are throttled after 20', async () => {
    const t = await startTestApp(LIMITS);
    try {
      expect(await guessesUntilThrottled(t, forged)).toBe(20);
    } finally {
      await t.close();
    }
  });

  it.each([
    ['a hop count', '1'],
    ['the proxy\'s address', '127.0.0.1'],
  ])('with %s, only the address the trusted proxy appended counts, whatever the client wrote before it', async (_, trust) => {
    const t = await startTestApp({ ...LIMITS, TRUST_PROXY: trust });
    try {
      expect(await guessesUntilThrottled(t, (i) => `${forged(i)}, 198.51.100.50`)).toBe(20);
      // A different real client behind the same proxy has its own budget.
      const other = await t.request('POST', '/v1/auth/login', { body: wrongPassword, headers: { 'x-forwarded-for': '198.51.100.51' } });
      expect(other.status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('refuses TRUST_PROXY=true at start-up, saying why', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/would take the client address from any X-Forwarded-For a client writes/);
  });
});

describe('API8 production defaults', () => {
  const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'production-secret-that-is-long-enough-0001' };

  it('refuses to start in production with the test payment provider unless explicitly allowed', () => {
    expect(() => loadConfig({ ...PRODUCTION, PAYMENTS_PROVIDERS: 'test' })).toThrow(/test provider marks orders paid without taking money/);
    expect(loadConfig({ ...PRODUCTION }).payments.providers).toEqual([]);
    expect(loadConfig({ ...PRODUCTION, PAYMENTS_PROVIDERS: 'test', PAYMENTS_TEST_PROVIDER_IN_PRODUCTION: 'true' }).payments.providers).toEqual(['test']);
  });

  describe('a production server', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(PRODUCTION);
    });
    afterAll(() => t.close());

    it('answers readiness with the status alone to anonymous callers', async () => {
      const response = await t.request('GET', '/health/ready');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    });
  });
});
