import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Role } from '../src/auth/permissions';
import { ProductsService } from '../src/catalog/products.service';
import { signUp, SignedInUser } from './support/factories';
import { deleteRedisKeys, skipRedisTests, TEST_REDIS_URL, uniqueRedisPrefix } from './support/redis';
import { createTestDatabase, startTestApp, TestApp } from './support/test-app';

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;
const METRICS_TOKEN = 'scraper-token-0123456789abcdef';

async function createProduct(t: TestApp, manager: SignedInUser, name: string) {
  const response = await t.request('POST', '/v1/products', {
    token: manager.accessToken,
    body: { slug: unique('cached'), name, status: 'active', variants: [{ sku: unique('SKU').toUpperCase(), priceAmount: 1000, currency: 'EUR' }] },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; slug: string };
}

async function rename(t: TestApp, manager: SignedInUser, id: string, name: string) {
  const current = await t.request('GET', `/v1/products/${id}`, { token: manager.accessToken });
  const changed = await t.request('PATCH', `/v1/products/${id}`, { token: manager.accessToken, body: { name }, headers: { 'if-match': current.headers.get('etag')! } });
  expect(changed.status).toBe(200);
}

/** The value of cache_lookups_total{cache="catalog",result} on /metrics. */
async function lookups(t: TestApp, result: 'hit' | 'miss' | 'bypass'): Promise<number> {
  const text = (await t.request('GET', '/metrics', { token: METRICS_TOKEN })).body as string;
  const line = text.split('\n').find((l) => l.startsWith(`cache_lookups_total{cache="catalog",result="${result}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('catalog read cache, one instance', () => {
  let t: TestApp;
  let manager: SignedInUser;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN });
    manager = await signUp(t, [Role.Manager]);
  });
  afterAll(() => t.close());

  it('answers a repeated anonymous read from the cache, with the same ETag and 304', async () => {
    const product = await createProduct(t, manager, 'Cached cap');
    const spy = vi.spyOn(t.get(ProductsService), 'get');
    const hits = await lookups(t, 'hit');
    const first = await t.request('GET', `/v1/products/${product.id}`);
    const second = await t.request('GET', `/v1/products/${product.id}`);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('vary')).toMatch(/Authorization/);
    expect(spy).toHaveBeenCalledTimes(1); // the second read never reached the service (nor the database)
    const notModified = await t.request('GET', `/v1/products/${product.id}`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(notModified.status).toBe(304);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await lookups(t, 'hit')).toBe(hits + 2);
    spy.mockRestore();
  });

  it('never serves the old value after a write returns: update, archive, restore, variants, categories', async () => {
    const product = await createProduct(t, manager, 'Before');
    const read = async () => (await t.request('GET', `/v1/products/${product.id}`)).body as { name: string; variants: unknown[] };
    const listed = async () => ((await t.request('GET', '/v1/products?limit=100')).body.data as { id: string; name: string }[]).find((p) => p.id === product.id);
    const bySlug = async () => (await t.request('GET', `/v1/products/by-slug/${product.slug}`)).body as { name: string };
    expect((await read()).name).toBe('Before');
    expect((await listed())?.name).toBe('Before');
    expect((await bySlug()).name).toBe('Before');
    const etag = (await t.request('GET', `/v1/products/${product.id}`)).headers.get('etag');

    await rename(t, manager, product.id, 'After');
    const fresh = await t.request('GET', `/v1/products/${product.id}`);
    expect(fresh.body.name).toBe('After');
    expect(fresh.headers.get('etag')).not.toBe(etag);
    expect((await t.request('GET', `/v1/products/${product.id}`, { headers: { 'if-none-match': etag! } })).status).toBe(200);
    expect((await listed())?.name).toBe('After');
    expect((await bySlug()).name).toBe('After');

    const added = await t.request('POST', `/v1/products/${product.id}/variants`, {
      token: manager.accessToken,
      body: { sku: unique('SKU').toUpperCase(), priceAmount: 2000, currency: 'EUR' },
    });
    expect(added.status).toBe(201);
    expect((await read()).variants).toHaveLength(2);

    expect((await t.request('POST', `/v1/products/${product.id}/archive`, { token: manager.accessToken })).status).toBe(200);
    expect((await t.request('GET', `/v1/products/${product.id}`)).status).toBe(404);
    expect(await listed()).toBeUndefined();
    // Staff bypass the cache and see the archived product.
    expect((await t.request('GET', `/v1/products/${product.id}`, { token: manager.accessToken })).body.status).toBe('archived');
    expect((await t.request('POST', `/v1/products/${product.id}/restore`, { token: manager.accessToken })).status).toBe(200);
    expect((await t.request('GET', `/v1/products/${product.id}`)).status).toBe(404); // a draft now

    const categories = await t.request('GET', '/v1/categories?limit=100');
    expect(categories.status).toBe(200);
    const created = await t.request('POST', '/v1/categories', { token: manager.accessToken, body: { name: 'Fresh', slug: unique('fresh') } });
    expect(created.status).toBe(201);
    const after = await t.request('GET', '/v1/categories?limit=100');
    expect(after.body.data.map((c: { id: string }) => c.id)).toContain(created.body.id);
  });

  it('keys on the normalized query and bypasses the cache for callers with a token', async () => {
    await createProduct(t, manager, 'Query order');
    const hits = await lookups(t, 'hit');
    const bypasses = await lookups(t, 'bypass');
    expect((await t.request('GET', '/v1/products?limit=5&sort=name')).status).toBe(200);
    expect((await t.request('GET', '/v1/products?sort=name&limit=5')).status).toBe(200);
    expect(await lookups(t, 'hit')).toBe(hits + 1);
    expect((await t.request('GET', '/v1/products?sort=name&limit=5', { token: manager.accessToken })).status).toBe(200);
    expect(await lookups(t, 'bypass')).toBeGreaterThan(bypasses);
  });

  it('caches reads that take no query parameters by path alone, so junk query strings share one entry', async () => {
    const product = await createProduct(t, manager, 'Junk query');
    expect((await t.request('GET', `/v1/products/${product.id}`)).status).toBe(200);
    const hits = await lookups(t, 'hit');
    for (const junk of ['a=1', 'b=2', 'cache-buster=3']) {
      expect((await t.request('GET', `/v1/products/${product.id}?${junk}`)).status).toBe(200);
    }
    expect(await lookups(t, 'hit')).toBe(hits + 3);
  });
});

describe.skipIf(skipRedisTests)('catalog read cache, two instances sharing Redis', () => {
  const prefix = uniqueRedisPrefix();
  let a: TestApp;
  let b: TestApp;
  let manager: SignedInUser;
  beforeAll(async () => {
    const database = await createTestDatabase();
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, METRICS_TOKEN };
    a = await startTestApp(env, { database });
    b = await startTestApp(env, { database: { env: database.env, drop: () => Promise.resolve() } });
    manager = await signUp(a, [Role.Manager]);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await deleteRedisKeys(prefix);
  });

  it('a read through B right after a write through A sees the new value', async () => {
    const product = await createProduct(a, manager, 'Version 0');
    for (let i = 1; i <= 5; i++) {
      // Warm both caches with the current value (B's second read is a hit).
      await b.request('GET', `/v1/products/${product.id}`);
      await b.request('GET', '/v1/products?limit=100');
      await a.request('GET', `/v1/products/${product.id}`);
      await rename(a, manager, product.id, `Version ${i}`);
      expect((await b.request('GET', `/v1/products/${product.id}`)).body.name).toBe(`Version ${i}`);
      const listed = (await b.request('GET', '/v1/products?limit=100')).body.data as { id: string; name: string }[];
      expect(listed.find((p) => p.id === product.id)?.name).toBe(`Version ${i}`);
    }
    expect(await lookups(b, 'hit')).toBeGreaterThan(0);
    // A filled the entry; B hits it without a load of its own.
    const other = await createProduct(a, manager, 'Shared entry');
    await a.request('GET', `/v1/products/${other.id}`);
    const hits = await lookups(b, 'hit');
    expect((await b.request('GET', `/v1/products/${other.id}`)).body.name).toBe('Shared entry');
    expect(await lookups(b, 'hit')).toBe(hits + 1);
  });
});
