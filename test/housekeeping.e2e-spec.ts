import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessRevocation } from '../src/auth/entities/access-revocation.entity';
import { RefreshToken } from '../src/auth/entities/refresh-token.entity';
import { Cart } from '../src/carts/entities/cart.entity';
import { Purges } from '../src/housekeeping/purges';
import { IdempotencyKey } from '../src/idempotency/idempotency-key.entity';
import { UnpaidOrderHold } from '../src/orders/entities/unpaid-order-hold.entity';
import { guestCart } from './support/commerce';
import { signUp } from './support/factories';
import { createTestDatabase, onMysql, startTestApp, TEST_METRICS_TOKEN, TestApp } from './support/test-app';

const HOUR = 3_600_000;
const past = (ms: number) => new Date(Date.now() - ms);

describe('purges of tables that only grow', () => {
  let a: TestApp;
  let b: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    const database = await createTestDatabase();
    // A batch of 2 rows, so every purge below needs several batches.
    a = await startTestApp({ PURGE_BATCH_SIZE: '2' }, { database });
    b = await startTestApp({ PURGE_BATCH_SIZE: '2' }, { database });
    db = a.get(DataSource);
  });
  afterAll(async () => {
    await b.app.close();
    await a.close();
  });

  it('deletes expired guest carts, dead refresh tokens, expired idempotency keys and revocations, and idle holds, in batches; keeps the live ones', async () => {
    const expiredCarts = await Promise.all(Array.from({ length: 5 }, () => guestCart(a, [])));
    const liveCart = await guestCart(a, []);
    await db.getRepository(Cart).update(expiredCarts.map((cart) => cart.id), { expiresAt: past(HOUR) });

    const expiredUser = await signUp(a);
    const liveUser = await signUp(a);
    await db.getRepository(RefreshToken).update({ userId: expiredUser.id }, { expiresAt: past(HOUR) });
    const logout = await a.request('POST', '/v1/auth/logout', { body: { refreshToken: liveUser.refreshToken } });
    expect(logout.status).toBe(204);
    await db.getRepository(RefreshToken).update({ userId: liveUser.id }, { revokedAt: past(2 * 24 * HOUR) });
    const keptUser = await signUp(a);

    const now = new Date();
    await db.getRepository(IdempotencyKey).insert([
      { id: '0193f2a4-0000-7000-8000-000000000001', scope: 'anonymous', idemKey: 'old', requestHash: 'x'.repeat(64), state: 'completed', owner: null, lockedAt: now, createdAt: now, expiresAt: past(1000) },
      { id: '0193f2a4-0000-7000-8000-000000000002', scope: 'anonymous', idemKey: 'new', requestHash: 'x'.repeat(64), state: 'completed', owner: null, lockedAt: now, createdAt: now, expiresAt: new Date(Date.now() + HOUR) },
    ]);
    await db.createQueryBuilder().update(AccessRevocation).set({ expiresAt: past(1000) }).execute();
    await db.getRepository(UnpaidOrderHold).insert([
      { subject: 'address:192.0.2.1', orders: 0, units: 0, updatedAt: past(2 * 24 * HOUR) },
      { subject: 'address:192.0.2.2', orders: 1, units: 3, updatedAt: past(2 * 24 * HOUR) },
    ]);

    const deleted = await a.get(Purges).tick();
    expect(deleted).toMatchObject({ carts: 5, refresh_tokens: 2, idempotency_keys: 1, unpaid_order_holds: 1 });
    expect(deleted?.access_revocations).toBeGreaterThanOrEqual(1);

    expect(await db.getRepository(Cart).countBy({ id: liveCart.id })).toBe(1);
    expect(await db.getRepository(RefreshToken).countBy({ userId: keptUser.id })).toBe(1);
    expect(await db.getRepository(IdempotencyKey).countBy({ idemKey: 'new' })).toBe(1);
    expect((await db.getRepository(UnpaidOrderHold).find()).map((hold) => hold.subject)).toEqual(['address:192.0.2.2']);
    expect(await db.getRepository(AccessRevocation).count()).toBe(0);

    const metrics = (await a.request('GET', '/metrics', { token: TEST_METRICS_TOKEN })).body as string;
    expect(metrics).toMatch(/^purged_rows_total\{table="carts"\} 5$/m);
    expect(metrics).toMatch(/^purge_runs_total\{outcome="ran"\} 1$/m);
  });

  it('runs once per tick across instances: whoever takes the lease first runs, the other skips', async () => {
    const tick = new Date(Date.now() + 24 * HOUR);
    // At the same time on MySQL/MariaDB; one after the other on SQLite, where two connections in one
    // process writing at once would block each other's event loop (separate processes do not).
    const [fromA, fromB] = onMysql
      ? await Promise.all([a.get(Purges).tick(tick), b.get(Purges).tick(tick)])
      : [await a.get(Purges).tick(tick), await b.get(Purges).tick(tick)];
    expect([fromA, fromB].filter((result) => result !== undefined)).toHaveLength(1);
    // The next tick, after the lease (90 % of the interval) ran out, is free again.
    const next = new Date(tick.getTime() + a.config.housekeeping.purgeIntervalMs);
    expect(await b.get(Purges).tick(next)).toBeDefined();
  });
});
