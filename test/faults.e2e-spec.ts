import Database from 'better-sqlite3';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PaymentKind, PaymentStatus } from '../src/payments/entities/payment.entity';
import { checkout, guestCart, newKey, pay, setUpStaff, Staff, stockedProduct } from './support/commerce';
import { LogCapture } from './support/log-capture';
import { expectProblem } from './support/problem';
import { freePort, ServerProcess } from './support/server-process';
import { TcpProxy } from './support/tcp-proxy';
import { ApiResponse, createTestDatabase, onMysql, startTestApp, TEST_DATABASE_URL, TEST_METRICS_TOKEN, TestApp, TestDatabase } from './support/test-app';

/**
 * Faults are answered cleanly: the real database connection cut or locked, Redis killed and
 * frozen, the real process killed, shut down, and started before its database.
 */

const MYSQL_SERVER = TEST_DATABASE_URL?.replace(/\/[^/]*$/, (tail) => (tail.includes('@') || tail.includes(':') ? tail : '')).replace(/\/$/, '');
const JWT_SECRET = 'faults-secret-faults-secret-faults-secret-01';
const ADMIN = { email: 'faults-admin@example.com', password: 'faults-admin-password-1' };

/** A test database reached through a TCP proxy that the test can cut (MySQL/MariaDB only). */
async function databaseBehindProxy(): Promise<{ database: TestDatabase; proxy: TcpProxy }> {
  const database = await createTestDatabase();
  const url = new URL(database.env.DATABASE_URL!);
  const proxy = new TcpProxy(url.hostname, Number(url.port || 3306));
  await proxy.open();
  url.port = String(proxy.port);
  database.env.DATABASE_URL = url.toString();
  return { database, proxy };
}

/** Sends `request` until its status is none of `passing`; the answer and how long that took. */
async function until(request: () => Promise<ApiResponse>, passing: number[], deadlineMs = 20_000): Promise<{ answer: ApiResponse; afterMs: number }> {
  const started = performance.now();
  for (;;) {
    const answer = await request();
    if (!passing.includes(answer.status) || performance.now() - started > deadlineMs) return { answer, afterMs: performance.now() - started };
    await sleep(100);
  }
}

describe('database faults are 503 problems with Retry-After, of their own types', () => {
  let t: TestApp;
  let staff: Staff;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_LOCK_TIMEOUT_SECONDS: '1', DATABASE_TRANSACTION_RETRIES: '1' });
    staff = await setUpStaff(t);
  });
  afterAll(() => t.close());

  it('answers a lock wait that outlives the retries with 503 database-lock-timeout, and works once the lock is gone', async () => {
    const [variant] = await stockedProduct(t, staff, 10);
    const adjust = () =>
      t.request('POST', '/v1/inventory/adjustments', {
        token: staff.accessToken,
        body: { variantId: variant.variantId, locationId: staff.locationId, delta: -1, reason: 'stocktake' },
      });
    let release: () => Promise<void>;
    if (onMysql) {
      const holder = await createConnection({ uri: t.config.database.url! });
      await holder.query('START TRANSACTION');
      await holder.query('SELECT * FROM stock_levels WHERE variant_id = ? FOR UPDATE', [variant.variantId]);
      release = async () => {
        await holder.query('COMMIT');
        await holder.end();
      };
    } else {
      const holder = new Database(t.config.database.sqlitePath);
      holder.exec('BEGIN IMMEDIATE');
      release = () => {
        holder.exec('COMMIT');
        holder.close();
        return Promise.resolve();
      };
    }
    const locked = await adjust();
    await release();
    expectProblem(locked, 503);
    expect(locked.body.type).toBe('urn:emporium:problem:database-lock-timeout');
    expect(locked.headers.get('retry-after')).toBe('1');
    expect((await adjust()).status).toBe(200);
  });

});

