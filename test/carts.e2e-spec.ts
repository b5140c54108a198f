import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/permissions';
import { CartsService, cartAccessOf, hashCartToken } from '../src/carts';
import { Cart } from '../src/carts/entities/cart.entity';
import { TransactionService } from '../src/database/transaction.service';
import { invalidFields, PASSWORD, signUp, SignedInUser } from './support/factories';
import { expectProblem } from './support/problem';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;
const MAX_QUANTITY = 20;
const MAX_LINES = 4;
const MISSING_ID = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';

interface Product {
  id: string;
  etag: string;
  variants: { id: string; sku: string; priceAmount: number; currency: string }[];
}

describe('carts', () => {
  let t: TestApp;
  let manager: SignedInUser;
  let ada: SignedInUser;
  let bob: SignedInUser;
  let shirt: Product;
  let mug: Product;
  let dollarHat: Product;

  beforeAll(async () => {
    t = await startTestApp({ CART_MAX_LINE_QUANTITY: String(MAX_QUANTITY), CART_MAX_LINES: String(MAX_LINES), CART_GUEST_TTL_DAYS: '7' });
    manager = await signUp(t, [Role.Manager]);
    ada = await signUp(t);
    bob = await signUp(t);
    shirt = await createProduct([{ priceAmount: 1999, options: { size: 'M' } }, { priceAmount: 2199, options: { size: 'L' } }]);
    mug = await createProduct([{ priceAmount: 850 }]);
    dollarHat = await createProduct([{ priceAmount: 1500, currency: 'USD' }]);
  });
  afterAll(() => t.close());

  async function createProduct(variants: Record<string, unknown>[], status = 'active'): Promise<Product> {
    const response = await t.request('POST', '/v1/products', {
      token: manager.accessToken,
      body: {
        slug: unique('product'),
        name: 'Classic T-shirt',
        status,
        variants: variants.map((v) => ({ sku: unique('SKU').toUpperCase(), options: {}, currency: 'EUR', ...v })),
      },
    });
    expect(response.status).toBe(201);
    return { id: response.body.id, etag: response.headers.get('etag')!, variants: response.body.variants };
  }

  const guestCart = async () => {
    const response = await t.request('POST', '/v1/carts');
    expect(response.status).toBe(201);
    return { id: response.body.id as string, cartToken: response.body.cartToken as string, headers: { 'x-cart-token': response.body.cartToken as string } };
  };
  const customerCart = async (user: SignedInUser) => {
    const response = await t.request('POST', '/v1/carts', { token: user.accessToken });
    expect([200, 201]).toContain(response.status);
    return response.body.id as string;
  };
  const addLine = (cartId: string, body: Record<string, unknown>, auth: { token?: string; headers?: Record<string, string> }) =>
    t.request('POST', `/v1/carts/${cartId}/lines`, { token: auth.token, headers: auth.headers, body });

  describe('opening carts', () => {
    it('gives a guest a new cart with a token shown once (only its SHA-256 is stored)', async () => {
      const created = await t.request('POST', '/v1/carts');
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/v1/carts/${created.body.id}`);
      expect(created.body).toMatchObject({ status: 'open', currency: null, lines: [], subtotalAmount: 0, itemCount: 0 });
      expect(created.body.cartToken).toMatch(/^ct_[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

      const [row] = await t.get(DataSource).query('SELECT guest_token_hash FROM carts WHERE id = ?', [created.body.id]);
      expect(row.guest_token_hash).toBe(hashCartToken(created.body.cartToken));
      expect(JSON.stringify(row)).not.toContain(created.body.cartToken);

      const read = await t.request('GET', `/v1/carts/${created.body.id}`, { headers: { 'x-cart-token': created.body.cartToken } });
      expect(read.status).toBe(200);
      expect(read.body.cartToken).toBeUndefined();
      // A second guest cart has another token.
      expect((await guestCart()).cartToken).not.toBe(created.body.cartToken);
    });

    it('gives a customer their one open cart: 201 the first time, then 200 with the same cart, also under concurrency', async () => {
      const customer = await signUp(t);
      const results = await Promise.all(Array.from({ length: 8 }, () => t.request('POST', '/v1/carts', { token: customer.accessToken })));
      expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(results.every((r) => r.body.cartToken === undefined && r.body.expiresAt === null)).toBe(true);
      const again = await t.request('POST', '/v1/carts', { token: customer.accessToken });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(results[0].body.id);
      expect(again.headers.get('location')).toBe(`/v1/carts/${again.body.id}`);
    });

    it('rejects a bad bearer token (401) instead of treating the caller as a guest', async () => {
      expectProblem(await t.request('POST', '/v1/carts', { token: 'not-a-jwt' }), 401);
      const cart = await guestCart();
      expectProblem(await t.request('GET', `/v1/carts/${cart.id}`, { token: 'not-a-jwt', headers: cart.headers }), 401);
    });
  });

  describe('lines, priced from the catalog', () => {
    it('adds a line (201 + Location), adds to it (200), changes and removes it; prices and totals come from the catalog', async () => {
      const cart = await guestCart();
      const [m, l] = shirt.variants;
      const added = await addLine(cart.id, { variantId: m.id, quantity: 2 }, cart);
      expect(added.status).toBe(201);
      const lineId = added.body.lines[0].id;
      expect(added.headers.get('location')).toBe(`/v1/carts/${cart.id}/lines/${lineId}`);
      expect(added.body).toMatchObject({
        currency: 'EUR',
        subtotalAmount: 3998,
        itemCount: 2,
        lines: [{ variantId: m.id, productId: shirt.id, sku: m.sku, productName: 'Classic T-shirt', options: { size: 'M' }, quantity: 2, unitPriceAmount: 1999, lineTotalAmount: 3998, available: true }],
      });
      const more = await addLine(cart.id, { variantId: m.id, quantity: 3 }, cart);
      expect(more.status).toBe(200);
      expect(more.body.lines).toHaveLength(1);
      expect(more.body.lines[0]).toMatchObject({ id: lineId, quantity: 5, lineTotalAmount: 9995 });
      const second = await addLine(cart.id, { variantId: l.id, quantity: 1 }, cart);
      expect(second.body).toMatchObject({ subtotalAmount: 9995 + 2199, itemCount: 6 });

      const changed = await t.request('PATCH', `/v1/carts/${cart.id}/lines/${lineId}`, { headers: cart.headers, body: { quantity: 1 } });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ subtotalAmount: 1999 + 2199, itemCount: 2 });

      expect((await t.request('DELETE', `/v1/carts/${cart.id}/lines/${lineId}`, { headers: cart.headers })).status).toBe(204);
      expectProblem(await t.request('DELETE', `/v1/carts/${cart.id}/lines/${lineId}`, { headers: cart.headers }), 404);
      expectProblem(await t.request('PATCH', `/v1/carts/${cart.id}/lines/${lineId}`, { headers: cart.headers, body: { quantity: 1 } }), 404);
      const left = await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers });
      expect(left.body.lines.map((line: { variantId: string }) => line.variantId)).toEqual([l.id]);
      // The last line gone, the cart takes another currency.
      await t.request('DELETE', `/v1/carts/${cart.id}/lines/${left.body.lines[0].id}`, { headers: cart.headers });
      const dollars = await addLine(cart.id, { variantId: dollarHat.variants[0].id, quantity: 1 }, cart);
      expect(dollars.status).toBe(201);
      expect(dollars.body.currency).toBe('USD');
    });

    it('shows catalog price changes (staff PATCH with If-Match) and archived products as unavailable', async () => {
      const product = await createProduct([{ priceAmount: 1000 }, { priceAmount: 500 }]);
      const cart = await customerCart(ada);
      await addLine(cart, { variantId: product.variants[0].id, quantity: 2 }, { token: ada.accessToken });
      await addLine(cart, { variantId: product.variants[1].id, quantity: 1 }, { token: ada.accessToken });
      const patched = await t.request('PATCH', `/v1/products/${product.id}/variants/${product.variants[0].id}`, {
        token: manager.accessToken,
        headers: { 'if-match': product.etag },
        body: { priceAmount: 1250 },
      });
      expect(patched.status).toBe(200);
      const repriced = await t.request('GET', `/v1/carts/${cart}`, { token: ada.accessToken });
      const line = repriced.body.lines.find((l: { variantId: string }) => l.variantId === product.variants[0].id);
      expect(line).toMatchObject({ unitPriceAmount: 1250, lineTotalAmount: 2500, available: true });

      const archived = await t.request('POST', `/v1/products/${product.id}/archive`, { token: manager.accessToken });
      expect(archived.status).toBe(200);
      const after = await t.request('GET', `/v1/carts/${cart}`, { token: ada.accessToken });
      const mine = after.body.lines.filter((l: { productId: string }) => l.productId === product.id);
      expect(mine.every((l: { available: boolean }) => !l.available)).toBe(true);
      const availableTotal = after.body.lines.filter((l: { available: boolean }) => l.available).reduce((s: number, l: { lineTotalAmount: number }) => s + l.lineTotalAmount, 0);
      expect(after.body.subtotalAmount).toBe(availableTotal);
      // Clean up Ada's cart for later tests.
      for (const l of after.body.lines) await t.request('DELETE', `/v1/carts/${cart}/lines/${l.id}`, { token: ada.accessToken });
    });

    it('rejects quantities of 0, negative, fractional, strings and above the configured maximum (400 naming quantity)', async () => {
      const cart = await guestCart();
      const variantId = mug.variants[0].id;
      for (const quantity of [0, -1, 1.5, '2', null, MAX_QUANTITY + 1, 1e9]) {
        const response = await addLine(cart.id, { variantId, quantity }, cart);
        expectProblem(response, 400);
        expect(invalidFields(response)).toEqual(['quantity']);
      }
      const { body } = await addLine(cart.id, { variantId, quantity: MAX_QUANTITY }, cart);
      const lineId = body.lines[0].id;
      for (const quantity of [0, -3, 2.5, MAX_QUANTITY + 1]) {
        const response = await t.request('PATCH', `/v1/carts/${cart.id}/lines/${lineId}`, { headers: cart.headers, body: { quantity } });
        expectProblem(response, 400);
        expect(invalidFields(response)).toEqual(['quantity']);
      }
      // Adding to a full line would pass the maximum: 422, and nothing changes.
      const over = await addLine(cart.id, { variantId, quantity: 1 }, cart);
      expectProblem(over, 422);
      expect((await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers })).body.lines[0].quantity).toBe(MAX_QUANTITY);
    });

    it('rejects price fields sent by the client (400) and never uses them', async () => {
      const cart = await guestCart();
      const variantId = mug.variants[0].id;
      for (const extra of [{ unitPriceAmount: 1 }, { priceAmount: 1 }, { lineTotalAmount: 0 }, { currency: 'USD' }]) {
        const response = await addLine(cart.id, { variantId, quantity: 1, ...extra }, cart);
        expectProblem(response, 400);
        expect(invalidFields(response)).toEqual(Object.keys(extra));
      }
      const { body } = await addLine(cart.id, { variantId, quantity: 1 }, cart);
      const patch = await t.request('PATCH', `/v1/carts/${cart.id}/lines/${body.lines[0].id}`, { headers: cart.headers, body: { quantity: 2, unitPriceAmount: 1 } });
      expectProblem(patch, 400);
      const read = await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers });
      expect(read.body.lines[0]).toMatchObject({ quantity: 1, unitPriceAmount: 850 });
    });

    it('rejects unknown variants (404), archived or draft products (422), a second currency (422) and too many lines (422)', async () => {
      const cart = await guestCart();
      expectProblem(await addLine(cart.id, { variantId: MISSING_ID, quantity: 1 }, cart), 404);
      const invalid = await addLine(cart.id, { variantId: 'not-a-uuid', quantity: 1 }, cart);
      expectProblem(invalid, 400);
      expect(invalidFields(invalid)).toEqual(['variantId']);

      const archived = await createProduct([{ priceAmount: 100 }]);
      await t.request('POST', `/v1/products/${archived.id}/archive`, { token: manager.accessToken });
      expectProblem(await addLine(cart.id, { variantId: archived.variants[0].id, quantity: 1 }, cart), 422);
      const draft = await createProduct([{ priceAmount: 100 }], 'draft');
      expectProblem(await addLine(cart.id, { variantId: draft.variants[0].id, quantity: 1 }, cart), 422);

      expect((await addLine(cart.id, { variantId: mug.variants[0].id, quantity: 1 }, cart)).status).toBe(201);
      const mixed = await addLine(cart.id, { variantId: dollarHat.variants[0].id, quantity: 1 }, cart);
      expectProblem(mixed, 422);
      expect(mixed.body.detail).toMatch(/EUR/);

      const many = await createProduct(Array.from({ length: MAX_LINES + 2 }, (_, i) => ({ priceAmount: 100 + i, options: { n: String(i) } })));
      // In parallel: the cart's row lock lets exactly MAX_LINES lines in.
      const results = await Promise.all(many.variants.map((v) => addLine(cart.id, { variantId: v.id, quantity: 1 }, cart)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_LINES - 1);
      expect(results.filter((r) => r.status === 422)).toHaveLength(3);
      expect((await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers })).body.lines).toHaveLength(MAX_LINES);
    });

    it('sums parallel additions of one variant without losing any', async () => {
      const cart = await guestCart();
      const variantId = shirt.variants[0].id;
      const results = await Promise.all(Array.from({ length: 10 }, () => addLine(cart.id, { variantId, quantity: 1 }, cart)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 200)).toHaveLength(9);
      const read = await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers });
      expect(read.body.lines).toEqual([expect.objectContaining({ variantId, quantity: 10 })]);
    });
  });

  describe('access: anyone but the owner gets 404', () => {
    it('on every route, for another customer, another guest, a wrong token and no credentials; nothing changes', async () => {
      const adaCart = await customerCart(ada);
      const adaLine = await addLine(adaCart, { variantId: mug.variants[0].id, quantity: 1 }, { token: ada.accessToken });
      const guest = await guestCart();
      const guestLine = await addLine(guest.id, { variantId: mug.variants[0].id, quantity: 1 }, guest);
      const other = await guestCart();
      const adaBefore = await t.request('GET', `/v1/carts/${adaCart}`, { token: ada.accessToken });
      const guestBefore = await t.request('GET', `/v1/carts/${guest.id}`, { headers: guest.headers });

      const targets = [
        { id: adaCart, lineId: adaLine.body.lines.find((l: { variantId: string }) => l.variantId === mug.variants[0].id).id as string },
        { id: guest.id, lineId: guestLine.body.lines[0].id as string },
      ];
      const outsiders: { token?: string; headers?: Record<string, string> }[] = [
        { token: bob.accessToken },
        { headers: other.headers },
        { headers: { 'x-cart-token': 'ct_not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxxx' } },
        { token: bob.accessToken, headers: other.headers },
        {},
      ];
      for (const { id, lineId } of targets) {
        for (const auth of outsiders) {
          expectProblem(await t.request('GET', `/v1/carts/${id}`, auth), 404);
          expectProblem(await addLine(id, { variantId: mug.variants[0].id, quantity: 1 }, auth), 404);
          expectProblem(await t.request('PATCH', `/v1/carts/${id}/lines/${lineId}`, { ...auth, body: { quantity: 5 } }), 404);
          expectProblem(await t.request('DELETE', `/v1/carts/${id}/lines/${lineId}`, auth), 404);
        }
      }
      // Ada's bearer does not open the guest's cart, and the guest's token does not open Ada's.
      expectProblem(await t.request('GET', `/v1/carts/${guest.id}`, { token: ada.accessToken }), 404);
      expectProblem(await t.request('GET', `/v1/carts/${adaCart}`, { headers: guest.headers }), 404);
      // A line of another cart, through one's own cart: 404.
      expectProblem(await t.request('PATCH', `/v1/carts/${other.id}/lines/${targets[1].lineId}`, { headers: other.headers, body: { quantity: 2 } }), 404);
      expectProblem(await t.request('DELETE', `/v1/carts/${other.id}/lines/${targets[1].lineId}`, { headers: other.headers }), 404);
      for (const id of ['not-a-uuid', MISSING_ID]) {
        expectProblem(await t.request('GET', `/v1/carts/${id}`, { token: ada.accessToken }), 404);
        expectProblem(await addLine(id, { variantId: mug.variants[0].id, quantity: 1 }, { token: ada.accessToken }), 404);
      }

      const adaAfter = await t.request('GET', `/v1/carts/${adaCart}`, { token: ada.accessToken });
      const guestAfter = await t.request('GET', `/v1/carts/${guest.id}`, { headers: guest.headers });
      expect(adaAfter.body).toEqual(adaBefore.body);
      expect(guestAfter.body).toEqual(guestBefore.body);
      await t.request('DELETE', `/v1/carts/${adaCart}/lines/${targets[0].lineId}`, { token: ada.accessToken });
    });

    it('answers 404 for an expired guest cart', async () => {
      const cart = await guestCart();
      await addLine(cart.id, { variantId: mug.variants[0].id, quantity: 1 }, cart);
      await t.get(DataSource).createQueryBuilder().update(Cart).set({ expiresAt: new Date(Date.now() - 1000) }).where('id = :id', { id: cart.id }).execute();
      expectProblem(await t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers }), 404);
      expectProblem(await addLine(cart.id, { variantId: mug.variants[0].id, quantity: 1 }, cart), 404);
    });
  });

  describe('merge on sign-in', () => {
    const login = (email: string, cartToken?: string) =>
      t.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD, ...(cartToken === undefined ? {} : { cartToken }) } });
    const expectTokenPair = (response: ApiResponse) => {
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    };

    it('moves the guest cart\'s lines into the customer\'s cart (sums capped at the maximum) and removes the guest cart', async () => {
      const customer = await signUp(t);
      const cartId = await customerCart(customer);
      const [m, l] = shirt.variants;
      await addLine(cartId, { variantId: m.id, quantity: 15 }, { token: customer.accessToken });
      const guest = await guestCart();
      await addLine(guest.id, { variantId: m.id, quantity: 8 }, guest);
      await addLine(guest.id, { variantId: l.id, quantity: 2 }, guest);
      await addLine(guest.id, { variantId: mug.variants[0].id, quantity: 1 }, guest);

      const signedIn = await login(customer.email, guest.cartToken);
      expectTokenPair(signedIn);
      const merged = await t.request('GET', `/v1/carts/${cartId}`, { token: signedIn.body.accessToken });
      const quantities = Object.fromEntries(merged.body.lines.map((line: { variantId: string; quantity: number }) => [line.variantId, line.quantity]));
      expect(quantities).toEqual({ [m.id]: MAX_QUANTITY, [l.id]: 2, [mug.variants[0].id]: 1 });
      expectProblem(await t.request('GET', `/v1/carts/${guest.id}`, { headers: guest.headers }), 404);
      const [{ n }] = await t.get(DataSource).query('SELECT COUNT(*) AS n FROM carts WHERE id = ?', [guest.id]);
      expect(Number(n)).toBe(0);

      // The token again (already merged): ignored, sign-in still works, nothing changes.
      expectTokenPair(await login(customer.email, guest.cartToken));
      expect((await t.request('GET', `/v1/carts/${cartId}`, { token: customer.accessToken })).body.lines).toEqual(merged.body.lines);
    });

    it('makes the customer a cart when they have none, in the guest cart\'s currency', async () => {
      const customer = await signUp(t);
      const guest = await guestCart();
      await addLine(guest.id, { variantId: dollarHat.variants[0].id, quantity: 3 }, guest);
      expectTokenPair(await login(customer.email, guest.cartToken));
      const opened = await t.request('POST', '/v1/carts', { token: customer.accessToken });
      expect(opened.status).toBe(200);
      expect(opened.body).toMatchObject({ currency: 'USD', itemCount: 3, lines: [{ variantId: dollarHat.variants[0].id, quantity: 3 }] });
    });

    it('ignores unknown tokens and another customer\'s cart; a bad password still fails', async () => {
      const customer = await signUp(t);
      const cartId = await customerCart(customer);
      expectTokenPair(await login(customer.email, 'ct_unknown-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'));
      expectTokenPair(await login(customer.email, 'x'));
      // Another customer's cart cannot be taken by naming its id, nor by any token.
      const adaCart = await customerCart(ada);
      await addLine(adaCart, { variantId: mug.variants[0].id, quantity: 2 }, { token: ada.accessToken });
      expectTokenPair(await login(customer.email, adaCart));
      expect((await t.request('GET', `/v1/carts/${cartId}`, { token: customer.accessToken })).body.lines).toEqual([]);
      expect((await t.request('GET', `/v1/carts/${adaCart}`, { token: ada.accessToken })).body.itemCount).toBeGreaterThanOrEqual(2);

      const invalid = await t.request('POST', '/v1/auth/login', { body: { email: customer.email, password: PASSWORD, cartToken: 'x'.repeat(201) } });
      expectProblem(invalid, 400);
      expect(invalidFields(invalid)).toEqual(['cartToken']);
      const guest = await guestCart();
      await addLine(guest.id, { variantId: mug.variants[0].id, quantity: 1 }, guest);
      expectProblem(await t.request('POST', '/v1/auth/login', { body: { email: customer.email, password: 'wrong-password-123', cartToken: guest.cartToken } }), 401);
      // A failed sign-in leaves the guest cart alone.
      expect((await t.request('GET', `/v1/carts/${guest.id}`, { headers: guest.headers })).body.itemCount).toBe(1);
    });
  });

  describe('the checkout contract (CartsService)', () => {
    it('loadForCheckout: current catalog prices for the owner, 404 for anyone else, 422 when empty or unavailable', async () => {
      const carts = t.get(CartsService);
      const tx = t.get(TransactionService);
      const product = await createProduct([{ priceAmount: 700, options: { colour: 'blue' } }]);
      const customer = await signUp(t);
      const cartId = await customerCart(customer);
      await expect(tx.run((m) => carts.loadForCheckout(m, cartId, { userId: customer.id }))).rejects.toMatchObject({ status: 422 });
      await addLine(cartId, { variantId: product.variants[0].id, quantity: 3 }, { token: customer.accessToken });
      await t.request('PATCH', `/v1/products/${product.id}/variants/${product.variants[0].id}`, {
        token: manager.accessToken,
        headers: { 'if-match': product.etag },
        body: { priceAmount: 725 },
      });
      const loaded = await tx.run((m) => carts.loadForCheckout(m, cartId, { userId: customer.id }));
      expect(loaded).toEqual({
        id: cartId,
        userId: customer.id,
        guestTokenHash: null,
        currency: 'EUR',
        lines: [{ variantId: product.variants[0].id, productId: product.id, sku: product.variants[0].sku, productName: 'Classic T-shirt', options: { colour: 'blue' }, quantity: 3, unitPriceAmount: 725 }],
      });
      for (const access of [{ userId: bob.id }, {}, { cartToken: 'ct_whatever' }]) {
        await expect(tx.run((m) => carts.loadForCheckout(m, cartId, access))).rejects.toMatchObject({ status: 404 });
      }
      await expect(tx.run((m) => carts.loadForCheckout(m, 'nope', { userId: customer.id }))).rejects.toMatchObject({ status: 404 });

      const guest = await guestCart();
      await addLine(guest.id, { variantId: product.variants[0].id, quantity: 1 }, guest);
      const guestLoaded = await tx.run((m) => carts.loadForCheckout(m, guest.id, { cartToken: guest.cartToken }));
      expect(guestLoaded).toMatchObject({ userId: null, guestTokenHash: hashCartToken(guest.cartToken), lines: [{ quantity: 1, unitPriceAmount: 725 }] });
      await expect(tx.run((m) => carts.loadForCheckout(m, guest.id, { userId: customer.id }))).rejects.toMatchObject({ status: 404 });

      await t.request('POST', `/v1/products/${product.id}/archive`, { token: manager.accessToken });
      const unavailable = tx.run((m) => carts.loadForCheckout(m, cartId, { userId: customer.id }));
      await expect(unavailable).rejects.toMatchObject({ status: 422, message: expect.stringContaining(product.variants[0].sku) });
    });

    it('markCheckedOut: once only (409 after), exactly one of 20 parallel calls wins; the cart is then frozen and the customer gets a new one', async () => {
      const carts = t.get(CartsService);
      const tx = t.get(TransactionService);
      const customer = await signUp(t);
      const cartId = await customerCart(customer);
      await addLine(cartId, { variantId: mug.variants[0].id, quantity: 1 }, { token: customer.accessToken });

      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          tx.run(async (m) => {
            await carts.loadForCheckout(m, cartId, { userId: customer.id });
            await carts.markCheckedOut(m, cartId);
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected).toHaveLength(19);
      expect(rejected.every((o) => (o.reason as { status?: number }).status === 409)).toBe(true);
      await expect(tx.run((m) => carts.markCheckedOut(m, cartId))).rejects.toMatchObject({ status: 409 });

      const read = await t.request('GET', `/v1/carts/${cartId}`, { token: customer.accessToken });
      expect(read.body.status).toBe('checked_out');
      expectProblem(await addLine(cartId, { variantId: mug.variants[0].id, quantity: 1 }, { token: customer.accessToken }), 409);
      expectProblem(await t.request('PATCH', `/v1/carts/${cartId}/lines/${read.body.lines[0].id}`, { token: customer.accessToken, body: { quantity: 2 } }), 409);
      expectProblem(await t.request('DELETE', `/v1/carts/${cartId}/lines/${read.body.lines[0].id}`, { token: customer.accessToken }), 409);
      // Still 404 for others, even though checked out.
      expectProblem(await addLine(cartId, { variantId: mug.variants[0].id, quantity: 1 }, { token: bob.accessToken }), 404);

      const next = await t.request('POST', '/v1/carts', { token: customer.accessToken });
      expect(next.status).toBe(201);
      expect(next.body.id).not.toBe(cartId);
      expect(next.body.lines).toEqual([]);
    });

    it('cartAccessOf reads the principal and X-Cart-Token; hashCartToken is SHA-256 hex', () => {
      expect(hashCartToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      const request = { user: { userId: 'u1', roles: [], permissions: new Set() }, headers: { 'x-cart-token': 'tok' } };
      expect(cartAccessOf(request as never)).toEqual({ userId: 'u1', cartToken: 'tok' });
      expect(cartAccessOf({ headers: { 'x-cart-token': '' } } as never)).toEqual({});
    });
  });
});
