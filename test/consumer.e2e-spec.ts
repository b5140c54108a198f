import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCartLine,
  addVariant,
  changeCartLine,
  checkout,
  createAddress,
  createStockLocation,
  deliverOrder,
  fulfilOrder,
  getCart,
  getOrder,
  getProfile,
  getShippingRate,
  getTaxRate,
  getVariantAvailability,
  getVariantStock,
  listAddresses,
  listMyOrders,
  listOrders,
  listStockMovements,
  openCart,
  type OrderDto,
  payOrder,
  type ProductDto,
  putProfile,
  receiveStock,
  refundOrder,
  removeCartLine,
  setShippingRate,
  setTaxRate,
  shipOrder,
  archiveProduct,
  createCategory,
  createProduct,
  deleteProductImage,
  getCategory,
  getMe,
  getProduct,
  getProductBySlug,
  getProductImageFile,
  listCategories,
  listProductImages,
  listProducts,
  restoreProduct,
  updateProduct,
  updateProductImage,
  updateVariant,
  uploadProductImage,
  getUser,
  listUsers,
  login,
  logout,
  type EmporiumClient,
  type Problem,
  refreshTokens,
  register,
  setUserRoles,
  type UserDto,
} from '../clients/typescript/src/index.js';
import { PASSWORD, uniqueEmail } from './support/factories';
import { apiClient, type ClientUser, signedInAs, signedInCustomer } from './support/client';
import { startTestApp, TEST_METRICS_TOKEN, TestApp } from './support/test-app';

// Consumer-driven tests: the API as a client sees it, through the generated TypeScript client
// (clients/typescript) and nothing else. Every success body is parsed with the zod schema of
// its operation and every problem body with ProblemDto's, so a drift between the server and
// openapi.json fails here. New flows go in a `describe` of their own below `errors`, e.g.
// 'storefront flow' (browse, cart, checkout, pay) and 'staff flow' (products, stock, fulfilment),
// using apiClient/signedInCustomer/signedInAs from test/support/client.ts.

const ADMIN_EMAIL = 'consumer.admin@example.com';
const ADMIN_PASSWORD = 'consumer-admin-password-1';

