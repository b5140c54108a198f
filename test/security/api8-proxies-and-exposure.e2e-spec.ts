/**
 * OWASP API8:2023 Security Misconfiguration (proxies and exposure): X-Forwarded-For is believed
 * only from the proxies TRUST_PROXY names (a client-written one changes nothing), a production
 * server refuses to start with the test payment provider, and readiness tells anonymous callers
 * nothing about the dependencies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/app-config';
import { startTestApp, TestApp, TestEnv } from '../support/test-app';

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
