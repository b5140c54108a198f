// Fixtures of the checkout scenario of `npm run bench` (bench/run.mjs): guest carts written by bulk
// SQL, each with 3 lines over a spread of variants, and the checkout request for each.
//
// A cart is what Emporium's CartsService writes for a guest (src/carts/entities): status `open`,
// no user, the SHA-256 (hex) of its token in guest_token_hash, currency EUR (the seeded catalog's),
// version 1, expiring in 30 days; its lines hold variant and quantity only (prices are read from
// the catalog at checkout). Every cart is checked out exactly once: each server draws from its own
// pool, and the pools are topped up before each load.
import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export const CHECKOUT_PATH = '/v1/checkout';
export const LINES_PER_CART = 3;
export const CHECKOUT_EMAIL = 'bench@example.com';
export const CHECKOUT_ADDRESS = Object.freeze({ fullName: 'Ada Lovelace', line1: 'Lagerstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE' });
const BATCH = 1_000;
const GUEST_TTL_MS = 30 * 86_400_000;

/** mulberry32, seedable, so the spread of variants is the same from run to run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first `count` variants (by id) of active products priced in EUR: what carts are filled from. */
export async function cartVariants(admin, database, count) {
  const [rows] = await admin.query(
    `SELECT v.id FROM \`${database}\`.product_variants v JOIN \`${database}\`.products p ON p.id = v.product_id ` +
      `WHERE p.status = 'active' AND v.currency = 'EUR' ORDER BY v.id LIMIT ?`,
    [count],
  );
  if (rows.length < LINES_PER_CART) throw new Error(`only ${rows.length} active EUR variants to fill carts with`);
  return rows.map((row) => row.id);
}

/**
 * Makes guest carts in `database`: `make(n)` inserts n carts of 3 lines (distinct variants drawn
 * at random from `variantIds`, quantity 1) and returns [{ cartId, cartToken }]; `make(n, ids)`
 * puts exactly those variants in each.
 */
export function cartFactory(admin, database, variantIds, seed = 20_261_128) {
  const random = prng(seed);
  const prefix = randomBytes(6).toString('base64url');
  let made = 0;
  const pick = () => {
    const chosen = new Set();
    while (chosen.size < LINES_PER_CART) chosen.add(variantIds[Math.floor(random() * variantIds.length)]);
    return [...chosen];
  };
  return async function make(count, fixedVariants) {
    const carts = [];
    for (let start = 0; start < count; start += BATCH) {
      const now = new Date();
      const expiresAt = new Date(now.getTime() + GUEST_TTL_MS);
      const cartRows = [];
      const lineRows = [];
      for (let i = start; i < Math.min(count, start + BATCH); i++) {
        const cartToken = `ct_bench_${prefix}_${made++}`;
        const cartId = uuidv7();
        cartRows.push([cartId, null, null, createHash('sha256').update(cartToken).digest('hex'), 'open', 'EUR', 1, expiresAt, now, now]);
        for (const variantId of fixedVariants ?? pick()) lineRows.push([uuidv7(), cartId, variantId, 1, now, now]);
        carts.push({ cartId, cartToken });
      }
      await admin.query(
        `INSERT INTO \`${database}\`.carts (id, user_id, open_user_id, guest_token_hash, status, currency, version, expires_at, created_at, updated_at) VALUES ?`,
        [cartRows],
      );
      await admin.query(`INSERT INTO \`${database}\`.cart_lines (id, cart_id, variant_id, quantity, created_at, updated_at) VALUES ?`, [lineRows]);
    }
    return carts;
  };
}

/** The checkout of one cart as a guest: its token, a key of its own, email and a German address. */
export function checkoutRequest(cart, idempotencyKey) {
  return {
    method: 'POST',
    path: CHECKOUT_PATH,
    headers: { 'content-type': 'application/json', 'x-cart-token': cart.cartToken, 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ cartId: cart.cartId, email: CHECKOUT_EMAIL, shippingAddress: CHECKOUT_ADDRESS }),
  };
}

/** A pool of carts for one server, drawn in order, each once. */
export class CartPool {
  constructor(name, make) {
    this.name = name;
    this.make = make;
    this.carts = [];
    this.next = 0;
    this.exhausted = false;
    this.keys = 0;
  }

  get left() {
    return this.carts.length - this.next;
  }

  /** Tops the pool up to `count` unused carts. */
  async ensure(count) {
    if (this.next > 0) {
      this.carts = this.carts.slice(this.next);
      this.next = 0;
    }
    if (this.carts.length < count) this.carts.push(...(await this.make(count - this.carts.length)));
  }

  /** The next request; when the pool is empty it reuses the last cart (which fails) and says so in `exhausted`. */
  take() {
    if (this.next >= this.carts.length) this.exhausted = true;
    const cart = this.carts[Math.min(this.next++, this.carts.length - 1)];
    return checkoutRequest(cart, `bench-${this.name}-${++this.keys}`);
  }
}

/**
 * A response body with what differs from one checkout to the next (ids, timestamps) replaced by
 * placeholders, so two checkouts of equal carts compare equal.
 */
export function comparableOrder(body) {
  return JSON.parse(
    JSON.stringify(body)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>'),
  );
}

/** The keys and value types of a JSON value at every depth (arrays by their first element). */
export function jsonShape(value) {
  if (Array.isArray(value)) return [value.length ? jsonShape(value[0]) : 'empty'];
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonShape(v)]));
  return value === null ? 'null' : typeof value;
}
