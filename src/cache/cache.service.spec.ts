import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisKeys, skipRedisTests, TEST_REDIS_URL, uniqueRedisPrefix } from '../../test/support/redis';
import { loadConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { CacheGenerations } from './cache-generations';
import { CacheService } from './cache.service';

const prefix = uniqueRedisPrefix();
const connections: RedisService[] = [];

/** The database's cache generation, counted here (test/faults.e2e-spec.ts runs the real one across instances). */
function countedGenerations(): CacheGenerations {
  let generation = 0;
  return {
    current: () => Promise.resolve(generation),
    bump: () => Promise.resolve(void generation++),
  } as Partial<CacheGenerations> as CacheGenerations;
}

/** A CacheService on a connection of its own, connected as at an app's start-up. */
async function cacheService(kind: 'memory' | 'redis', env: Record<string, string> = {}): Promise<CacheService> {
  const config = loadConfig({ NODE_ENV: 'test', REDIS_KEY_PREFIX: prefix, ...(kind === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}), ...env });
  const redis = new RedisService(config);
  connections.push(redis);
  const cache = new CacheService(config, redis, countedGenerations());
  await redis.onModuleInit();
  return cache;
}

beforeAll(() => Logger.overrideLogger(false));
afterEach(async () => {
  await Promise.all(connections.splice(0).map((redis) => redis.onApplicationShutdown()));
});
afterAll(async () => {
  if (!skipRedisTests) await deleteRedisKeys(prefix);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  { kind: 'memory' as const, skip: false },
  { kind: 'redis' as const, skip: skipRedisTests },
])('CacheService ($kind)', ({ kind, skip }) => {
  it.skipIf(skip)('misses, stores, hits, and returns copies of JSON values', async () => {
    const cache = await cacheService(kind);
    expect(cache.shared).toBe(kind === 'redis');
    const miss = await cache.get('product:1', ['products']);
    expect(miss).toMatchObject({ hit: false, value: undefined });
    await cache.set(miss.stamp, { name: 'Mug', price: 1200 });
    const hit = await cache.get<{ name: string }>('product:1', ['products']);
    expect(hit).toMatchObject({ hit: true, value: { name: 'Mug', price: 1200 } });
    hit.value!.name = 'changed by a caller';
    expect((await cache.get('product:1', ['products'])).value).toEqual({ name: 'Mug', price: 1200 });
  });

  it.skipIf(skip)('invalidating a tag ends the entries carrying it, and only those', async () => {
    const cache = await cacheService(kind);
    const load = (value: string) => () => Promise.resolve(value);
    await cache.wrap('list', ['products'], load('list v1'));
    await cache.wrap('one', ['products', 'product:1'], load('one v1'));
    await cache.wrap('two', ['products', 'product:2'], load('two v1'));
    await cache.wrap('other', ['categories'], load('other v1'));

    await cache.invalidate(['product:1']);
    expect(await cache.wrap('one', ['products', 'product:1'], load('one v2'))).toBe('one v2');
    expect(await cache.wrap('two', ['products', 'product:2'], load('two v2'))).toBe('two v1');
    expect(await cache.wrap('list', ['products'], load('list v2'))).toBe('list v1');

    await cache.invalidate(['products']);
    expect(await cache.wrap('list', ['products'], load('list v3'))).toBe('list v3');
    expect(await cache.wrap('two', ['product:2', 'products'], load('two v3'))).toBe('two v3');
    expect(await cache.wrap('other', ['categories'], load('other v3'))).toBe('other v1');
  });

  it.skipIf(skip)('never keeps a value loaded before an invalidation that finished before it was stored', async () => {
    const cache = await cacheService(kind);
    // A reader looks up and loads the old value; a writer changes it and invalidates; then the reader stores.
    const reader = await cache.get('product:7', ['product:7']);
    const oldValue = 'price 100';
    await cache.invalidate(['product:7']);
    await cache.set(reader.stamp, oldValue);
    expect((await cache.get('product:7', ['product:7'])).hit).toBe(false);
  });

  it.skipIf(skip)('expires entries after their TTL', async () => {
    const cache = await cacheService(kind, { CACHE_TTL_SECONDS: '1' });
    await cache.wrap('short', [], () => Promise.resolve('x'));
    expect((await cache.get('short')).hit).toBe(true);
    await sleep(1100);
    expect((await cache.get('short')).hit).toBe(false);
  });
});

