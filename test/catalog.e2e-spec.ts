import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { invalidFields, signUp, SignedInUser } from './support/factories';
import { expectProblem } from './support/problem';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

const variant = (overrides: Record<string, unknown> = {}) => ({
  sku: unique('SKU').toUpperCase(),
  options: { size: 'M' },
  priceAmount: 1999,
  currency: 'EUR',
  ...overrides,
});

describe('catalog', () => {
  let t: TestApp;
  let manager: SignedInUser;
  let customer: SignedInUser;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await signUp(t, [Role.Manager]);
    customer = await signUp(t);
  });
  afterAll(() => t.close());

  const createCategory = async (body: Record<string, unknown>) => {
    const response = await t.request('POST', '/v1/categories', { token: manager.accessToken, body });
    expect(response.status).toBe(201);
    return response.body as { id: string; path: string; parentId: string | null };
  };
  const createProduct = async (body: Record<string, unknown> = {}) => {
    const response = await t.request('POST', '/v1/products', {
      token: manager.accessToken,
      body: { slug: unique('product'), name: 'Classic T-shirt', variants: [variant()], ...body },
    });
    expect(response.status).toBe(201);
    return { product: response.body, etag: response.headers.get('etag')! };
  };

  describe('access', () => {
    it('answers 401 to anonymous callers and 403 to customers on staff endpoints', async () => {
      expectProblem(await t.request('POST', '/v1/categories', { body: { name: 'X', slug: 'x' } }), 401);
      expectProblem(await t.request('POST', '/v1/products', { body: {} }), 401);
      const denied = await t.request('POST', '/v1/categories', { token: customer.accessToken, body: { name: 'X', slug: 'x' } });
      expectProblem(denied, 403);
      expect(denied.body.detail).toMatch(/catalog:write/);
      expectProblem(await t.request('POST', '/v1/products', { token: customer.accessToken, body: { slug: 'x', name: 'x', variants: [variant()] } }), 403);
    });

    it('verifies a token sent to a public route: a bad one is 401, none is anonymous', async () => {
      expectProblem(await t.request('GET', '/v1/products', { token: 'not-a-jwt' }), 401);
      expect((await t.request('GET', '/v1/products')).status).toBe(200);
      expect((await t.request('GET', '/v1/products', { token: customer.accessToken })).status).toBe(200);
    });
  });

  describe('categories', () => {
    it('creates a category with Location and ETag, reads it with 304, and lists the tree depth first', async () => {
      const created = await t.request('POST', '/v1/categories', { token: manager.accessToken, body: { name: 'Clothing', slug: unique('clothing') } });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/v1/categories/${created.body.id}`);
      expect(created.body).toMatchObject({ parentId: null, depth: 0, position: 0, path: `/${created.body.id}/` });
      const child = await createCategory({ name: 'Shirts', slug: unique('shirts'), parentId: created.body.id, position: 2 });
      expect(child.path).toBe(`/${created.body.id}/${child.id}/`);

      const read = await t.request('GET', `/v1/categories/${child.id}`);
      expect(read.status).toBe(200);
      const etag = read.headers.get('etag')!;
      expect((await t.request('GET', `/v1/categories/${child.id}`, { headers: { 'if-none-match': etag } })).status).toBe(304);

      const list = await t.request('GET', '/v1/categories?limit=100');
      const ids = list.body.data.map((c: { id: string }) => c.id);
      expect(ids.indexOf(created.body.id)).toBe(ids.indexOf(child.id) - 1);
    });

    it('pages through categories with a cursor', async () => {
      await createCategory({ name: 'A', slug: unique('a') });
      await createCategory({ name: 'B', slug: unique('b') });
      const first = await t.request('GET', '/v1/categories?limit=1');
      expect(first.body.data).toHaveLength(1);
      const second = await t.request('GET', `/v1/categories?limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    });

    it('rejects a duplicate slug (409), an unknown parent (404) and a blank name (400)', async () => {
      const slug = unique('dup');
      await createCategory({ name: 'Dup', slug });
      expectProblem(await t.request('POST', '/v1/categories', { token: manager.accessToken, body: { name: 'Dup 2', slug } }), 409);
      expectProblem(
        await t.request('POST', '/v1/categories', { token: manager.accessToken, body: { name: 'X', slug: unique('x'), parentId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' } }),
        404,
      );
      const invalid = await t.request('POST', '/v1/categories', { token: manager.accessToken, body: { name: ' ', slug: 'Not A Slug' } });
      expectProblem(invalid, 400);
      expect(invalidFields(invalid)).toEqual(['name', 'slug']);
    });

    it('requires If-Match to update (428), rejects a stale one (412), and moves a whole subtree', async () => {
      const root = await createCategory({ name: 'Root', slug: unique('root') });
      const mid = await createCategory({ name: 'Mid', slug: unique('mid'), parentId: root.id });
      const leaf = await createCategory({ name: 'Leaf', slug: unique('leaf'), parentId: mid.id });
      const other = await createCategory({ name: 'Other', slug: unique('other') });

      const missing = await t.request('PATCH', `/v1/categories/${mid.id}`, { token: manager.accessToken, body: { name: 'Middle' } });
      expectProblem(missing, 428);
      expect(missing.body.type).toBe('urn:emporium:problem:precondition-required');
      expectProblem(await t.request('PATCH', `/v1/categories/${mid.id}`, { token: manager.accessToken, body: { name: 'Middle' }, headers: { 'if-match': '"7"' } }), 412);

      const moved = await t.request('PATCH', `/v1/categories/${mid.id}`, { token: manager.accessToken, body: { parentId: other.id }, headers: { 'if-match': '"1"' } });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ parentId: other.id, path: `/${other.id}/${mid.id}/`, depth: 1 });
      expect(moved.headers.get('etag')).toBe('"2"');
      const movedLeaf = await t.request('GET', `/v1/categories/${leaf.id}`);
      expect(movedLeaf.body.path).toBe(`/${other.id}/${mid.id}/${leaf.id}/`);

      const toRoot = await t.request('PATCH', `/v1/categories/${mid.id}`, { token: manager.accessToken, body: { parentId: null }, headers: { 'if-match': '"2"' } });
      expect(toRoot.body).toMatchObject({ parentId: null, path: `/${mid.id}/`, depth: 0 });
      expect((await t.request('GET', `/v1/categories/${leaf.id}`)).body.path).toBe(`/${mid.id}/${leaf.id}/`);
    });

    it('refuses to make a category its own ancestor (422)', async () => {
      const top = await createCategory({ name: 'Top', slug: unique('top') });
      const below = await createCategory({ name: 'Below', slug: unique('below'), parentId: top.id });
      const patch = (id: string, parentId: string) =>
        t.request('PATCH', `/v1/categories/${id}`, { token: manager.accessToken, body: { parentId }, headers: { 'if-match': '"1"' } });
      expectProblem(await patch(top.id, below.id), 422);
      expectProblem(await patch(top.id, top.id), 422);
    });
  });

  describe('products', () => {
    it('creates a draft with variants; anonymous and customers get 404, staff see it; 304 with If-None-Match', async () => {
      const slug = unique('draft');
      const { product, etag } = await createProduct({ slug, attributes: { material: 'cotton' }, brand: 'Acme' });
      expect(product).toMatchObject({ slug, status: 'draft', brand: 'Acme', attributes: { material: 'cotton' }, categoryIds: [] });
      expect(product.variants).toHaveLength(1);
      expect(etag).toBe('"1"');

      expectProblem(await t.request('GET', `/v1/products/${product.id}`), 404);
      expectProblem(await t.request('GET', `/v1/products/by-slug/${slug}`), 404);
      expectProblem(await t.request('GET', `/v1/products/${product.id}`, { token: customer.accessToken }), 404);
      const staffRead = await t.request('GET', `/v1/products/by-slug/${slug}`, { token: manager.accessToken });
      expect(staffRead.status).toBe(200);
      expect(staffRead.body.id).toBe(product.id);
      expect(staffRead.headers.get('vary')).toMatch(/Authorization/);
      expect((await t.request('GET', `/v1/products/${product.id}`, { token: manager.accessToken, headers: { 'if-none-match': etag } })).status).toBe(304);
    });

    it('publishes, archives and restores a product', async () => {
      const { product } = await createProduct();
      const published = await t.request('PATCH', `/v1/products/${product.id}`, { token: manager.accessToken, body: { status: 'active' }, headers: { 'if-match': '"1"' } });
      expect(published.status).toBe(200);
      expect(published.body.status).toBe('active');
      const anonymous = await t.request('GET', `/v1/products/${product.id}`);
      expect(anonymous.status).toBe(200);
      expect((await t.request('GET', `/v1/products/${product.id}`, { headers: { 'if-none-match': anonymous.headers.get('etag')! } })).status).toBe(304);

      const archived = await t.request('POST', `/v1/products/${product.id}/archive`, { token: manager.accessToken });
      expect(archived.body.status).toBe('archived');
      expectProblem(await t.request('GET', `/v1/products/${product.id}`), 404);
      expectProblem(await t.request('PATCH', `/v1/products/${product.id}`, { token: manager.accessToken, body: { status: 'active' }, headers: { 'if-match': archived.headers.get('etag')! } }), 422);
      expectProblem(await t.request('POST', `/v1/products/${product.id}/restore`, { token: manager.accessToken, headers: { 'if-match': '"1"' } }), 412);
      const restored = await t.request('POST', `/v1/products/${product.id}/restore`, { token: manager.accessToken, headers: { 'if-match': archived.headers.get('etag')! } });
      expect(restored.status).toBe(200);
      expect(restored.body.status).toBe('draft');
      expectProblem(await t.request('POST', `/v1/products/${product.id}/restore`, { token: manager.accessToken }), 422);
    });

    it('rejects duplicate slugs and SKUs (409)', async () => {
      const { product } = await createProduct();
      const again = (body: Record<string, unknown>) =>
        t.request('POST', '/v1/products', { token: manager.accessToken, body: { slug: unique('p'), name: 'P', variants: [variant()], ...body } });
      expectProblem(await again({ slug: product.slug }), 409);
      expectProblem(await again({ variants: [variant({ sku: product.variants[0].sku })] }), 409);
      expectProblem(await t.request('POST', `/v1/products/${product.id}/variants`, { token: manager.accessToken, body: variant({ sku: product.variants[0].sku }) }), 409);
    });

    it('validates prices, currencies, attributes and variants', async () => {
      const attempt = (body: Record<string, unknown>) =>
        t.request('POST', '/v1/products', { token: manager.accessToken, body: { slug: unique('p'), name: 'P', variants: [variant()], ...body } });
      for (const priceAmount of [-1, 9.99, '100']) {
        const response = await attempt({ variants: [variant({ priceAmount })] });
        expectProblem(response, 400);
        expect(invalidFields(response)).toEqual(['variants.0.priceAmount']);
      }
      const currency = await attempt({ variants: [variant({ currency: 'XYZ' })] });
      expectProblem(currency, 400);
      expect(invalidFields(currency)).toEqual(['variants.0.currency']);
      expectProblem(await attempt({ variants: [] }), 400);
      expectProblem(await attempt({ attributes: { ['k'.repeat(51)]: 'v' } }), 400);
      expectProblem(await attempt({ attributes: { colour: 'x'.repeat(201) } }), 400);
      expectProblem(await attempt({ attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }), 400);
      expectProblem(await attempt({ attributes: { count: 3 } }), 400);
      expectProblem(await attempt({ status: 'archived' }), 400);
      expectProblem(await attempt({ categoryIds: ['0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e'] }), 404);
      expectProblem(await attempt({ variants: [variant({ priceAmount: 1000, compareAtAmount: 1000 })] }), 422);
      expectProblem(await attempt({ variants: [variant({ priceAmount: 1000, compareAtAmount: 999 })] }), 422);
      const ok = await attempt({ variants: [variant({ priceAmount: 1000, compareAtAmount: 1500, weightGrams: 200, barcode: '4006381333931' })] });
      expect(ok.status).toBe(201);
      expect(ok.body.variants[0]).toMatchObject({ priceAmount: 1000, compareAtAmount: 1500, weightGrams: 200, barcode: '4006381333931', currency: 'EUR' });
    });

    it('adds and changes variants, bumping the product ETag; variant PATCH needs the product If-Match', async () => {
      const { product, etag } = await createProduct();
      const added = await t.request('POST', `/v1/products/${product.id}/variants`, { token: manager.accessToken, body: variant({ options: { size: 'L' } }), headers: { 'if-match': etag } });
      expect(added.status).toBe(201);
      expect(added.body.variants).toHaveLength(2);
      expect(added.headers.get('etag')).toBe('"2"');
      const variantId = added.body.variants[1].id;
      expect(added.headers.get('location')).toBe(`/v1/products/${product.id}/variants/${variantId}`);

      const path = `/v1/products/${product.id}/variants/${variantId}`;
      expectProblem(await t.request('PATCH', path, { token: manager.accessToken, body: { priceAmount: 2500 } }), 428);
      expectProblem(await t.request('PATCH', path, { token: manager.accessToken, body: { priceAmount: 2500 }, headers: { 'if-match': etag } }), 412);
      expectProblem(await t.request('PATCH', path, { token: manager.accessToken, body: { compareAtAmount: 100 }, headers: { 'if-match': '"2"' } }), 422);
      expectProblem(await t.request('PATCH', path, { token: manager.accessToken, body: { priceAmount: -5 }, headers: { 'if-match': '"2"' } }), 400);
      const changed = await t.request('PATCH', path, { token: manager.accessToken, body: { priceAmount: 2500, compareAtAmount: 3000, currency: 'USD' }, headers: { 'if-match': '"2"' } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe('"3"');
      expect(changed.body.variants[1]).toMatchObject({ priceAmount: 2500, compareAtAmount: 3000, currency: 'USD' });
      expectProblem(await t.request('PATCH', `/v1/products/${product.id}/variants/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e`, { token: manager.accessToken, body: {}, headers: { 'if-match': '"3"' } }), 404);
    });

    it('requires If-Match on PATCH (428), rejects stale ones (412), and updates fields', async () => {
      const { product } = await createProduct();
      const path = `/v1/products/${product.id}`;
      expectProblem(await t.request('PATCH', path, { token: manager.accessToken, body: { name: 'New' } }), 428);
      expectProblem(await t.request('PATCH', path, { token: manager.accessToken, body: { name: 'New' }, headers: { 'if-match': '"9"' } }), 412);
      const category = await createCategory({ name: 'C', slug: unique('c') });
      const updated = await t.request('PATCH', path, {
        token: manager.accessToken,
        body: { name: 'New name', description: 'Long text', brand: null, attributes: { fit: 'slim' }, categoryIds: [category.id], slug: unique('renamed') },
        headers: { 'if-match': '"1"' },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ name: 'New name', description: 'Long text', brand: null, attributes: { fit: 'slim' }, categoryIds: [category.id] });
      expectProblem(await t.request('PATCH', path, { token: manager.accessToken, body: { name: null }, headers: { 'if-match': '"2"' } }), 400);
    });

    it('lets exactly one of several parallel PATCHes with the same If-Match win', async () => {
      const { product } = await createProduct();
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          t.request('PATCH', `/v1/products/${product.id}`, { token: manager.accessToken, body: { name: `Name ${i}` }, headers: { 'if-match': '"1"' } }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    });
  });

  describe('listing products', () => {
    let tree: { root: string; child: string; grandchild: string; elsewhere: string };
    let inGrandchild: string;
    let inRoot: string;
    let inElsewhere: string;
    let draftInRoot: string;

    const activate = async (product: { id: string }) => {
      const response = await t.request('PATCH', `/v1/products/${product.id}`, { token: manager.accessToken, body: { status: 'active' }, headers: { 'if-match': '"1"' } });
      expect(response.status).toBe(200);
      return response.body.id as string;
    };

    beforeAll(async () => {
      const root = await createCategory({ name: 'L-root', slug: unique('lroot') });
      const child = await createCategory({ name: 'L-child', slug: unique('lchild'), parentId: root.id });
      const grandchild = await createCategory({ name: 'L-grandchild', slug: unique('lgrand'), parentId: child.id });
      const elsewhere = await createCategory({ name: 'L-else', slug: unique('lelse') });
      tree = { root: root.id, child: child.id, grandchild: grandchild.id, elsewhere: elsewhere.id };
      inGrandchild = await activate((await createProduct({ name: 'Zebra socks', categoryIds: [grandchild.id], variants: [variant({ priceAmount: 500 })] })).product);
      inRoot = await activate((await createProduct({ name: 'Alpaca scarf', categoryIds: [root.id], variants: [variant({ priceAmount: 5000 })] })).product);
      inElsewhere = await activate((await createProduct({ name: 'Mango hat', categoryIds: [elsewhere.id], variants: [variant({ priceAmount: 2500 }), variant({ priceAmount: 9000 })] })).product);
      draftInRoot = (await createProduct({ name: 'Beta draft', categoryIds: [root.id] })).product.id;
    });

    const ids = async (query: string, token?: string) => {
      const response = await t.request('GET', `/v1/products${query}`, { token });
      expect(response.status).toBe(200);
      return response.body.data.map((p: { id: string }) => p.id) as string[];
    };

    it('includes the products of descendant categories, newest first, active only for anonymous callers', async () => {
      expect(await ids(`?categoryId=${tree.root}`)).toEqual([inRoot, inGrandchild]);
      expect(await ids(`?categoryId=${tree.child}`)).toEqual([inGrandchild]);
      expect(await ids(`?categoryId=${tree.root}`, customer.accessToken)).toEqual([inRoot, inGrandchild]);
      expect(await ids(`?categoryId=${tree.root}`, manager.accessToken)).toEqual([draftInRoot, inRoot, inGrandchild]);
      expect(await ids(`?categoryId=${tree.root}&status=draft`, manager.accessToken)).toEqual([draftInRoot]);
      expectProblem(await t.request('GET', `/v1/products?categoryId=0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e`), 404);
    });

    it('keeps moved subtrees findable under their new ancestor', async () => {
      const moved = await t.request('PATCH', `/v1/categories/${tree.child}`, { token: manager.accessToken, body: { parentId: tree.elsewhere }, headers: { 'if-match': '"1"' } });
      expect(moved.status).toBe(200);
      expect(await ids(`?categoryId=${tree.elsewhere}`)).toEqual([inElsewhere, inGrandchild]);
      expect(await ids(`?categoryId=${tree.root}`)).toEqual([inRoot]);
    });

    it('filters by price on any variant and sorts by name', async () => {
      const inRange = await ids('?minPrice=2000&maxPrice=6000&limit=100');
      expect(inRange).toEqual(expect.arrayContaining([inRoot, inElsewhere]));
      expect(inRange).not.toContain(inGrandchild);
      expect(await ids('?minPrice=8000&limit=100')).toContain(inElsewhere);
      const byName = await t.request('GET', '/v1/products?sort=name&limit=100');
      const names = byName.body.data.map((p: { name: string }) => p.name);
      expect(names.indexOf('Alpaca scarf')).toBeLessThan(names.indexOf('Mango hat'));
      expect(names.indexOf('Mango hat')).toBeLessThan(names.indexOf('Zebra socks'));
    });

    it('pages with a cursor and the Link header, in both sorts, without duplicates', async () => {
      for (const sort of ['newest', 'name']) {
        const seen: string[] = [];
        let path: string | null = `/v1/products?sort=${sort}&limit=1`;
        while (path) {
          const page: ApiResponse = await t.request('GET', path, { token: manager.accessToken });
          expect(page.status).toBe(200);
          seen.push(...page.body.data.map((p: { id: string }) => p.id));
          path = page.headers.get('link')?.match(/^<([^>]+)>/)?.[1] ?? null;
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(expect.arrayContaining([inRoot, inGrandchild, inElsewhere, draftInRoot]));
      }
    });

    it('rejects bad list queries with 400 and non-active statuses for non-staff with 403', async () => {
      const sort = await t.request('GET', '/v1/products?sort=cheapest');
      expectProblem(sort, 400);
      expect(sort.body.errors[0].message).toMatch(/newest, name, price, price_desc, relevance/);
      expectProblem(await t.request('GET', '/v1/products?limit=100000'), 400);
      expectProblem(await t.request('GET', '/v1/products?cursor=forged'), 400);
      expectProblem(await t.request('GET', `/v1/products?cursor=${Buffer.from(JSON.stringify({ sort: 'newest', id: 'x' })).toString('base64url')}`), 400);
      const colour = await t.request('GET', '/v1/products?colour=red');
      expectProblem(colour, 400);
      expect(colour.body.errors).toEqual([
        { field: 'colour', message: expect.stringMatching(/unknown query parameter colour; allowed: .*\bcategoryId\b/) },
      ]);
      for (const name of ['limit', 'cursor', 'categoryId', 'status', 'minPrice', 'maxPrice', 'q', 'attribute', 'sort']) {
        expect(colour.body.errors[0].message).toContain(name);
      }
      const foreign = await t.request('GET', '/v1/categories?foo=1');
      expectProblem(foreign, 400);
      expect(foreign.body.errors[0]).toEqual({ field: 'foo', message: expect.stringMatching(/^unknown query parameter foo; allowed: cursor, limit$/) });
      expectProblem(await t.request('GET', '/v1/products?minPrice=-1'), 400);
      expectProblem(await t.request('GET', '/v1/categories?cursor=forged'), 400);
      expectProblem(await t.request('GET', '/v1/products?status=draft'), 403);
      expectProblem(await t.request('GET', '/v1/products?status=archived', { token: customer.accessToken }), 403);
      expect((await t.request('GET', '/v1/products?status=active')).status).toBe(200);
    });
  });
});