/** Asserts the problem+json shape every error has, tied to the X-Request-Id header. */
function expectProblem(error: Problem | undefined, response: Response | undefined, status: number): Problem {
  expect(response?.status).toBe(status);
  expect(response?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(error).toMatchObject({ status, type: expect.stringMatching(/^urn:emporium:problem:/), detail: expect.any(String) });
  expect(error?.requestId).toBe(response?.headers.get('x-request-id'));
  return error!;
}

/** Asserts a conditional read's answer to a matching If-None-Match: 304, neither data nor a problem. */
function expectNotModified(result: { notModified: boolean; data: unknown; error?: unknown; response: Response }): void {
  expect(result).toMatchObject({ notModified: true, data: undefined, error: undefined });
  expect(result.response.status).toBe(304);
}

describe('consumer (generated TypeScript client)', () => {
  let t: TestApp;
  const storageDir = mkdtempSync(join(tmpdir(), 'emporium-consumer-'));

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_EMAIL, ADMIN_PASSWORD, STORAGE_LOCAL_DIR: storageDir });
  });
  afterAll(async () => {
    await t?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  describe('account flow', () => {
    const email = uniqueEmail('consumer');
    let me: UserDto;

    it('registers, signs in, reads the profile, refreshes and signs out', async () => {
      const { client, session } = apiClient(t);

      const registered = await register({ client, body: { email, password: PASSWORD, name: 'Ada Consumer' } });
      expect(registered.response.status).toBe(201);
      expect(registered.error).toBeUndefined();
      me = registered.data!;
      expect(me).toMatchObject({ email, name: 'Ada Consumer', roles: ['customer'] });

      const tokens = await session.signIn(email, PASSWORD);
      expect(tokens.tokenType).toBe('Bearer');
      expect(tokens.expiresIn).toBeGreaterThan(0);

      const profile = await getMe({ client });
      expect(profile.error).toBeUndefined();
      expect(profile.data).toEqual(me);

      const rotated = await session.refresh();
      expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
      expect((await getMe({ client, throwOnError: true })).data.id).toBe(me.id);

      await session.signOut();
      expect(session.signedIn).toBe(false);
      const spent = await refreshTokens({ client, body: { refreshToken: rotated.refreshToken } });
      expectProblem(spent.error, spent.response, 401);
    });

    it('works with the plain SDK functions and an explicit bearer token too', async () => {
      const { client } = apiClient(t);
      const { data: pair } = await login({ client, body: { email, password: PASSWORD }, throwOnError: true });
      const { data } = await getMe({ client, auth: pair.accessToken, throwOnError: true });
      expect(data.id).toBe(me.id);
      const refreshed = await refreshTokens({ client, body: { refreshToken: pair.refreshToken }, throwOnError: true });
      const out = await logout({ client, body: { refreshToken: refreshed.data.refreshToken } });
      expect(out.response.status).toBe(204);
    });

    it('refreshes before the access token expires', async () => {
      // A margin longer than the token's lifetime: every call counts as "about to expire".
      const { client, session } = apiClient(t, { session: { refreshMarginSeconds: 24 * 3600 } });
      const first = await session.signIn(email, PASSWORD);
      expect((await getMe({ client })).data?.id).toBe(me.id);
      expect(session.current?.refreshToken).not.toBe(first.refreshToken);
    });

    it('shares one refresh between concurrent calls (a second would be refresh-token reuse)', async () => {
      const { client, session } = apiClient(t, { session: { refreshMarginSeconds: 24 * 3600 } });
      await session.signIn(email, PASSWORD);
      const results = await Promise.all([getMe({ client }), getMe({ client }), listUsers({ client })]);
      expect(results.map((result) => result.response.status)).toEqual([200, 200, 403]);
      expect((await getMe({ client })).data?.id).toBe(me.id);
    });

    it('refreshes once and retries when a call with a token is answered 401', async () => {
      const { client, session } = apiClient(t);
      const pair = await session.signIn(email, PASSWORD);
      session.restore({ ...pair, accessToken: 'revoked-or-garbled-access-token' });

      const { data, error } = await getMe({ client });
      expect(error).toBeUndefined();
      expect(data?.id).toBe(me.id);
      expect(session.current?.refreshToken).not.toBe(pair.refreshToken);
    });
  });

  describe('errors', () => {
    it('400: invalid input lists the fields in errors[]', async () => {
      const { client } = apiClient(t);
      const { data, error, response } = await register({ client, body: { email: 'not-an-email', password: 'short' } });
      expect(data).toBeUndefined();
      const problem = expectProblem(error, response, 400);
      expect(problem.errors?.map((e) => e.field).sort()).toEqual(['email', 'password']);
      expect(problem.errors?.every((e) => e.message.length > 0)).toBe(true);
    });

    it('401: missing, malformed and bad credentials', async () => {
      const { client } = apiClient(t);
      const missing = await getMe({ client });
      expectProblem(missing.error, missing.response, 401);

      const malformed = await getMe({ client, auth: 'not-a-jwt' });
      expectProblem(malformed.error, malformed.response, 401);

      const wrongPassword = await login({ client, body: { email: ADMIN_EMAIL, password: 'wrong-password-123' } });
      expectProblem(wrongPassword.error, wrongPassword.response, 401);
    });

    it('403: a customer may not list users', async () => {
      const customer = await signedInCustomer(t);
      const { error, response } = await listUsers({ client: customer.client });
      expectProblem(error, response, 403);
    });

    it('404: an unknown user', async () => {
      const admin = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const { error, response } = await getUser({ client: admin.client, path: { id: '00000000-0000-4000-8000-000000000000' } });
      expectProblem(error, response, 404);
    });

    it('409: a duplicate category slug', async () => {
      const admin = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const body = { name: 'Twice', slug: 'consumer-twice' };
      await createCategory({ client: admin.client, body, throwOnError: true });
      const again = await createCategory({ client: admin.client, body });
      expectProblem(again.error, again.response, 409);
    });

    it('201 for an email registered twice: registering does not reveal an account', async () => {
      const { client } = apiClient(t);
      const email = uniqueEmail('twice');
      const first = await register({ client, body: { email, password: PASSWORD }, throwOnError: true });
      const again = await register({ client, body: { email, password: PASSWORD }, throwOnError: true });
      expect(again.response.status).toBe(201);
      expect(again.data.id).not.toBe(first.data.id);
    });

    it('412: a stale If-Match; the fresh one succeeds', async () => {
      const admin = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const customer = await signedInCustomer(t);
      const read = await getUser({ client: admin.client, path: { id: customer.id }, throwOnError: true });
      const etag = read.response.headers.get('etag')!;
      expect(etag).toBeTruthy();

      const first = await setUserRoles({
        client: admin.client,
        path: { id: customer.id },
        headers: { 'If-Match': etag },
        body: { roles: ['support'] },
        throwOnError: true,
      });
      expect(first.data.roles).toEqual(['support']);

      const stale = await setUserRoles({ client: admin.client, path: { id: customer.id }, headers: { 'If-Match': etag }, body: { roles: ['manager'] } });
      expectProblem(stale.error, stale.response, 412);
    });

    it('422: the last admin may not demote themself', async () => {
      const admin = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const { data: self } = await getMe({ client: admin.client, throwOnError: true });
      const { error, response } = await setUserRoles({ client: admin.client, path: { id: self.id }, body: { roles: ['customer'] } });
      expectProblem(error, response, 422);
    });

    describe('429', () => {
      let limited: TestApp;
      beforeAll(async () => {
        limited = await startTestApp({ AUTH_THROTTLE_LIMIT: '2' });
      });
      afterAll(() => limited?.close());

      it('too many sign-in attempts, with Retry-After', async () => {
        const { client } = apiClient(limited);
        const body = { email: uniqueEmail('throttled'), password: PASSWORD };
        const statuses: number[] = [];
        let last: Awaited<ReturnType<typeof login<false>>> | undefined;
        for (let attempt = 0; attempt < 3; attempt++) {
          last = await login({ client, body });
          statuses.push(last.response.status);
        }
        expect(statuses).toEqual([401, 401, 429]);
        expectProblem(last!.error, last!.response, 429);
        expect(Number(last!.response.headers.get('retry-after'))).toBeGreaterThan(0);
      });
    });
  });

  describe('catalog browsing', () => {
    it('staff create and publish a product; anonymous shoppers read it by slug and find it in its category', async () => {
      const staff = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const category = await createCategory({ client: staff.client, body: { name: 'Mugs', slug: 'consumer-mugs' }, throwOnError: true });
      const created = await createProduct({
        client: staff.client,
        body: {
          slug: 'consumer-mug',
          name: 'Enamel mug',
          categoryIds: [category.data.id],
          variants: [{ sku: 'MUG-WHITE', priceAmount: 1200, currency: 'EUR', options: { colour: 'white' } }],
        },
        throwOnError: true,
      });
      expect(created.data.status).toBe('draft');

      const shopper = apiClient(t);
      const hidden = await getProductBySlug({ client: shopper.client, path: { slug: 'consumer-mug' } });
      expectProblem(hidden.error, hidden.response, 404);

      await updateProduct({
        client: staff.client,
        path: { id: created.data.id },
        headers: { 'If-Match': created.response.headers.get('etag')! },
        body: { status: 'active' },
        throwOnError: true,
      });
      const read = await getProductBySlug({ client: shopper.client, path: { slug: 'consumer-mug' }, throwOnError: true });
      expect(read.data).toMatchObject({ id: created.data.id, status: 'active', variants: [{ sku: 'MUG-WHITE', priceAmount: 1200 }] });
      const list = await listProducts({ client: shopper.client, query: { categoryId: category.data.id }, throwOnError: true });
      expect(list.data.data.map((product) => product.id)).toEqual([created.data.id]);
      expect(list.data.nextCursor).toBeNull();

      const found = await listProducts({ client: shopper.client, query: { q: 'enamel "mug', attribute: [] }, throwOnError: true });
      expect(found.data.data.map((product) => product.id)).toEqual([created.data.id]);
      const byPrice = await listProducts({ client: shopper.client, query: { q: 'enamel', sort: 'price' }, throwOnError: true });
      expect(byPrice.data.data.map((product) => product.id)).toEqual([created.data.id]);
      const tooLong = await listProducts({ client: shopper.client, query: { q: 'x'.repeat(201) } });
      expectProblem(tooLong.error, tooLong.response, 400);
    });
  });

  describe('conditional reads', () => {
    it('a matching If-None-Match is { notModified: true }, never a problem: getProduct, getProductBySlug, getCategory, getUser', async () => {
      const staff = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const category = await createCategory({ client: staff.client, body: { name: 'Bowls', slug: 'consumer-bowls' }, throwOnError: true });
      const created = await createProduct({
        client: staff.client,
        body: { slug: 'consumer-bowl', name: 'Stoneware bowl', status: 'active', categoryIds: [category.data.id], variants: [{ sku: 'BOWL-1', priceAmount: 1800, currency: 'EUR', options: {} }] },
        throwOnError: true,
      });
      const { client } = apiClient(t);
      const etagOf = (response: Response) => response.headers.get('etag')!;

      const product = await getProduct({ client, path: { id: created.data.id }, throwOnError: true });
      expect(product.notModified).toBe(false);
      expectNotModified(await getProduct({ client, path: { id: created.data.id }, headers: { 'If-None-Match': etagOf(product.response) } }));
      // throwOnError does not throw on a 304; once notModified is ruled out, data is the product.
      const revalidated = await getProduct({ client, path: { id: created.data.id }, headers: { 'If-None-Match': etagOf(product.response) }, throwOnError: true });
      const current = revalidated.notModified ? product.data : revalidated.data;
      expect(current.id).toBe(created.data.id);
      const stale = await getProduct({ client, path: { id: created.data.id }, headers: { 'If-None-Match': '"999999"' }, throwOnError: true });
      expect(stale.notModified).toBe(false);
      expect(stale.data?.slug).toBe('consumer-bowl');

      const bySlug = await getProductBySlug({ client, path: { slug: 'consumer-bowl' }, throwOnError: true });
      expectNotModified(await getProductBySlug({ client, path: { slug: 'consumer-bowl' }, headers: { 'If-None-Match': etagOf(bySlug.response) } }));
      const read = await getCategory({ client, path: { id: category.data.id }, throwOnError: true });
      expectNotModified(await getCategory({ client, path: { id: category.data.id }, headers: { 'If-None-Match': etagOf(read.response) } }));
      const customer = await signedInCustomer(t);
      const user = await getUser({ client: staff.client, path: { id: customer.id }, throwOnError: true });
      expectNotModified(await getUser({ client: staff.client, path: { id: customer.id }, headers: { 'If-None-Match': etagOf(user.response) } }));

      const missing = await getProduct({ client, path: { id: '00000000-0000-4000-8000-000000000000' }, headers: { 'If-None-Match': '"1"' } });
      expect(missing.notModified).toBe(false);
      expectProblem(missing.error, missing.response, 404);
    });
  });

  describe('catalog reads and the bearer token', () => {
    /** cache_lookups_total{cache="catalog",result="hit"} on /metrics. */
    async function catalogCacheHits(): Promise<number> {
      const text = (await t.request('GET', '/metrics', { token: TEST_METRICS_TOKEN })).body as string;
      const line = text.split('\n').find((l) => l.startsWith('cache_lookups_total{cache="catalog",result="hit"}'));
      return Number(line?.split(' ').pop() ?? 0);
    }

    it('a signed-in customer reads the public catalog without the token, from the cache anonymous shoppers share', async () => {
      const staff = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const { data: product } = await createProduct({
        client: staff.client,
        body: { slug: 'consumer-colander', name: 'Enamel colander', status: 'active', variants: [{ sku: 'COLANDER-1', priceAmount: 2900, currency: 'EUR', options: {} }] },
        throwOnError: true,
      });
      const authorization = new Map<string, string | null>();
      const recordingFetch: typeof fetch = (input, init) => {
        const request = new Request(input, init);
        authorization.set(new URL(request.url).pathname, request.headers.get('authorization'));
        return fetch(request);
      };
      const customer = await signedInCustomer(t, 'browser', { fetch: recordingFetch });

      const hits = await catalogCacheHits();
      await getProduct({ client: customer.client, path: { id: product.id }, throwOnError: true });
      const again = await getProduct({ client: customer.client, path: { id: product.id }, throwOnError: true });
      expect(again.data.name).toBe('Enamel colander');
      expect(await catalogCacheHits()).toBe(hits + 1);
      await getProductBySlug({ client: customer.client, path: { slug: 'consumer-colander' }, throwOnError: true });
      await listProducts({ client: customer.client, query: { q: 'colander' }, throwOnError: true });
      await listCategories({ client: customer.client, throwOnError: true });
      await listProductImages({ client: customer.client, path: { id: product.id }, throwOnError: true });
      await getMe({ client: customer.client, throwOnError: true });
      await openCart({ client: customer.client, throwOnError: true });

      expect(Object.fromEntries(authorization)).toEqual({
        '/v1/auth/register': null,
        '/v1/auth/login': null,
        [`/v1/products/${product.id}`]: null,
        '/v1/products/by-slug/consumer-colander': null,
        '/v1/products': null,
        '/v1/categories': null,
        [`/v1/products/${product.id}/images`]: null,
        '/v1/me': expect.stringMatching(/^Bearer /),
        '/v1/carts': expect.stringMatching(/^Bearer /), // the customer's own cart
      });
    });

    it("staff clients with catalogAuth: 'always' send the token and see drafts; a call's own auth wins over the default", async () => {
      const staff = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD, { catalogAuth: 'always' });
      const { data: draft } = await createProduct({
        client: staff.client,
        body: { slug: 'consumer-draft-ladle', name: 'Draft ladle', variants: [{ sku: 'LADLE-1', priceAmount: 1500, currency: 'EUR', options: {} }] },
        throwOnError: true,
      });
      const seen = await getProduct({ client: staff.client, path: { id: draft.id }, throwOnError: true });
      expect(seen.data.status).toBe('draft');

      const browsing = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const hidden = await getProduct({ client: browsing.client, path: { id: draft.id } });
      expectProblem(hidden.error, hidden.response, 404);
      const explicit = await getProduct({ client: browsing.client, path: { id: draft.id }, auth: browsing.session.current!.accessToken, throwOnError: true });
      expect(explicit.data.status).toBe('draft');
    });
  });

  describe('staff catalog flow', () => {
    it('edits a product and its variants with If-Match, archives and restores it', async () => {
      const staff = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const parent = await createCategory({ client: staff.client, body: { name: 'Kitchen', slug: 'consumer-kitchen' }, throwOnError: true });
      const child = await createCategory({
        client: staff.client,
        body: { name: 'Teapots', slug: 'consumer-teapots', parentId: parent.data.id },
        throwOnError: true,
      });
      const created = await createProduct({
        client: staff.client,
        body: {
          slug: 'consumer-teapot',
          name: 'Cast-iron teapot',
          description: 'Keeps tea warm',
          brand: 'Tetsu',
          attributes: { material: 'iron' },
          categoryIds: [child.data.id],
          variants: [{ sku: 'TEAPOT-BLACK', priceAmount: 4500, currency: 'EUR', options: { colour: 'black' } }],
        },
        throwOnError: true,
      });
      const id = created.data.id;
      expect(created.response.headers.get('location')).toBe(`/v1/products/${id}`);
      let etag = created.response.headers.get('etag')!;

      const renamed = await updateProduct({ client: staff.client, path: { id }, headers: { 'If-Match': etag }, body: { name: 'Cast-iron teapot, 1 l', status: 'active' }, throwOnError: true });
      expect(renamed.data).toMatchObject({ name: 'Cast-iron teapot, 1 l', status: 'active' });
      const stale = await updateProduct({ client: staff.client, path: { id }, headers: { 'If-Match': etag }, body: { name: 'Lost update' } });
      expectProblem(stale.error, stale.response, 412);
      etag = renamed.response.headers.get('etag')!;

      const added = await addVariant({
        client: staff.client,
        path: { id },
        headers: { 'If-Match': etag },
        body: { sku: 'TEAPOT-RED', priceAmount: 4900, compareAtAmount: 5500, currency: 'EUR', options: { colour: 'red' } },
        throwOnError: true,
      });
      const red = added.data.variants.find((variant) => variant.sku === 'TEAPOT-RED')!;
      expect(added.response.headers.get('location')).toBe(`/v1/products/${id}/variants/${red.id}`);
      etag = added.response.headers.get('etag')!;
      const repriced = await updateVariant({ client: staff.client, path: { id, variantId: red.id }, headers: { 'If-Match': etag }, body: { priceAmount: 4700 }, throwOnError: true });
      expect(repriced.data.variants.find((variant) => variant.id === red.id)?.priceAmount).toBe(4700);
      const badPrice = await updateVariant({ client: staff.client, path: { id, variantId: red.id }, headers: { 'If-Match': repriced.response.headers.get('etag')! }, body: { priceAmount: -1 } });
      expectProblem(badPrice.error, badPrice.response, 400);

      const archived = await archiveProduct({ client: staff.client, path: { id }, throwOnError: true });
      expect(archived.data.status).toBe('archived');
      const shopper = apiClient(t);
      const gone = await getProduct({ client: shopper.client, path: { id } });
      expectProblem(gone.error, gone.response, 404);
      const restored = await restoreProduct({ client: staff.client, path: { id }, throwOnError: true });
      expect(restored.data.status).toBe('draft');
      const again = await restoreProduct({ client: staff.client, path: { id } });
      expectProblem(again.error, again.response, 422);
      await updateProduct({ client: staff.client, path: { id }, headers: { 'If-Match': restored.response.headers.get('etag')! }, body: { status: 'active' }, throwOnError: true });

      // Browsing: the category tree, a parent category's listing includes its descendants', a cached read with its ETag.
      const categories = await listCategories({ client: shopper.client, query: { limit: 100 }, throwOnError: true });
      expect(categories.data.data.find((category) => category.id === child.data.id)).toMatchObject({ parentId: parent.data.id });
      const category = await getCategory({ client: shopper.client, path: { id: child.data.id }, throwOnError: true });
      expect(category.data.slug).toBe('consumer-teapots');
      const inParent = await listProducts({ client: shopper.client, query: { categoryId: parent.data.id, sort: 'price' }, throwOnError: true });
      expect(inParent.data.data.map((product) => product.id)).toEqual([id]);
      const read = await getProduct({ client: shopper.client, path: { id }, throwOnError: true });
      expect(read.data.variants.map((variant) => [variant.sku, variant.priceAmount])).toEqual([['TEAPOT-BLACK', 4500], ['TEAPOT-RED', 4700]]);
      const unchanged = await getProduct({ client: shopper.client, path: { id }, headers: { 'If-None-Match': read.response.headers.get('etag')! } });
      expectNotModified(unchanged);
      const searched = await listProducts({ client: shopper.client, query: { q: 'teapot', attribute: ['material:iron'] }, throwOnError: true });
      expect(searched.data.data.map((product) => product.id)).toEqual([id]);

      const customer = await signedInCustomer(t);
      const forbidden = await createProduct({ client: customer.client, body: { slug: 'nope', name: 'Nope', variants: [{ sku: 'NOPE', priceAmount: 1, currency: 'EUR', options: {} }] } });
      expectProblem(forbidden.error, forbidden.response, 403);
    });

    it('uploads an image as multipart through the client, then orders, lists, serves and deletes it', async () => {
      const staff = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      const { data: product } = await createProduct({
        client: staff.client,
        body: { slug: 'consumer-pictured', name: 'Pictured', status: 'active', variants: [{ sku: 'PICTURED-1', priceAmount: 900, currency: 'EUR', options: {} }] },
        throwOnError: true,
      });
      const png = await sharp({ create: { width: 800, height: 500, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
      const file = new Blob([new Uint8Array(png)], { type: 'image/png' });

      const uploaded = await uploadProductImage({
        client: staff.client,
        path: { id: product.id },
        body: { file, alt: 'Red square', position: 3 },
        throwOnError: true,
      });
      expect(uploaded.response.status).toBe(201);
      expect(uploaded.data).toMatchObject({ productId: product.id, alt: 'Red square', position: 3, width: 800, height: 500 });
      expect(uploaded.data.original.contentType).toBe('image/png');
      expect(uploaded.data.renditions.map((rendition) => rendition.width)).toEqual([320, 640]);
      expect(uploaded.response.headers.get('location')).toBe(`/v1/products/${product.id}/images/${uploaded.data.id}`);

      const second = await uploadProductImage({ client: staff.client, path: { id: product.id }, body: { file }, throwOnError: true });
      expect(second.data).toMatchObject({ alt: null, position: 4 });

      const notImage = await uploadProductImage({
        client: staff.client,
        path: { id: product.id },
        body: { file: new Blob(['not a png at all'], { type: 'image/png' }) },
      });
      expectProblem(notImage.error, notImage.response, 415);
      const shopper = apiClient(t);
      const anonymous = await uploadProductImage({ client: shopper.client, path: { id: product.id }, body: { file } });
      expectProblem(anonymous.error, anonymous.response, 401);

      await updateProductImage({ client: staff.client, path: { id: product.id, imageId: second.data.id }, body: { position: 0, alt: 'First' }, throwOnError: true });
      const listed = await listProductImages({ client: shopper.client, path: { id: product.id }, throwOnError: true });
      expect(listed.data.data.map((image) => [image.id, image.alt])).toEqual([
        [second.data.id, 'First'],
        [uploaded.data.id, 'Red square'],
      ]);

      const rendition = uploaded.data.renditions[0];
      const fileName = rendition.url.split('/').pop()!;
      expect(rendition.url).toBe(`/v1/media/products/${product.id}/images/${uploaded.data.id}/${fileName}`);
      const served = await getProductImageFile({ client: shopper.client, path: { productId: product.id, imageId: uploaded.data.id, file: fileName }, throwOnError: true });
      expect(served.response.headers.get('content-type')).toBe('image/webp');
      expect((await sharp(Buffer.from(await served.data.arrayBuffer())).metadata()).width).toBe(320);

      const deleted = await deleteProductImage({ client: staff.client, path: { id: product.id, imageId: uploaded.data.id } });
      expect(deleted.response.status).toBe(204);
      const after = await listProductImages({ client: shopper.client, path: { id: product.id }, throwOnError: true });
      expect(after.data.data.map((image) => image.id)).toEqual([second.data.id]);
      const file404 = await getProductImageFile({
        client: shopper.client,
        path: { productId: product.id, imageId: uploaded.data.id, file: fileName },
      });
      expectProblem(file404.error, file404.response, 404);
    });
  });

  describe('storefront flow', () => {
    // The shop as a shopper meets it: an admin stocks two products and sets the DE rates, then an
    // anonymous shopper browses, fills a guest cart, signs up, checks out, pays and reads the order.
    const email = uniqueEmail('shopper');
    let shopper: EmporiumClient;
    let apron: ProductDto;
    let candle: ProductDto;
    let cartToken: string;
    let guestCartId: string;
    let customerCartId: string;
    let order: OrderDto;

    beforeAll(async () => {
      shopper = apiClient(t);
      const admin = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      await setShippingRate({ client: admin.client, path: { country: 'DE', currency: 'EUR' }, body: { amount: 500 }, throwOnError: true });
      await setTaxRate({ client: admin.client, path: { country: 'DE' }, body: { rateBps: 1900 }, throwOnError: true });
      const location = await createStockLocation({
        client: admin.client,
        body: { code: 'consumer-shop', name: 'Shop', address: { line1: 'Torstraße 1', city: 'Berlin', postalCode: '10119', country: 'DE' } },
        throwOnError: true,
      });
      const product = (slug: string, name: string, variants: { sku: string; priceAmount: number; options: Record<string, string> }[]) =>
        createProduct({
          client: admin.client,
          body: { slug, name, status: 'active', variants: variants.map((variant) => ({ ...variant, currency: 'EUR' })) },
          throwOnError: true,
        });
      apron = (await product('consumer-apron', 'Linen apron', [
        { sku: 'APRON-S', priceAmount: 2400, options: { size: 'S' } },
        { sku: 'APRON-L', priceAmount: 2600, options: { size: 'L' } },
      ])).data;
      candle = (await product('consumer-candle', 'Beeswax candle', [{ sku: 'CANDLE', priceAmount: 850, options: {} }])).data;
      for (const variant of [...apron.variants, ...candle.variants]) {
        await receiveStock({ client: admin.client, body: { variantId: variant.id, locationId: location.data.id, quantity: 10 }, throwOnError: true });
      }
    });

    it('an anonymous shopper browses the catalog and fills a guest cart: add, change and remove lines', async () => {
      const { client } = shopper;
      const found = await listProducts({ client, query: { q: 'apron' }, throwOnError: true });
      expect(found.data.data.map((product) => product.id)).toEqual([apron.id]);
      const read = await getProduct({ client, path: { id: apron.id }, throwOnError: true });
      expect(read.data.variants.map((variant) => [variant.sku, variant.priceAmount, variant.currency])).toEqual([
        ['APRON-S', 2400, 'EUR'],
        ['APRON-L', 2600, 'EUR'],
      ]);
      const [small, large] = read.data.variants;
      const available = await getVariantAvailability({ client, path: { variantId: small.id }, throwOnError: true });
      expect(available.data).toEqual({ variantId: small.id, sku: 'APRON-S', available: 10, inStock: true });

      const opened = await openCart({ client, throwOnError: true });
      expect(opened.response.status).toBe(201);
      expect(opened.data).toMatchObject({ status: 'open', currency: null, lines: [], itemCount: 0, subtotalAmount: 0 });
      // One CartDto for 200 and 201: the token is an optional field, no narrowing needed.
      expect(opened.data.cartToken).toMatch(/^ct_/);
      cartToken = opened.data.cartToken!;
      guestCartId = opened.data.id;
      const headers = { 'X-Cart-Token': cartToken };

      const first = await addCartLine({ client, path: { id: guestCartId }, headers, body: { variantId: small.id, quantity: 1 } });
      expect(first.response.status).toBe(201);
      const withCandles = await addCartLine({ client, path: { id: guestCartId }, headers, body: { variantId: candle.variants[0].id, quantity: 3 }, throwOnError: true });
      const withLarge = await addCartLine({ client, path: { id: guestCartId }, headers, body: { variantId: large.id, quantity: 1 }, throwOnError: true });
      expect(withLarge.data).toMatchObject({ currency: 'EUR', itemCount: 5, subtotalAmount: 2400 + 3 * 850 + 2600 });
      const again = await addCartLine({ client, path: { id: guestCartId }, headers, body: { variantId: small.id, quantity: 1 } });
      expect(again.response.status).toBe(200); // the same variant again raises its line
      expect(again.data?.lines.find((line) => line.variantId === small.id)?.quantity).toBe(2);

      const candleLine = withCandles.data.lines.find((line) => line.sku === 'CANDLE')!;
      const changed = await changeCartLine({ client, path: { id: guestCartId, lineId: candleLine.id }, headers, body: { quantity: 2 }, throwOnError: true });
      expect(changed.data.lines.find((line) => line.id === candleLine.id)).toMatchObject({ quantity: 2, unitPriceAmount: 850, lineTotalAmount: 1700 });
      const largeLine = withLarge.data.lines.find((line) => line.sku === 'APRON-L')!;
      const removed = await removeCartLine({ client, path: { id: guestCartId, lineId: largeLine.id }, headers });
      expect(removed.response.status).toBe(204);

      const cart = await getCart({ client, path: { id: guestCartId }, headers, throwOnError: true });
      expect(cart.data.lines.map((line) => [line.sku, line.quantity, line.lineTotalAmount, line.available])).toEqual([
        ['APRON-S', 2, 4800, true],
        ['CANDLE', 2, 1700, true],
      ]);
      expect(cart.data).toMatchObject({ subtotalAmount: 6500, itemCount: 4 });
      expect(cart.data.expiresAt).not.toBeNull();

      const zero = await changeCartLine({ client, path: { id: guestCartId, lineId: candleLine.id }, headers, body: { quantity: 0 } });
      expect(expectProblem(zero.error, zero.response, 400).errors?.map((e) => e.field)).toEqual(['quantity']);
      const withoutToken = await getCart({ client, path: { id: guestCartId } });
      expectProblem(withoutToken.error, withoutToken.response, 404);
    });

    it('the guest signs up, and signing in with the cart token joins the guest cart into the customer cart', async () => {
      const registered = await register({ client: shopper.client, body: { email, password: PASSWORD, name: 'Grace Shopper' } });
      expect(registered.response.status).toBe(201);

      // On another device the new customer already put one small apron in their own cart.
      const phone = await signedInAs(t, email, PASSWORD);
      const own = await openCart({ client: phone.client });
      expect(own.response.status).toBe(201);
      expect(own.data).toMatchObject({ expiresAt: null });
      expect(own.data?.cartToken).toBeUndefined();
      customerCartId = own.data!.id;
      await addCartLine({ client: phone.client, path: { id: customerCartId }, body: { variantId: apron.variants[0].id, quantity: 1 }, throwOnError: true });

      await shopper.session.signIn(email, PASSWORD, { cartToken });
      expect(shopper.session.signedIn).toBe(true);
      const merged = await openCart({ client: shopper.client });
      expect(merged.response.status).toBe(200);
      expect(merged.data?.id).toBe(customerCartId);
      expect(merged.data?.lines.map((line) => [line.sku, line.quantity])).toEqual([
        ['APRON-S', 3],
        ['CANDLE', 2],
      ]);
      expect(merged.data).toMatchObject({ subtotalAmount: 3 * 2400 + 1700, itemCount: 5 });
      const gone = await getCart({ client: apiClient(t).client, path: { id: guestCartId }, headers: { 'X-Cart-Token': cartToken } });
      expectProblem(gone.error, gone.response, 404);

      // Back to two aprons, as in the guest cart.
      const apronLine = merged.data!.lines.find((line) => line.sku === 'APRON-S')!;
      await changeCartLine({ client: shopper.client, path: { id: customerCartId, lineId: apronLine.id }, body: { quantity: 2 }, throwOnError: true });
    });

    it('saves a profile and a default shipping address', async () => {
      const { client } = shopper;
      const profile = await putProfile({ client, body: { firstName: 'Grace', lastName: 'Shopper', phone: '+49 30 1234567' } });
      expect(profile.response.status).toBe(201);
      expect(profile.data).toMatchObject({ firstName: 'Grace', lastName: 'Shopper', phone: '+49 30 1234567' });
      expect((await getProfile({ client, throwOnError: true })).data.firstName).toBe('Grace');

      const saved = await createAddress({
        client,
        body: { label: 'Home', fullName: 'Grace Shopper', line1: 'Kastanienallee 7', city: 'Berlin', postalCode: '10435', country: 'DE', isDefaultShipping: true },
      });
      expect(saved.response.status).toBe(201);
      expect(saved.response.headers.get('location')).toBe(`/v1/me/addresses/${saved.data!.id}`);
      expect(saved.data).toMatchObject({ label: 'Home', line2: null, isDefaultShipping: true, isDefaultBilling: false });
      const listed = await listAddresses({ client, throwOnError: true });
      expect(listed.data.data.filter((address) => address.isDefaultShipping).map((address) => address.id)).toEqual([saved.data!.id]);
    });

    it('checks out with an Idempotency-Key; the retry with the same key replays the same order', async () => {
      const { client } = shopper;
      const { data: addresses } = await listAddresses({ client, throwOnError: true });
      const home = addresses.data.find((address) => address.isDefaultShipping)!;
      // Checkout takes an address, not a saved address's id: copy the postal fields over.
      const shippingAddress = {
        fullName: home.fullName, line1: home.line1, line2: home.line2, city: home.city,
        region: home.region, postalCode: home.postalCode, country: home.country, phone: home.phone,
      };
      const key = randomUUID();

      const placed = await checkout({ client, headers: { 'Idempotency-Key': key }, body: { cartId: customerCartId, shippingAddress } });
      expect(placed.error).toBeUndefined();
      expect(placed.response.status).toBe(201);
      order = placed.data!;
      expect(placed.response.headers.get('location')).toBe(`/v1/orders/${order.id}`);
      expect(placed.response.headers.get('idempotent-replayed')).toBeNull();
      expect(order).toMatchObject({
        status: 'pending_payment',
        email,
        currency: 'EUR',
        subtotalAmount: 2 * 2400 + 2 * 850,
        shippingAmount: 500,
        taxRateBps: 1900,
        pricesIncludeTax: false,
        taxAmount: 1330, // 19 % of 6500 + 500, net prices: tax on top
        totalAmount: 8330,
        paidAmount: 0,
        refundedAmount: 0,
        shippingAddress: { fullName: 'Grace Shopper', line1: 'Kastanienallee 7', postalCode: '10435', country: 'DE' },
      });
      expect(order.subtotalAmount + order.shippingAmount + order.taxAmount).toBe(order.totalAmount);
      expect(order.lines.map((line) => [line.sku, line.unitPriceAmount, line.quantity, line.lineTotalAmount])).toEqual([
        ['APRON-S', 2400, 2, 4800],
        ['CANDLE', 850, 2, 1700],
      ]);
      expect(order.actions).toEqual([
        { action: 'pay', method: 'POST', href: `/v1/orders/${order.id}/payments` },
        { action: 'cancel', method: 'POST', href: `/v1/orders/${order.id}/cancel` },
      ]);

      const replayed = await checkout({ client, headers: { 'Idempotency-Key': key }, body: { cartId: customerCartId, shippingAddress } });
      expect(replayed.response.status).toBe(201);
      expect(replayed.response.headers.get('idempotent-replayed')).toBe('true');
      expect(replayed.data).toEqual(order);
      const otherBody = await checkout({ client, headers: { 'Idempotency-Key': key }, body: { cartId: customerCartId, shippingAddress: { ...shippingAddress, city: 'Potsdam' } } });
      expectProblem(otherBody.error, otherBody.response, 422);

      const cart = await getCart({ client, path: { id: customerCartId }, throwOnError: true });
      expect(cart.data.status).toBe('checked_out');
      const stock = await getVariantAvailability({ client: apiClient(t).client, path: { variantId: apron.variants[0].id }, throwOnError: true });
      expect(stock.data.available).toBe(8);
    });

    it('pays with the test provider: a declined card is a 402 problem, tok_success pays the order', async () => {
      const { client } = shopper;
      const declined = await payOrder({ client, path: { id: order.id }, headers: { 'Idempotency-Key': randomUUID() }, body: { provider: 'test', source: 'tok_declined' } });
      expectProblem(declined.error, declined.response, 402);
      expect(declined.error).toMatchObject({ failureCode: 'card_declined' });
      const still = await getOrder({ client, path: { id: order.id }, throwOnError: true });
      expect(still.data).toMatchObject({ status: 'pending_payment', paidAmount: 0 });

      const key = randomUUID();
      const paid = await payOrder({ client, path: { id: order.id }, headers: { 'Idempotency-Key': key }, body: { provider: 'test', source: 'tok_success' } });
      expect(paid.error).toBeUndefined();
      expect(paid.response.status).toBe(201);
      expect(paid.data).toMatchObject({ status: 'paid', paidAmount: 8330, refundedAmount: 0, actions: [] });
      const retried = await payOrder({ client, path: { id: order.id }, headers: { 'Idempotency-Key': key }, body: { provider: 'test', source: 'tok_success' }, throwOnError: true });
      expect(retried.response.headers.get('idempotent-replayed')).toBe('true');
      expect(retried.data.paidAmount).toBe(8330); // charged once
    });

    it('reads the paid order and lists their orders; another customer cannot see it', async () => {
      const { client } = shopper;
      const read = await getOrder({ client, path: { id: order.id }, throwOnError: true });
      expect(read.data).toMatchObject({ id: order.id, status: 'paid', paidAmount: order.totalAmount, actions: [] });
      expect(read.data.timeline?.map((event) => [event.type, event.toStatus, event.actorKind])).toEqual([
        ['created', 'pending_payment', 'customer'],
        ['payment_failed', null, 'customer'],
        ['status_changed', 'paid', 'customer'],
      ]);

      const mine = await listMyOrders({ client, throwOnError: true });
      expect(mine.data.data.map((listed) => [listed.id, listed.status, listed.totalAmount])).toEqual([[order.id, 'paid', 8330]]);
      expect(mine.data.nextCursor).toBeNull();
      expect(mine.data.data[0].timeline).toBeUndefined();

      const stranger = await signedInCustomer(t, 'stranger');
      const hidden = await getOrder({ client: stranger.client, path: { id: order.id } });
      expectProblem(hidden.error, hidden.response, 404);
      const theirs = await listMyOrders({ client: stranger.client, throwOnError: true });
      expect(theirs.data.data).toEqual([]);
      const anonymous = await getOrder({ client: apiClient(t).client, path: { id: order.id } });
      expectProblem(anonymous.error, anonymous.response, 404);
    });
  });

  describe('staff fulfilment flow', () => {
    // The back office: rates to AT, a product stocked at a new location, then an order through
    // its life: fulfil, ship, deliver, a partial refund, and the stock ledger of the variant.
    let admin: EmporiumClient;
    let adminId: string;
    let customer: ClientUser;
    let variantId: string;
    let locationId: string;
    let order: OrderDto;
    const address = { fullName: 'Kurt Kunde', line1: 'Ringstraße 1', city: 'Wien', postalCode: '1010', country: 'AT' };

    beforeAll(async () => {
      admin = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
      adminId = (await getMe({ client: admin.client, throwOnError: true })).data.id;
      customer = await signedInCustomer(t, 'kunde');
    });

    it('sets the shipping and tax rates of a country', async () => {
      const shipping = await setShippingRate({ client: admin.client, path: { country: 'AT', currency: 'EUR' }, body: { amount: 700 } });
      expect(shipping.response.status).toBe(201);
      const replaced = await setShippingRate({ client: admin.client, path: { country: 'AT', currency: 'EUR' }, body: { amount: 900 } });
      expect(replaced.response.status).toBe(200);
      expect(replaced.data).toEqual({ country: 'AT', currency: 'EUR', amount: 900 });
      const tax = await setTaxRate({ client: admin.client, path: { country: 'AT' }, body: { rateBps: 2000 } });
      expect(tax.response.status).toBe(201);
      expect((await getTaxRate({ client: admin.client, path: { country: 'AT' }, throwOnError: true })).data).toEqual({ country: 'AT', rateBps: 2000 });
      expect((await getShippingRate({ client: admin.client, path: { country: 'AT', currency: 'EUR' }, throwOnError: true })).data.amount).toBe(900);

      const forbidden = await setTaxRate({ client: customer.client, path: { country: 'AT' }, body: { rateBps: 0 } });
      expectProblem(forbidden.error, forbidden.response, 403);
      const missing = await getTaxRate({ client: admin.client, path: { country: 'NZ' } });
      expectProblem(missing.error, missing.response, 404);
    });

    it('creates a product and receives stock at a new location', async () => {
      const location = await createStockLocation({
        client: admin.client,
        body: {
          code: 'consumer-vienna',
          name: 'Vienna warehouse',
          address: { line1: 'Lagerweg 3', city: 'Wien', postalCode: '1110', country: 'AT' },
          latitude: 48.1702,
          longitude: 16.4372,
          priority: 1,
        },
      });
      expect(location.response.status).toBe(201);
      expect(location.data).toMatchObject({ code: 'consumer-vienna', latitude: 48.1702, longitude: 16.4372, active: true });
      locationId = location.data!.id;

      const product = await createProduct({
        client: admin.client,
        body: { slug: 'consumer-tray', name: 'Walnut tray', status: 'active', variants: [{ sku: 'TRAY-WALNUT', priceAmount: 3150, currency: 'EUR', options: {} }] },
        throwOnError: true,
      });
      variantId = product.data.variants[0].id;

      const received = await receiveStock({ client: admin.client, body: { variantId, locationId, quantity: 12, reason: 'delivery note 4711' } });
      expect(received.response.status).toBe(200);
      expect(received.data).toMatchObject({ variantId, sku: 'TRAY-WALNUT', locationId, locationCode: 'consumer-vienna', onHand: 12, reserved: 0, available: 12 });
      const stock = await getVariantStock({ client: admin.client, path: { variantId }, throwOnError: true });
      expect(stock.data.totals).toEqual({ onHand: 12, reserved: 0, available: 12 });

      const notStaff = await receiveStock({ client: customer.client, body: { variantId, locationId, quantity: 1 } });
      expectProblem(notStaff.error, notStaff.response, 403);
    });

    it('a customer orders and pays; staff find the order by status', async () => {
      const { data: cart } = await openCart({ client: customer.client, throwOnError: true });
      await addCartLine({ client: customer.client, path: { id: cart.id }, body: { variantId, quantity: 3 }, throwOnError: true });
      const placed = await checkout({
        client: customer.client,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { cartId: cart.id, shippingAddress: address },
        throwOnError: true,
      });
      expect(placed.data).toMatchObject({
        status: 'pending_payment',
        subtotalAmount: 9450,
        shippingAmount: 900,
        taxRateBps: 2000,
        taxAmount: 2070, // 20 % of 9450 + 900
        totalAmount: 12420,
      });
      expect(placed.data.subtotalAmount + placed.data.shippingAmount + placed.data.taxAmount).toBe(placed.data.totalAmount);

      const early = await fulfilOrder({ client: admin.client, path: { id: placed.data.id } });
      expectProblem(early.error, early.response, 409);
      expect(early.error).toMatchObject({ orderStatus: 'pending_payment', allowed: ['pay', 'cancel'] });

      const pending = await listOrders({ client: admin.client, query: { status: 'pending_payment', email: customer.email }, throwOnError: true });
      expect(pending.data.data.map((listed) => listed.id)).toEqual([placed.data.id]);
      await payOrder({
        client: customer.client,
        path: { id: placed.data.id },
        headers: { 'Idempotency-Key': randomUUID() },
        body: { provider: 'test', source: 'tok_success' },
        throwOnError: true,
      });

      const paid = await listOrders({ client: admin.client, query: { status: 'paid', limit: 100 }, throwOnError: true });
      expect(paid.data.data.every((listed) => listed.status === 'paid')).toBe(true);
      expect(paid.data.data.map((listed) => listed.id)).toContain(placed.data.id);
      const stillPending = await listOrders({ client: admin.client, query: { status: 'pending_payment', email: customer.email }, throwOnError: true });
      expect(stillPending.data.data).toEqual([]);
      const notStaff = await listOrders({ client: customer.client });
      expectProblem(notStaff.error, notStaff.response, 403);

      const staffView = await getOrder({ client: admin.client, path: { id: placed.data.id }, throwOnError: true });
      order = staffView.data;
      expect(order.actions.map((link) => link.action)).toEqual(['cancel', 'fulfil', 'refund']);
    });

    it('fulfils, ships and delivers the order; the timeline grows; an illegal step is 409 naming the allowed actions', async () => {
      const skipping = await shipOrder({ client: admin.client, path: { id: order.id } });
      const problem = expectProblem(skipping.error, skipping.response, 409);
      expect(skipping.error).toMatchObject({ orderStatus: 'paid', allowed: ['cancel', 'fulfil', 'refund'] });
      expect(problem.detail).toContain('fulfil');

      const customerTries = await fulfilOrder({ client: customer.client, path: { id: order.id } });
      expectProblem(customerTries.error, customerTries.response, 403);

      const fulfilled = await fulfilOrder({ client: admin.client, path: { id: order.id }, throwOnError: true });
      expect(fulfilled.data.status).toBe('fulfilled');
      expect(fulfilled.data.actions.map((link) => link.action)).toEqual(['cancel', 'ship', 'refund']);
      expect(fulfilled.data.timeline).toHaveLength(3);
      const shipped = await shipOrder({ client: admin.client, path: { id: order.id }, throwOnError: true });
      expect(shipped.data.status).toBe('shipped');
      expect(shipped.data.timeline).toHaveLength(4);
      const delivered = await deliverOrder({ client: admin.client, path: { id: order.id }, throwOnError: true });
      expect(delivered.data.status).toBe('delivered');
      expect(delivered.data.actions).toEqual([{ action: 'refund', method: 'POST', href: `/v1/orders/${order.id}/refunds` }]);
      expect(delivered.data.timeline?.map((event) => event.toStatus)).toEqual(['pending_payment', 'paid', 'fulfilled', 'shipped', 'delivered']);
      expect(delivered.data.timeline?.slice(2).map((event) => [event.actorKind, event.actorId])).toEqual([
        ['staff', adminId],
        ['staff', adminId],
        ['staff', adminId],
      ]);

      const twice = await deliverOrder({ client: admin.client, path: { id: order.id } });
      expectProblem(twice.error, twice.response, 409);
      expect(twice.error).toMatchObject({ orderStatus: 'delivered', allowed: ['refund'] });
      const customerView = await getOrder({ client: customer.client, path: { id: order.id }, throwOnError: true });
      expect(customerView.data).toMatchObject({ status: 'delivered', actions: [] });
      order = delivered.data;
    });

    it('refunds part of the order; more than is left is 422', async () => {
      const key = randomUUID();
      const part = await refundOrder({ client: admin.client, path: { id: order.id }, headers: { 'Idempotency-Key': key }, body: { amount: 2000, reason: 'scratched' } });
      expect(part.error).toBeUndefined();
      expect(part.response.status).toBe(201);
      expect(part.data).toMatchObject({ status: 'delivered', paidAmount: 12420, refundedAmount: 2000 });
      expect(part.data?.timeline?.at(-1)).toMatchObject({ type: 'refund', amount: 2000, note: 'scratched', actorKind: 'staff', actorId: adminId });
      const retried = await refundOrder({ client: admin.client, path: { id: order.id }, headers: { 'Idempotency-Key': key }, body: { amount: 2000, reason: 'scratched' }, throwOnError: true });
      expect(retried.response.headers.get('idempotent-replayed')).toBe('true');
      expect(retried.data.refundedAmount).toBe(2000);

      const tooMuch = await refundOrder({
        client: admin.client,
        path: { id: order.id },
        headers: { 'Idempotency-Key': randomUUID() },
        body: { amount: 12420 - 2000 + 1, reason: 'everything and a cent' },
      });
      expectProblem(tooMuch.error, tooMuch.response, 422);
      const notStaff = await refundOrder({ client: customer.client, path: { id: order.id }, headers: { 'Idempotency-Key': randomUUID() }, body: { amount: 1, reason: 'me' } });
      expectProblem(notStaff.error, notStaff.response, 403);

      const after = await getOrder({ client: admin.client, path: { id: order.id }, throwOnError: true });
      expect(after.data).toMatchObject({ status: 'delivered', refundedAmount: 2000 });
      expect(after.data.actions.map((link) => link.action)).toEqual(['refund']);
    });

    it('reads the movement ledger of the variant: received, reserved at checkout, sold on payment', async () => {
      const ledger = await listStockMovements({ client: admin.client, query: { variantId }, throwOnError: true });
      expect(ledger.data.data.map((movement) => [movement.kind, movement.onHandDelta, movement.reservedDelta, movement.orderId])).toEqual([
        ['sold', -3, -3, order.id],
        ['reserved', 0, 3, order.id],
        ['received', 12, 0, null],
      ]);
      expect(ledger.data.data.every((movement) => movement.locationId === locationId)).toBe(true);
      expect(ledger.data.data.at(-1)).toMatchObject({ reason: 'delivery note 4711', actorId: adminId });
      const sold = await listStockMovements({ client: admin.client, query: { variantId, kind: 'sold' }, throwOnError: true });
      expect(sold.data.data).toEqual([ledger.data.data[0]]);

      // The ledger adds up to the level.
      const stock = await getVariantStock({ client: admin.client, path: { variantId }, throwOnError: true });
      const sum = (field: 'onHandDelta' | 'reservedDelta') => ledger.data.data.reduce((total, movement) => total + movement[field], 0);
      expect(stock.data.totals).toEqual({ onHand: sum('onHandDelta'), reserved: sum('reservedDelta'), available: 9 });
      const notStaff = await listStockMovements({ client: customer.client, query: { variantId } });
      expectProblem(notStaff.error, notStaff.response, 403);
    });
  });

  describe('runtime validation', () => {
    // A stand-in server that breaks the contract, to prove the client checks what it receives.
    let fake: Server;
    let baseUrl: string;
    const respond = new Map<string, { status: number; type: string; body: unknown }>();

    beforeAll(async () => {
      fake = createServer((request, response) => {
        const answer = respond.get(`${request.method} ${request.url}`) ?? { status: 404, type: 'text/plain', body: 'no' };
        response.writeHead(answer.status, { 'content-type': answer.type });
        response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

    const user: UserDto = {
      id: '6f1c1f5e-5d1a-4c1e-9d7a-0d5f3c2b1a00',
      email: 'valid@example.com',
      name: null,
      roles: ['customer'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };

    it('accepts a body that matches the schema', async () => {
      respond.set('GET /v1/me', { status: 200, type: 'application/json', body: user });
      const { data } = await getMe({ client: apiClient({ baseUrl }).client, auth: 'token', throwOnError: true });
      expect(data).toEqual(user);
    });

    it('rejects a success body that breaks the schema', async () => {
      respond.set('GET /v1/me', { status: 200, type: 'application/json', body: { ...user, roles: ['emperor'], id: 42 } });
      await expect(getMe({ client: apiClient({ baseUrl }).client, auth: 'token' })).rejects.toMatchObject({ name: 'ZodError' });
    });

    it('rejects a problem body that breaks ProblemDto', async () => {
      respond.set('GET /v1/me', { status: 401, type: 'application/problem+json', body: { message: 'Unauthorized' } });
      await expect(getMe({ client: apiClient({ baseUrl }).client, auth: 'token' })).rejects.toThrow(/not a valid problem\+json body/);
    });
  });
});
