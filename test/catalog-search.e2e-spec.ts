import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { signUp, SignedInUser } from './support/factories';
import { expectProblem } from './support/problem';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

describe('catalog search, sorts and attribute filters', () => {
  let t: TestApp;
  let manager: SignedInUser;
  const ids: Record<string, string> = {};

  const create = async (key: string, body: { name: string; description?: string; attributes?: Record<string, string>; prices: number[] }) => {
    const response = await t.request('POST', '/v1/products', {
      token: manager.accessToken,
      body: {
        slug: unique(key),
        name: body.name,
        description: body.description,
        attributes: body.attributes,
        status: 'active',
        variants: body.prices.map((priceAmount) => ({ sku: unique(key).toUpperCase(), priceAmount, currency: 'EUR' })),
      },
    });
    expect(response.status).toBe(201);
    ids[key] = response.body.id;
  };
  const list = async (query: string): Promise<string[]> => {
    const response = await t.request('GET', `/v1/products${query}`);
    expect(response.status).toBe(200);
    return response.body.data.map((p: { id: string }) => p.id);
  };
  /** Every page of a listing, following the Link header. */
  const allPages = async (first: string): Promise<string[]> => {
    const seen: string[] = [];
    let path: string | null = `/v1/products${first}`;
    while (path) {
      const page: ApiResponse = await t.request('GET', path);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((p: { id: string }) => p.id));
      path = page.headers.get('link')?.match(/^<([^>]+)>/)?.[1] ?? null;
    }
    return seen;
  };

  beforeAll(async () => {
    t = await startTestApp();
    manager = await signUp(t, [Role.Manager]);
    await create('twice', { name: 'Quokkafleece jacket', description: 'A warm quokkafleece layer for cold mornings.', attributes: { colour: 'red', fit: 'slim' }, prices: [5000, 3000] });
    await create('once', { name: 'Rain jacket', description: 'Lined with quokkafleece.', attributes: { colour: 'blue' }, prices: [2000] });
    await create('none', { name: 'Linen shirt', description: 'Light and airy.', attributes: { colour: 'red', fit: 'regular' }, prices: [4000] });
    await create('other', { name: 'Wool socks', description: 'Warm feet all winter.', attributes: { 'colour%': 'red_' }, prices: [1000, 9000] });
    await create('hat', { name: 'Sun hat', description: null as unknown as string, prices: [2500] });
  });
  afterAll(() => t.close());

  it('finds products by words in name or description, best match first', async () => {
    expect(await list('?q=quokkafleece')).toEqual([ids.twice, ids.once]);
    expect(await list('?q=QUOKKAFLEECE%20socks&sort=relevance')).toEqual(expect.arrayContaining([ids.twice, ids.once, ids.other]));
    expect(await list('?q=quokkafleece&sort=name')).toEqual([ids.twice, ids.once]);
    expect(await list('?q=nosuchwordanywhere')).toEqual([]);
  });

  it('keeps the index in step with edits of name and description', async () => {
    await create('edited', { name: 'Wombatwool scarf', description: 'Soft.', prices: [1500] });
    expect(await list('?q=wombatwool')).toEqual([ids.edited]);
    const current = await t.request('GET', `/v1/products/${ids.edited}`, { token: manager.accessToken });
    const changed = await t.request('PATCH', `/v1/products/${ids.edited}`, {
      token: manager.accessToken,
      body: { name: 'Platypusweave scarf', description: null },
      headers: { 'if-match': current.headers.get('etag')! },
    });
    expect(changed.status).toBe(200);
    expect(await list('?q=wombatwool')).toEqual([]);
    expect(await list('?q=platypusweave')).toEqual([ids.edited]);
    expect((await t.request('POST', `/v1/products/${ids.edited}/archive`, { token: manager.accessToken })).status).toBe(200);
    expect(await list('?q=platypusweave')).toEqual([]);
  });

  it('pages through search results by relevance without duplicates', async () => {
    expect(await allPages('?q=quokkafleece%20warm%20jacket&limit=1')).toHaveLength(new Set(await list('?q=quokkafleece%20warm%20jacket&limit=100')).size);
  });

  it('treats SQL and FTS syntax in q as plain text', async () => {
    for (const q of ["'; DROP TABLE products;--", '"unbalanced', 'NEAR(', '*', '+-~<>()', 'quokkafleece" OR "x', 'a AND OR NOT', '\\', '%_']) {
      const response = await t.request('GET', `/v1/products?q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBe(200);
    }
    expect(await list(`?q=${encodeURIComponent('"quokkafleece*')}`)).toEqual([ids.twice, ids.once]);
    expect((await list('?limit=100')).length).toBeGreaterThanOrEqual(5);
  });

  it('rejects a too long q, relevance without q, an unknown sort or filter (listing the allowed ones) and a cursor of another sort or search', async () => {
    expectProblem(await t.request('GET', `/v1/products?q=${'a'.repeat(10_000)}`), 400);
    expectProblem(await t.request('GET', `/v1/products?q=${'a'.repeat(201)}`), 400);
    expectProblem(await t.request('GET', '/v1/products?q='), 400);
    expect((await t.request('GET', `/v1/products?q=${'a'.repeat(200)}`)).status).toBe(200);
    expectProblem(await t.request('GET', '/v1/products?sort=relevance'), 400);
    const unknown = await t.request('GET', '/v1/products?sort=popular');
    expectProblem(unknown, 400);
    expect(unknown.body.errors[0].message).toMatch(/newest, name, price, price_desc, relevance/);
    const unknownFilter = await t.request('GET', '/v1/products?q=jacket&foo=1&sort=name');
    expectProblem(unknownFilter, 400);
    expect(unknownFilter.body.errors).toEqual([{ field: 'foo', message: expect.stringMatching(/^unknown query parameter foo; allowed: attribute, categoryId, cursor, limit, maxPrice, minPrice, q, sort, status$/) }]);

    const byPrice = await t.request('GET', '/v1/products?sort=price&limit=1');
    const cursor = byPrice.body.nextCursor as string;
    expectProblem(await t.request('GET', `/v1/products?sort=name&cursor=${cursor}`), 400);
    const searched = await t.request('GET', '/v1/products?q=jacket&limit=1');
    expectProblem(await t.request('GET', `/v1/products?q=shirt&cursor=${searched.body.nextCursor}`), 400);
    expect((await t.request('GET', `/v1/products?q=jacket&cursor=${searched.body.nextCursor}`)).status).toBe(200);
  });

  it('sorts by the lowest variant price, both ways, across pages', async () => {
    const ascending = await allPages('?sort=price&limit=2');
    expect(ascending).toEqual([ids.other, ids.once, ids.hat, ids.twice, ids.none]);
    expect(await allPages('?sort=price_desc&limit=2')).toEqual([ids.none, ids.twice, ids.hat, ids.once, ids.other]);
  });

  it('filters by attributes, every filter must match, wildcards are literal', async () => {
    expect(await list('?attribute=colour:red&sort=name')).toEqual([ids.none, ids.twice]);
    expect(await list('?attribute=colour:red&attribute=fit:slim')).toEqual([ids.twice]);
    expect(await list('?attribute=colour:re')).toEqual([]);
    expect(await list(`?attribute=${encodeURIComponent('colour%:red_')}`)).toEqual([ids.other]);
    expect(await list('?attribute=colour:red&q=jacket')).toEqual([ids.twice]);
    expectProblem(await t.request('GET', '/v1/products?attribute=nocolon'), 400);
    expectProblem(await t.request('GET', `/v1/products?${Array.from({ length: 11 }, (_, i) => `attribute=a${i}:b`).join('&')}`), 400);
  });
});
