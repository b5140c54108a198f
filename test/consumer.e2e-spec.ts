import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addVariant,
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
  type Problem,
  refreshTokens,
  register,
  setUserRoles,
  type UserDto,
} from '../clients/typescript/src/index.js';
import { PASSWORD, uniqueEmail } from './support/factories';
import { apiClient, signedInAs, signedInCustomer } from './support/client';
import { startTestApp, TestApp } from './support/test-app';

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

    it('409: registering an email twice', async () => {
      const { client } = apiClient(t);
      const email = uniqueEmail('twice');
      await register({ client, body: { email, password: PASSWORD }, throwOnError: true });
      const again = await register({ client, body: { email, password: PASSWORD } });
      expectProblem(again.error, again.response, 409);
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
      expect(unchanged.response.status).toBe(304);
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
