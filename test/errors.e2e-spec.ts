import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { PASSWORD, signUp } from './support/factories';
import { expectProblem } from './support/problem';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

describe('error responses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const login = (options: Parameters<TestApp['request']>[2]) => t.request('POST', '/v1/auth/login', options);

  it('answers malformed JSON with 400', async () => {
    const response = await login({ rawBody: '{"email": ', headers: { 'content-type': 'application/json' } });
    expectProblem(response, 400, '/v1/auth/login');
    expect(response.body.detail).toBe('The request body is not valid JSON.');
  });

  it('answers a declared but empty JSON body with 400', async () => {
    const response = await login({ rawBody: '', headers: { 'content-type': 'application/json' } });
    expectProblem(response, 400);
    expect(response.body.detail).toMatch(/sends none/);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])('answers a %s body with 415 and says what to send', async (contentType) => {
    const response = await login({ rawBody: 'email=a@example.com&password=x', headers: { 'content-type': contentType } });
    expectProblem(response, 415);
    expect(response.body.type).toBe('urn:emporium:problem:unsupported-media-type');
    expect(response.body.detail).toBe('Send the request body as application/json.');
  });

  it('answers a 10 MB body with 413', async () => {
    const response = await login({ rawBody: `{"email":"${'a'.repeat(10 * 1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } });
    expectProblem(response, 413);
    expect(response.body.detail).toBe('The request body is larger than the server accepts.');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await t.request('GET', '/v1/no-such-thing?x=1');
    expectProblem(response, 404, '/v1/no-such-thing');
    expect(response.body.type).toBe('urn:emporium:problem:not-found');
  });

  it('answers a URL with broken percent-encoding with a 400 problem, though Fastify rejects it before routing', async () => {
    const response = await t.request('GET', '/v1/users/%E0%A4%A');
    expectProblem(response, 400, '/v1/users/%E0%A4%A');
    expect(response.body.detail).toBe('The URL is not validly percent-encoded.');
  });

  it('lists each invalid field of a failed validation', async () => {
    const response = await t.request('POST', '/v1/auth/register', { body: { email: 'not-an-email', password: PASSWORD, isAdmin: true } });
    expectProblem(response, 400);
    expect(response.body.type).toBe('urn:emporium:problem:validation');
    const fields = (response.body.errors as { field: string; message: string }[]).map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'isAdmin']));
    for (const error of response.body.errors) expect(error.message).toEqual(expect.any(String));
  });

  it('answers a duplicate with 409', async () => {
    const manager = await signUp(t, [Role.Manager]);
    const category = { name: 'Mugs', slug: 'duplicate-mugs' };
    expect((await t.request('POST', '/v1/categories', { token: manager.accessToken, body: category })).status).toBe(201);
    const response = await t.request('POST', '/v1/categories', { token: manager.accessToken, body: category });
    expectProblem(response, 409, '/v1/categories');
    expect(response.body.type).toBe('urn:emporium:problem:conflict');
  });

  it('answers 401 with a problem and a bearer challenge', async () => {
    const response = await t.request('GET', '/v1/me', { token: 'not-a-jwt' });
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ THROTTLE_LIMIT: '5', AUTH_THROTTLE_LIMIT: '3' });
  });
  afterAll(() => t.close());

  const expectTooManyRequests = (response: ApiResponse) => {
    expectProblem(response, 429);
    expect(response.body.detail).toBe('Too many requests; wait for the number of seconds in Retry-After, then try again.');
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  };

  it('limits sign-in attempts from one client with the stricter auth limit, which also counts against the general budget', async () => {
    const attempt = () => t.request('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'wrong-password' } });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expectTooManyRequests(limited);
    expect(limited.headers.get('x-ratelimit-remaining-auth')).toBe('0');
  });

  it('gives a client one general budget across all routes, not one per route', async () => {
    // Four sign-in attempts above used four of the five requests of the window.
    const fifth = await t.request('GET', '/v1/me');
    expect(fifth.status).toBe(401);
    expect(fifth.headers.get('x-ratelimit-remaining')).toBe('0');
    expectTooManyRequests(await t.request('GET', '/v1/categories'));
    expectTooManyRequests(await t.request('GET', '/v1/products'));
  });

  it('never limits health probes', async () => {
    for (let i = 0; i < 8; i++) expect((await t.request('GET', '/health/live')).status).toBe(200);
  });
});

describe('unexpected errors in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', JWT_SECRET: 'production-secret-that-is-long-enough-0001' });
  });
  afterAll(async () => {
    const dataSource = t.get(DataSource);
    if (!dataSource.isInitialized) await dataSource.initialize();
    await t.close();
  });

  it('answers 500 without stack traces, SQL or driver messages', async () => {
    const manager = await signUp(t, [Role.Manager]);
    // A schema the code does not expect: a bug, not a fault of the database.
    await t.get(DataSource).query('DROP TABLE tax_rates');
    const response = await t.request('GET', '/v1/tax-rates', { token: manager.accessToken });
    expectProblem(response, 500);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(response.body.detail).toBe('An unexpected error occurred. Quote the request id when reporting it.');
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/SELECT|FROM\s|\bat \S+ \(|\.ts:\d+|\.js:\d+|stack/i);
    expect(text).not.toMatch(/QueryFailed|sqlite|mysql|pool|connection|not open|not established|tax_rates/i);
  });

  it('answers 503 database-unavailable with Retry-After, without driver messages, once the pool is closed', async () => {
    await t.get(DataSource).destroy();
    const response = await t.request('POST', '/v1/auth/login', { body: { email: 'ada@example.com', password: PASSWORD } });
    expectProblem(response, 503);
    expect(response.body.type).toBe('urn:emporium:problem:database-unavailable');
    expect(response.headers.get('retry-after')).toBe('5');
    expect(JSON.stringify(response.body)).not.toMatch(/QueryFailed|sqlite|mysql|pool is|not open|not established/i);
  });
});