describe.skipIf(!onMysql)('a deadlock', () => {
  let t: TestApp;
  let staff: Staff;
  beforeAll(async () => {
    // Long lock waits, so the deadlock forms before a lock wait times out; no retries, so it is answered.
    t = await startTestApp({ DATABASE_LOCK_TIMEOUT_SECONDS: '10', DATABASE_TRANSACTION_RETRIES: '0' });
    staff = await setUpStaff(t);
  });
  afterAll(() => t.close());

  it('answers a deadlock that outlives the retries with 503 database-deadlock; a retry with the same key then checks out', async () => {
    const variants = (await stockedProduct(t, staff, 10, [1000, 2000])).sort((a, b) => (a.variantId < b.variantId ? -1 : 1));
    const cart = await guestCart(t, variants.map((variant) => ({ variantId: variant.variantId, quantity: 1 })));
    const other = await createConnection({ uri: t.config.database.url! });
    try {
      await other.query('CREATE TABLE deadlock_ballast (id INT PRIMARY KEY)');
      await other.query('START TRANSACTION');
      // Heavier than the checkout's transaction, so InnoDB rolls the checkout back, not this one.
      await other.query(`INSERT INTO deadlock_ballast (id) VALUES ${Array.from({ length: 500 }, (_, i) => `(${i})`).join(',')}`);
      await other.query('SELECT * FROM stock_levels WHERE variant_id = ? FOR UPDATE', [variants[1].variantId]);
      const key = newKey();
      const answer = checkout(t, cart, { key });
      // The checkout now holds the first variant's level and waits for the second one's.
      for (let i = 0; i < 100; i++) {
        const [waiting] = await other.query<any[]>(
          'SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id ' +
            "WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()",
        );
        if (Number(waiting[0].n) > 0) break;
        await sleep(20);
      }
      await other.query('SELECT * FROM stock_levels WHERE variant_id = ? FOR UPDATE', [variants[0].variantId]);
      const refused = await answer;
      await other.query('ROLLBACK');
      expectProblem(refused, 503);
      expect(refused.body.type).toBe('urn:emporium:problem:database-deadlock');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await checkout(t, cart, { key })).status).toBe(201);
    } finally {
      await other.end();
    }
  });
});

describe.skipIf(!onMysql)('the database connection cut', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let logs: LogCapture;
  beforeAll(async () => {
    const behind = await databaseBehindProxy();
    proxy = behind.proxy;
    logs = new LogCapture();
    t = await startTestApp({ PAYMENTS_TEST_FAILURE_DELAY_MS: '1500', LOG_LEVEL: 'warn' }, { database: behind.database, logDestination: logs });
  });
  // A test that fails while the connection is cut must not leave it cut for the next one.
  afterEach(() => proxy.open().catch(() => undefined));
  afterAll(async () => {
    await t.close();
    await proxy.cut();
  });

  it('is a 503 database-unavailable with Retry-After, logged with its cause, and the same request works once it is back', async () => {
    const staff = await setUpStaff(t);
    await proxy.cut();
    const down = await t.request('GET', '/v1/inventory/movements', { token: staff.accessToken, headers: { 'x-request-id': 'db-down-1' } });
    expectProblem(down, 503);
    expect(down.body.type).toBe('urn:emporium:problem:database-unavailable');
    expect(down.headers.get('retry-after')).toBe('5');
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|PROTOCOL|mysql|127\.0\.0\.1/i);
    const logged = logs.lines.find((line) => line.problem === 'urn:emporium:problem:database-unavailable');
    expect(logged, JSON.stringify(logs.lines.filter((line) => line.level === 'error'))).toMatchObject({ level: 'error', requestId: 'db-down-1', err: expect.anything() });
    await proxy.open();
    const { answer } = await until(() => t.request('GET', '/v1/inventory/movements', { token: staff.accessToken }), [503]);
    expect(answer.status).toBe(200);
  });

  it('lets a retry with the same Idempotency-Key run as soon as the database is back, though the release failed during the outage', async () => {
    const staff = await setUpStaff(t);
    const [variant] = await stockedProduct(t, staff, 5);
    const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
    const order = (await checkout(t, cart)).body;
    const key = newKey();
    const first = pay(t, cart, order.id, 'tok_fail_after_delay', key);
    await sleep(300);
    await proxy.cut(); // while the provider works: recording the outcome, and giving the key back, fail
    expectProblem(await first, 503);
    await sleep(500);
    await proxy.open();
    const { answer, afterMs } = await until(() => pay(t, cart, order.id, 'tok_fail_after_delay', key), [409, 503]);
    // It ran again (the provider declined again), instead of "still in progress" until the claim timed out.
    expectProblem(answer, 402);
    expect(afterMs).toBeLessThan(5000);
    expect((await pay(t, cart, order.id, 'tok_success', newKey())).status).toBe(201);
  });
});