describe('CacheService in memory', () => {
  it('is bounded by CACHE_MAX_ENTRIES, evicting the least recently used entry', async () => {
    const cache = await cacheService('memory', { CACHE_MAX_ENTRIES: '2' });
    for (const key of ['a', 'b']) await cache.wrap(key, [], () => Promise.resolve(key));
    expect((await cache.get('a')).hit).toBe(true); // a is now more recent than b
    await cache.wrap('c', [], () => Promise.resolve('c'));
    expect((await cache.get('b')).hit).toBe(false);
    expect((await cache.get('a')).hit).toBe(true);
    expect((await cache.get('c')).hit).toBe(true);
  });
});

describe.skipIf(skipRedisTests)('CacheService shared through Redis by two processes', () => {
  it('a read through B after a write and invalidation through A never sees the old value', async () => {
    const a = await cacheService('redis');
    const b = await cacheService('redis');
    let price = 100;
    const load = () => Promise.resolve({ price });

    expect(await a.wrap('product:9', ['product:9'], load)).toEqual({ price: 100 });
    expect(await b.get('product:9', ['product:9'])).toMatchObject({ hit: true, value: { price: 100 } });

    for (let round = 0; round < 50; round++) {
      price += 1; // the write...
      await a.invalidate(['product:9']); // ...invalidates through A before it returns
      const seen = await b.wrap('product:9', ['product:9'], load);
      expect(seen).toEqual({ price });
      expect(await a.wrap('product:9', ['product:9'], () => Promise.resolve({ price: -1 }))).toEqual({ price });
    }
  });

  it('a slow reader on B that loaded the old value cannot store it over A’s invalidation', async () => {
    const a = await cacheService('redis');
    const b = await cacheService('redis');
    const lookup = await b.get('product:10', ['product:10']);
    await a.invalidate(['product:10']);
    await b.set(lookup.stamp, { price: 'old' });
    expect((await a.get('product:10', ['product:10'])).hit).toBe(false);
    expect((await b.get('product:10', ['product:10'])).hit).toBe(false);
  });

  it('keeps entries in memory under the database generation while Redis is unreachable, ends them on a recorded change, and defers the invalidation instead of failing the write', async () => {
    const cache = await cacheService('redis', { REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '200' });
    expect(await cache.wrap('k', ['t'], () => Promise.resolve('loaded'))).toBe('loaded');
    expect(await cache.wrap('k', ['t'], () => Promise.resolve('loaded again'))).toBe('loaded');
    await cache.recordChange({} as EntityManager);
    await expect(cache.invalidate(['t'])).resolves.toBeUndefined();
    expect(await cache.wrap('k', ['t'], () => Promise.resolve('loaded after the change'))).toBe('loaded after the change');
  });

  it('serves nothing from memory during an outage when the database generation cannot be read', async () => {
    const config = loadConfig({ NODE_ENV: 'test', REDIS_KEY_PREFIX: prefix, REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '200' });
    const redis = new RedisService(config);
    connections.push(redis);
    const unreadable = { current: () => Promise.reject(new Error('database down')) } as Partial<CacheGenerations> as CacheGenerations;
    const cache = new CacheService(config, redis, unreadable);
    await redis.onModuleInit();
    expect(await cache.wrap('k', [], () => Promise.resolve('loaded'))).toBe('loaded');
    expect(await cache.wrap('k', [], () => Promise.resolve('loaded again'))).toBe('loaded again');
  });
});
