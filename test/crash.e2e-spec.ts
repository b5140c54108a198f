import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ServerProcess } from './support/server-process';
import { TEST_DATABASE_URL } from './support/test-app';

/**
 * A process killed with SIGKILL in the middle of a stream of checkouts: after a restart no order
 * lacks a line or a reservation, every order the clients were told about (201) is there, and a
 * retry with the same Idempotency-Key finds the order its lost answer was about.
 * Runs the built server (dist/, built by test/global-setup.ts when a source file is newer).
 */

const ADMIN = { email: 'crash-admin@example.com', password: 'crash-admin-password-1' };
const CARTS = 60;
const ACKS_BEFORE_KILL = 15;
const CONCURRENCY = 6;

interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

describe('a crash during checkouts', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'emporium-crash-'));
  const databaseName = `emporium_crash_${process.pid}_${randomBytes(3).toString('hex')}`;
  const mysqlServer = TEST_DATABASE_URL?.replace(/\/[^/]*$/, (tail) => (tail.includes('@') || tail.includes(':') ? tail : '')).replace(/\/$/, '');
  let server: ServerProcess;

  const env = () => ({
    LOG_LEVEL: 'error',
    JWT_SECRET: 'crash-secret-crash-secret-crash-secret-0001',
    THROTTLE_LIMIT: '1000000',
    AUTH_THROTTLE_LIMIT: '1000000',
    THROTTLE_ACCOUNT_LIMIT: '1000000',
    // Every checkout here comes from one address and one email: the unpaid-order caps are not under test.
    CHECKOUT_MAX_UNPAID_ORDERS_PER_ADDRESS: '1000000',
    CHECKOUT_MAX_UNPAID_ORDERS_PER_EMAIL: '1000000',
    CHECKOUT_MAX_RESERVED_UNITS_PER_ADDRESS: '100000000',
    CHECKOUT_MAX_RESERVED_UNITS_PER_EMAIL: '100000000',
    SEED_DEMO_DATA: 'false',
    ORDER_SWEEP_INTERVAL_MS: '0',
    // The crashed process's Idempotency-Key claims may be taken over after this (see the retries at the end).
    IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '1',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...(mysqlServer ? { DATABASE_URL: `${mysqlServer}/${databaseName}` } : { DATABASE_SQLITE_PATH: join(scratch, 'crash.sqlite') }),
  });

  const start = () => server.start();
  const kill = () => server.kill().then(() => undefined);
  const call = (...args: Parameters<ServerProcess['call']>) => server.call(...args);

  async function must(method: string, path: string, options: Parameters<typeof call>[2], ...statuses: number[]) {
    const response = await call(method, path, options);
    if (!statuses.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async function openDb(): Promise<Db> {
    const db = new DataSource(
      mysqlServer ? { type: 'mysql', url: `${mysqlServer}/${databaseName}` } : { type: 'better-sqlite3', database: join(scratch, 'crash.sqlite') },
    );
    await db.initialize();
    return {
      query: <T,>(sql: string, params: unknown[] = []) => db.query<T[]>(sql, params),
      close: () => db.destroy(),
    };
  }

  beforeAll(async () => {
    if (mysqlServer) {
      const admin = await createConnection({ uri: mysqlServer });
      await admin.query(`CREATE DATABASE \`${databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await admin.end();
    }
    server = new ServerProcess(await freePort(), env());
    await start();
  });

  afterAll(async () => {
    await kill();
    if (mysqlServer) {
      const admin = await createConnection({ uri: mysqlServer });
      await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
      await admin.end();
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('leaves no half order, and keeps every acknowledged one', async () => {
    // Setup through the API: admin, a location, two stocked variants, rates, guest carts with two lines each.
    const { accessToken: token } = await must('POST', '/v1/auth/login', { body: ADMIN }, 200);
    const location = await must('POST', '/v1/stock-locations', {
      token,
      body: { code: 'crash', name: 'Crash warehouse', address: { line1: 'Weg 1', city: 'Berlin', postalCode: '10115', country: 'DE' } },
    }, 201);
    await must('PUT', '/v1/shipping-rates/DE/EUR', { token, body: { amount: 500 } }, 200, 201);
    await must('PUT', '/v1/tax-rates/DE', { token, body: { rateBps: 1900 } }, 200, 201);
    const product = await must('POST', '/v1/products', {
      token,
      body: {
        slug: 'crash-product',
        name: 'Crash product',
        status: 'active',
        variants: [
          { sku: 'CRASH-A', priceAmount: 1000, currency: 'EUR' },
          { sku: 'CRASH-B', priceAmount: 2000, currency: 'EUR' },
        ],
      },
    }, 201);
    const variantIds: string[] = product.variants.map((variant: { id: string }) => variant.id);
    for (const variantId of variantIds) {
      await must('POST', '/v1/inventory/receipts', { token, body: { variantId, locationId: location.id, quantity: 1000 } }, 200, 201);
    }
    const carts: { id: string; token: string; key: string }[] = [];
    for (let i = 0; i < CARTS; i++) {
      const cart = await must('POST', '/v1/carts', {}, 201);
      for (const variantId of variantIds) {
        await must('POST', `/v1/carts/${cart.id}/lines`, { headers: { 'x-cart-token': cart.cartToken }, body: { variantId, quantity: 1 } }, 200, 201);
      }
      carts.push({ id: cart.id, token: cart.cartToken, key: `crash-${i}-${randomBytes(4).toString('hex')}` });
    }
    const checkout = (cart: (typeof carts)[number]) =>
      call('POST', '/v1/checkout', {
        headers: { 'x-cart-token': cart.token, 'idempotency-key': cart.key },
        body: { cartId: cart.id, email: 'crash@example.com', shippingAddress: { fullName: 'Ada', line1: 'Weg 2', city: 'Berlin', postalCode: '10117', country: 'DE' } },
      });

    // The stream: CONCURRENCY checkouts at a time; SIGKILL once ACKS_BEFORE_KILL were acknowledged.
    const acknowledged = new Map<string, string>(); // cart id -> order id
    const sent = new Set<string>();
    let next = 0;
    let killing: Promise<void> | undefined;
    const worker = async () => {
      while (next < carts.length && !killing) {
        const cart = carts[next++];
        sent.add(cart.id);
        try {
          const response = await checkout(cart);
          if (response.status === 201) acknowledged.set(cart.id, response.body.id);
          else if (!killing) throw new Error(`checkout: ${response.status} ${JSON.stringify(response.body)}`);
        } catch (error) {
          if (!killing) throw error;
        }
        if (acknowledged.size >= ACKS_BEFORE_KILL && !killing) killing = kill();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killing;
    expect(acknowledged.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    expect(sent.size).toBeLessThan(CARTS); // killed mid-stream

    await start();
    const db = await openDb();
    try {
      const orders = await db.query<{ id: string; cart_id: string }>('SELECT id, cart_id FROM orders');
      // Every acknowledged order is there.
      const present = new Map(orders.map((order) => [order.cart_id, order.id]));
      for (const [cartId, orderId] of acknowledged) expect(present.get(cartId)).toBe(orderId);
      // No order without all its lines and reservations; no checked-out cart without its order.
      for (const order of orders) {
        const lines = await db.query<{ variant_id: string; quantity: number }>('SELECT variant_id, quantity FROM order_lines WHERE order_id = ?', [order.id]);
        expect(lines.map((line) => line.variant_id).sort()).toEqual([...variantIds].sort());
        const reserved = await db.query<{ variant_id: string; reserved_delta: number }>(
          "SELECT variant_id, reserved_delta FROM stock_movements WHERE order_id = ? AND kind = 'reserved'",
          [order.id],
        );
        expect(reserved.map((row) => [row.variant_id, Number(row.reserved_delta)]).sort()).toEqual(variantIds.map((id) => [id, 1]).sort());
      }
      const checkedOut = await db.query<{ id: string }>("SELECT id FROM carts WHERE status = 'checked_out'");
      expect(checkedOut.map((cart) => cart.id).sort()).toEqual(orders.map((order) => order.cart_id).sort());
      // Stock: each order holds one unit of each variant; the ledger sums equal the levels.
      for (const variantId of variantIds) {
        const [level] = await db.query<{ on_hand: number; reserved: number }>('SELECT on_hand, reserved FROM stock_levels WHERE variant_id = ?', [variantId]);
        expect({ onHand: Number(level.on_hand), reserved: Number(level.reserved) }).toEqual({ onHand: 1000, reserved: orders.length });
        const [sums] = await db.query<{ on_hand: number; reserved: number }>(
          'SELECT SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved FROM stock_movements WHERE variant_id = ?',
          [variantId],
        );
        expect({ onHand: Number(sums.on_hand), reserved: Number(sums.reserved) }).toEqual({ onHand: 1000, reserved: orders.length });
      }
    } finally {
      await db.close();
    }

    // Retrying every sent checkout with its key: the committed ones return their order, the lost ones are made now.
    await sleep(1100); // the dead process's claims on the keys expire
    for (const cart of carts.filter((c) => sent.has(c.id))) {
      const retried = await checkout(cart);
      expect(retried.status, JSON.stringify(retried.body)).toBe(201);
      if (acknowledged.has(cart.id)) expect(retried.body.id).toBe(acknowledged.get(cart.id));
      const order = await must('GET', `/v1/orders/${retried.body.id}`, { token }, 200);
      expect(order.lines).toHaveLength(2);
    }
    const all = await must('GET', '/v1/orders?limit=100', { token }, 200);
    expect(all.data).toHaveLength(sent.size);
  });
});