describe('a process killed in the middle of a payment', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'emporium-faults-'));
  const databaseName = `emporium_faults_${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseEnv = MYSQL_SERVER ? { DATABASE_URL: `${MYSQL_SERVER}/${databaseName}` } : { DATABASE_SQLITE_PATH: join(scratch, 'faults.sqlite') };
  let port: number;
  let server: ServerProcess | undefined;

  const env = (failureDelayMs: number) => ({
    ...databaseEnv,
    JWT_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '3',
    PAYMENTS_ATTEMPT_TIMEOUT_SECONDS: '3',
    PAYMENTS_PROVIDERS: 'test',
    PAYMENTS_TEST_PROVIDER_IN_PRODUCTION: 'true',
    PAYMENTS_TEST_FAILURE_DELAY_MS: String(failureDelayMs),
  });

  beforeAll(async () => {
    if (MYSQL_SERVER) {
      const admin = await createConnection({ uri: MYSQL_SERVER });
      await admin.query(`CREATE DATABASE \`${databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await admin.end();
    }
    port = await freePort();
  });
  afterAll(async () => {
    await server?.kill();
    if (MYSQL_SERVER) {
      const admin = await createConnection({ uri: MYSQL_SERVER });
      await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
      await admin.end();
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('frees its Idempotency-Key and its payment attempt within seconds of the restart (their heartbeats stopped)', async () => {
    server = new ServerProcess(port, env(10_000));
    await server.start();
    const { body: login } = await server.call('POST', '/v1/auth/login', { body: ADMIN });
    const token = login.accessToken as string;
    const location = await server.call('POST', '/v1/stock-locations', {
      token,
      body: { code: 'main', name: 'Main', address: { line1: 'Weg 1', city: 'Berlin', postalCode: '10115', country: 'DE' } },
    });
    await server.call('PUT', '/v1/shipping-rates/DE/EUR', { token, body: { amount: 500 } });
    await server.call('PUT', '/v1/tax-rates/DE', { token, body: { rateBps: 1900 } });
    const product = await server.call('POST', '/v1/products', {
      token,
      body: { slug: 'killed', name: 'Killed', status: 'active', variants: [{ sku: 'KILLED-1', priceAmount: 1000, currency: 'EUR' }] },
    });
    const variantId = product.body.variants[0].id as string;
    await server.call('POST', '/v1/inventory/receipts', { token, body: { variantId, locationId: location.body.id, quantity: 5 } });
    const cart = await server.call('POST', '/v1/carts');
    const headers = { 'x-cart-token': cart.body.cartToken as string };
    await server.call('POST', `/v1/carts/${cart.body.id}/lines`, { headers, body: { variantId, quantity: 1 } });
    const order = await server.call('POST', '/v1/checkout', {
      headers: { ...headers, 'idempotency-key': newKey() },
      body: { cartId: cart.body.id, email: 'killed@example.com', shippingAddress: { fullName: 'A', line1: 'B 1', city: 'Berlin', postalCode: '10115', country: 'DE' } },
    });
    expect(order.status).toBe(201);

    const key = newKey();
    const payment = { headers: { ...headers, 'idempotency-key': key }, body: { provider: 'test', source: 'tok_fail_after_delay' } };
    void server.call('POST', `/v1/orders/${order.body.id}/payments`, payment).catch(() => undefined);
    await sleep(1000); // the key is claimed and the order's payment attempt begun; the provider is working
    await server.kill('SIGKILL');
    const killedAt = performance.now();

    server = new ServerProcess(port, env(50));
    await server.start();
    let retry = await server.call('POST', `/v1/orders/${order.body.id}/payments`, payment);
    while ([409].includes(retry.status) && performance.now() - killedAt < 30_000) {
      await sleep(100);
      retry = await server.call('POST', `/v1/orders/${order.body.id}/payments`, payment);
    }
    // Ran again after the dead owner's claims timed out (3 s here; 10 s by default).
    expect(retry.status).toBe(402);
    expect(performance.now() - killedAt).toBeLessThan(10_000);
    const paid = await server.call('POST', `/v1/orders/${order.body.id}/payments`, { headers: { ...headers, 'idempotency-key': newKey() }, body: { provider: 'test', source: 'tok_success' } });
    expect(paid.status).toBe(201);
  });
});

/** Whether something listens on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A Redis server of this test's own, to kill and freeze without touching the shared one. */
class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await accepts(this.port)); i++) await sleep(50);
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGKILL');
    await new Promise((resolve) => this.child!.once('exit', resolve));
  }
}

describe.skipIf(!existsSync('/usr/bin/redis-server') && !process.env.CI)('Redis killed and frozen', () => {
  let redis: OwnRedis;
  let a: TestApp;
  let b: TestApp;
  let staff: Staff;
  let productId: string;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    const env = { REDIS_URL: `redis://127.0.0.1:${redis.port}`, REDIS_COMMAND_TIMEOUT_MS: '300' };
    const database = await createTestDatabase();
    a = await startTestApp(env, { database });
    b = await startTestApp(env, { database });
    staff = await setUpStaff(a);
    [{ productId }] = await stockedProduct(a, staff, 1);
  });
  afterAll(async () => {
    await b.app.close();
    await a.close();
    await redis.stop();
  });

  const read = (t: TestApp) => t.request('GET', `/v1/products/${productId}`);
  const rename = async (name: string) => {
    const current = await a.request('GET', `/v1/products/${productId}`, { token: staff.accessToken });
    return a.request('PATCH', `/v1/products/${productId}`, { token: staff.accessToken, headers: { 'if-match': current.headers.get('etag')! }, body: { name } });
  };
  const readiness = async (t: TestApp) => {
    const { body } = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
    return body.degraded ? 'degraded' : (body.status as string);
  };

  it('answers a catalog write committed while Redis is dead with its success, serves no stale read, and does not wait for Redis meanwhile', async () => {
    await read(b);
    expect((await read(b)).body.name).not.toBe('Renamed while Redis is dead');
    redis.signal('SIGKILL');
    const renamed = await rename('Renamed while Redis is dead');
    expect(renamed.status).toBe(200);
    for (const t of [a, b]) expect((await read(t)).body.name).toBe('Renamed while Redis is dead');
    // The circuit is open: reads go to the database at once instead of waiting for Redis.
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      expect((await read(b)).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(250);
    }
    expect(await readiness(b)).toBe('degraded');

    await redis.start();
    await expect.poll(() => readiness(a), { timeout: 10_000 }).toBe('ok');
    await expect.poll(() => readiness(b), { timeout: 10_000 }).toBe('ok');
    for (const t of [a, b]) expect((await read(t)).body.name).toBe('Renamed while Redis is dead');
  });

  it('while Redis is dead, serves repeated reads from each instance\'s memory, and a write through one is seen at once through the other', async () => {
    const hits = async (t: TestApp) => {
      const text = (await t.request('GET', '/metrics', { token: TEST_METRICS_TOKEN })).body as string;
      return Number(/^cache_lookups_total\{cache="catalog",result="hit"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    redis.signal('SIGKILL');
    await rename('Kept in memory');
    await read(b);
    const before = await hits(b);
    for (let i = 0; i < 3; i++) expect((await read(b)).body.name).toBe('Kept in memory');
    expect(await hits(b)).toBe(before + 3);
    expect(await readiness(b)).toBe('degraded');

    expect((await rename('Changed through A')).status).toBe(200);
    expect((await read(b)).body.name).toBe('Changed through A');
    expect((await read(b)).body.name).toBe('Changed through A');
    expect(await hits(b)).toBe(before + 4);

    await redis.start();
    await expect.poll(() => readiness(a), { timeout: 10_000 }).toBe('ok');
    await expect.poll(() => readiness(b), { timeout: 10_000 }).toBe('ok');
    for (const t of [a, b]) expect((await read(t)).body.name).toBe('Changed through A');
  });

  it('serves no stale read after a write while Redis was frozen (SIGSTOP), once it thaws with the old entries still in it', async () => {
    await rename('Before the freeze');
    await read(b);
    expect((await read(b)).body.name).toBe('Before the freeze'); // cached
    redis.signal('SIGSTOP');
    const renamed = await rename('Renamed while Redis is frozen');
    expect(renamed.status).toBe(200);
    expect((await read(b)).body.name).toBe('Renamed while Redis is frozen');
    redis.signal('SIGCONT');
    await expect.poll(() => readiness(a), { timeout: 10_000 }).toBe('ok');
    await expect.poll(() => readiness(b), { timeout: 10_000 }).toBe('ok');
    for (let i = 0; i < 3; i++) for (const t of [a, b]) expect((await read(t)).body.name).toBe('Renamed while Redis is frozen');
  });
});

describe('graceful shutdown', () => {
  it('refuses new requests with a 503 problem and Retry-After, and waits for a handler whose client already got its timeout before closing the pool', async () => {
    const database = await createTestDatabase();
    const logs = new LogCapture();
    const t = await startTestApp({ REQUEST_TIMEOUT_MS: '2000', PAYMENTS_TEST_FAILURE_DELAY_MS: '4000', LOG_LEVEL: 'warn' }, { database, logDestination: logs });
    let orderId: string;
    try {
      const staff = await setUpStaff(t);
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      orderId = (await checkout(t, cart)).body.id;
      const timedOut = await pay(t, cart, orderId, 'tok_fail_after_delay');
      expectProblem(timedOut, 503); // the client stopped waiting; the handler goes on with the provider
      const closing = t.app.close();
      await sleep(100);
      const refused = await t.request('GET', '/health/live');
      expectProblem(refused, 503);
      expect(refused.body.type).toBe('urn:emporium:problem:shutting-down');
      expect(refused.headers.get('retry-after')).toBe('5');
      await closing;
    } finally {
      await t.app.close();
    }
    // The handler finished before the pool closed: its declined payment is recorded, and nothing failed.
    const db = new DataSource(onMysql ? { type: 'mysql', url: database.env.DATABASE_URL } : { type: 'better-sqlite3', database: database.env.DATABASE_SQLITE_PATH! });
    await db.initialize();
    try {
      const [row] = await db.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM payments WHERE order_id = ? AND kind = ? AND status = ?', [
        orderId!,
        PaymentKind.Capture,
        PaymentStatus.Failed,
      ]);
      expect(Number(row.n)).toBe(1);
    } finally {
      await db.destroy();
      await database.drop();
    }
    expect(logs.lines.filter((line) => /Pool is closed|not open|unexpected error/i.test(JSON.stringify(line)))).toEqual([]);
  });
});

