import { afterAll, describe, expect, it, vi } from 'vitest';
import { CacheService } from '../src/cache/cache.service';
import { RedisService } from '../src/redis/redis.service';
import { expectProblem } from './support/problem';
import { deleteRedisKeys, skipRedisTests, TEST_REDIS_URL, uniqueRedisPrefix } from './support/redis';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TEST_METRICS_TOKEN, TestApp } from './support/test-app';

// Two app instances sharing one Redis, as behind a load balancer. Each file has its own key prefix.
const prefix = uniqueRedisPrefix();
afterAll(async () => {
  if (!skipRedisTests) await deleteRedisKeys(prefix);
});

describe.skipIf(skipRedisTests)('scaling out with Redis', () => {
  describe('two instances', () => {
    let a: TestApp | undefined;
    let b: TestApp | undefined;
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('share the rate-limit counters: requests split between them hit 429 at the combined limit', async () => {
      const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: `${prefix}throttle-test:`, AUTH_THROTTLE_LIMIT: '4' };
      a = await startTestApp(env);
      b = await startTestApp(env);
      const body = { email: 'nobody@example.com', password: 'wrong-password' };
      const statuses: number[] = [];
      for (const instance of [a, b, a, b, a, b]) {
        statuses.push((await instance.request('POST', '/v1/auth/login', { body })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      const limited = await a.request('POST', '/v1/auth/login', { body });
      expectProblem(limited, 429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('share the cache: an invalidation through one is seen by a read through the other', async () => {
      const cacheA = a!.get(CacheService);
      const cacheB = b!.get(CacheService);
      expect(cacheA.shared && cacheB.shared).toBe(true);
      await cacheA.wrap('greeting', ['greetings'], () => Promise.resolve('hello'));
      expect(await cacheB.wrap('greeting', ['greetings'], () => Promise.resolve('not cached'))).toBe('hello');
      await cacheA.invalidate(['greetings']);
      expect(await cacheB.wrap('greeting', ['greetings'], () => Promise.resolve('hello again'))).toBe('hello again');
    });
  });

  it('readiness reports degraded (still 200) while Redis is unreachable and ok once it is back; requests use local fallbacks at once; shutdown closes the connection', async () => {
    const target = new URL(TEST_REDIS_URL);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.open();
    const viaProxy = new URL(TEST_REDIS_URL);
    viaProxy.port = String(proxy.port);
    const t = await startTestApp({ REDIS_URL: viaProxy.toString(), REDIS_KEY_PREFIX: prefix, HEALTH_DB_TIMEOUT_MS: '500', REDIS_COMMAND_TIMEOUT_MS: '300' });
    const client = t.get(RedisService).client!;
    try {
      const up = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ status: 'ok', details: { redis: { status: 'up' } } });

      await proxy.cut();
      const down = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ status: 'ok', degraded: true, error: { redis: { status: 'down' } }, details: { database: { status: 'up' } } });
      expect((await t.request('GET', '/health/ready')).body).toEqual({ status: 'ok', degraded: true, info: {}, error: {}, details: {} });
      // Rate limits fall back to this process instead of failing the request.
      const login = await t.request('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'wrong-password' } });
      expect(login.status).toBe(401);

      await proxy.open();
      await vi.waitFor(async () => expect((await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN })).body.degraded).toBeUndefined(), { timeout: 15_000, interval: 250 });
    } finally {
      await t.close();
      await proxy.cut();
    }
    expect(client.status).toBe('end');
  });

  it('without REDIS_URL, readiness has no redis check and the cache stays in the process', async () => {
    const t = await startTestApp();
    try {
      const ready = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expect(ready.status).toBe(200);
      expect(ready.body.details).not.toHaveProperty('redis');
      expect(t.get(CacheService).shared).toBe(false);
    } finally {
      await t.close();
    }
  });
});
