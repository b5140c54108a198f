import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Role } from '../src/auth/permissions';
import { PASSWORD, signUp, SignedInUser } from './support/factories';
import { LogCapture } from './support/log-capture';
import { expectProblem } from './support/problem';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, onMysql, startTestApp, TEST_DATABASE_URL, TEST_METRICS_TOKEN, TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const METRICS_TOKEN = 'scraper-token-0123456789abcdef';

describe('observability', () => {
  let t: TestApp;
  let logs: LogCapture;
  let customer: SignedInUser;
  let admin: SignedInUser;
  beforeAll(async () => {
    logs = new LogCapture();
    t = await startTestApp({ LOG_LEVEL: 'info', METRICS_TOKEN }, { logDestination: logs });
    customer = await signUp(t);
    admin = await signUp(t, [Role.Admin]);
  });
  afterAll(() => t.close());

  describe('X-Request-Id', () => {
    it('echoes a well-formed id from the client', async () => {
      const response = await t.request('GET', '/health/live', { headers: { 'x-request-id': 'client-id_1.2:3' } });
      expect(response.headers.get('x-request-id')).toBe('client-id_1.2:3');
    });

    it.each([
      ['too long', 'x'.repeat(300)],
      ['with spaces', 'has spaces in it'],
      ['with markup', '<script>alert(1)</script>'],
    ])('replaces a malformed id (%s) with a generated UUID', async (_, id) => {
      const response = await t.request('GET', '/health/live', { headers: { 'x-request-id': id } });
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    });

    it('is on every response: success, client error and unknown route, matching the problem body', async () => {
      const ok = await t.request('GET', '/health/live');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-request-id')).toMatch(UUID);
      const unauthorized = await t.request('GET', '/v1/me', { headers: { 'x-request-id': 'req-401' } });
      expectProblem(unauthorized, 401);
      expect(unauthorized.body.requestId).toBe('req-401');
      const unknown = await t.request('GET', '/v1/nowhere', { headers: { 'x-request-id': 'req-404' } });
      expectProblem(unknown, 404);
      expect(unknown.body.requestId).toBe('req-404');
    });
  });

  describe('health', () => {
    it('reports liveness', async () => {
      const response = await t.request('GET', '/health/live');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });

    it('reports readiness with the database, disk and heap up to a caller holding metrics:read', async () => {
      const response = await t.request('GET', '/health/ready', { token: METRICS_TOKEN });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        status: 'ok',
        details: { database: { status: 'up' }, disk: { status: 'up' }, heap: { status: 'up' } },
      });
    });

    it('tells anonymous callers and customers the readiness status only', async () => {
      const customer = await signUp(t);
      for (const token of [undefined, customer.accessToken]) {
        const response = await t.request('GET', '/health/ready', { token });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
      }
    });
  });

  describe('/metrics', () => {
    it('refuses anonymous callers and customers', async () => {
      expectProblem(await t.request('GET', '/metrics'), 401);
      expectProblem(await t.request('GET', '/metrics', { token: customer.accessToken }), 403);
      expectProblem(await t.request('GET', '/metrics', { token: 'wrong-scraper-token-0123456789' }), 401);
    });

    it('serves Prometheus text to an admin, with request durations by route, pool and process metrics', async () => {
      expect((await t.request('GET', '/v1/me', { token: customer.accessToken })).status).toBe(200);
      const response = await t.request('GET', '/metrics', { token: admin.accessToken });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(response.body).toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/v1\/me"[^}]*status_code="200"[^}]*\} [1-9]/m);
      expect(response.body).toMatch(/^db_pool_connections\{state="total"\} [1-9]/m);
      expect(response.body).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(response.body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    });

    it('labels unknown paths as unmatched rather than by raw URL', async () => {
      await t.request('GET', '/v1/random-path-8c1f');
      const response = await t.request('GET', '/metrics', { token: admin.accessToken });
      expect(response.body).not.toContain('random-path-8c1f');
      expect(response.body).toMatch(/route="unmatched"/);
    });

    it('accepts the METRICS_TOKEN from config as a bearer token', async () => {
      const response = await t.request('GET', '/metrics', { token: METRICS_TOKEN });
      expect(response.status).toBe(200);
      expect(response.body).toContain('http_request_duration_seconds');
    });
  });

  describe('request log', () => {
    it('writes one JSON line per request with method, route, status, duration, request id and user id', async () => {
      await t.request('GET', '/v1/me', { token: customer.accessToken, headers: { 'x-request-id': 'log-me-1' } });
      await vi.waitFor(() => expect(logs.requestLines('log-me-1')).toHaveLength(1));
      expect(logs.requestLines('log-me-1')[0]).toMatchObject({
        level: 'info',
        method: 'GET',
        route: '/v1/me',
        status: 200,
        durationMs: expect.any(Number),
        requestId: 'log-me-1',
        userId: customer.id,
      });
    });

    it('ties every line written while handling a request to its request id, not only the request line', async () => {
      await t.request('POST', '/v1/auth/login', { body: { email: customer.email, password: 'wrong-password-1' }, headers: { 'x-request-id': 'log-inside-1' } });
      await vi.waitFor(() => expect(logs.lines.find((line) => line.event === 'login.failed' && line.requestId === 'log-inside-1')).toMatchObject({ level: 'warn' }));
      // Outside any request (start-up, timers) lines carry no request id.
      expect(logs.lines.filter((line) => line.event === 'login.failed' && line.requestId === undefined)).toEqual([]);
    });

    it('logs failures too, without a user for anonymous callers', async () => {
      await t.request('GET', '/v1/users/some-id', { headers: { 'x-request-id': 'log-anon-1' } });
      await vi.waitFor(() => expect(logs.requestLines('log-anon-1')).toHaveLength(1));
      const [line] = logs.requestLines('log-anon-1');
      expect(line).toMatchObject({ method: 'GET', route: '/v1/users/:id', status: 401 });
      expect(line).not.toHaveProperty('userId');
    });

    it('never writes passwords, tokens or authorization headers', async () => {
      const login = await t.request('POST', '/v1/auth/login', {
        body: { email: customer.email, password: PASSWORD },
        headers: { 'x-request-id': 'log-login-1' },
      });
      expect(login.status).toBe(200);
      await t.request('POST', '/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken }, headers: { 'x-request-id': 'log-refresh-1' } });
      await vi.waitFor(() => expect(logs.requestLines('log-refresh-1')).toHaveLength(1));
      const everything = JSON.stringify(logs.lines);
      expect(logs.lines.length).toBeGreaterThan(5);
      for (const secret of [PASSWORD, login.body.accessToken, login.body.refreshToken, customer.accessToken, admin.accessToken, METRICS_TOKEN]) {
        expect(everything).not.toContain(secret);
      }
    });
  });
});

describe('readiness during a database outage', () => {
  it.skipIf(!onMysql)('turns 503 while the database is unreachable and 200 once it is back, without a restart', async () => {
    const server = new URL(TEST_DATABASE_URL!);
    const proxy = new TcpProxy(server.hostname, Number(server.port || 3306));
    await proxy.open();
    const database = await createTestDatabase();
    const viaProxy = new URL(database.env.DATABASE_URL!);
    viaProxy.port = String(proxy.port);
    database.env.DATABASE_URL = viaProxy.toString();
    const t = await startTestApp({}, { database });
    try {
      expect((await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN })).status).toBe(200);

      await proxy.cut();
      const down = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expectProblem(down, 503, '/health/ready');
      expect(down.body.checks).toMatchObject({ database: { status: 'down' }, disk: { status: 'up' }, heap: { status: 'up' } });

      await proxy.open();
      const up = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expect(up.status).toBe(200);
      expect(up.body.details.database.status).toBe('up');
    } finally {
      await t.close();
      await proxy.cut();
    }
  });
});