describe.skipIf(!onMysql)('start-up before the database', () => {
  const databaseName = `emporium_startup_${process.pid}_${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    const admin = await createConnection({ uri: MYSQL_SERVER! });
    await admin.query(`CREATE DATABASE \`${databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
  });
  afterAll(async () => {
    const admin = await createConnection({ uri: MYSQL_SERVER! });
    await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
    await admin.end();
  });

  it('waits for a database that comes up after it, logging every attempt, then serves', async () => {
    const target = new URL(MYSQL_SERVER!);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    proxy.port = await freePort();
    const url = new URL(`${MYSQL_SERVER}/${databaseName}`);
    url.port = String(proxy.port);
    const server = new ServerProcess(await freePort(), { DATABASE_URL: url.toString(), JWT_SECRET, LOG_LEVEL: 'info' });
    try {
      server.spawn();
      // Two attempts logged while the database is still away (however slowly the process starts).
      await expect.poll(() => server.output.match(/does not answer yet/g)?.length ?? 0, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(2);
      await proxy.open();
      await server.ready(20_000);
      expect(server.output).toContain('the database answers');
    } finally {
      await server.kill();
      await proxy.cut();
    }
  });

  it('gives up after DATABASE_STARTUP_TIMEOUT_SECONDS with a clear message and a non-zero exit', async () => {
    const server = new ServerProcess(await freePort(), { DATABASE_URL: `mysql://root@127.0.0.1:${await freePort()}/${databaseName}`, JWT_SECRET, DATABASE_STARTUP_TIMEOUT_SECONDS: '2' });
    const started = performance.now();
    server.spawn();
    expect(await server.exited()).toBe(1);
    expect(performance.now() - started).toBeLessThan(8000);
    expect(server.output).toMatch(/did not answer within 2 s .*Check DATABASE_URL/);
  });
});

describe('several instances starting at once on an empty database', () => {
  it('take turns at the migrations: all three start, none trips over a table another just made', async () => {
    const database = await createTestDatabase();
    const servers = await Promise.all(Array.from({ length: 3 }, async () => new ServerProcess(await freePort(), { ...database.env, JWT_SECRET, LOG_LEVEL: 'info' })));
    try {
      for (const server of servers) server.spawn();
      await Promise.all(servers.map((server) => server.ready(60_000)));
      const output = servers.map((server) => server.output).join('\n');
      expect(output).not.toMatch(/already exists|duplicate/i);
      if (onMysql) expect(output.match(/"event":"db.migrated"/g)).toHaveLength(1);
      for (const server of servers) expect((await server.call('GET', '/health/ready')).status).toBe(200);
    } finally {
      await Promise.all(servers.map((server) => server.kill()));
      await database.drop();
    }
  });
});
