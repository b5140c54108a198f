/**
 * OWASP API4:2023 Unrestricted Resource Consumption (budgets and slow clients): one request budget
 * per client address across all routes, a budget per account whichever address it comes from,
 * and connections that send their request too slowly are cut at REQUEST_TIMEOUT_MS.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/factories';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

describe('API4 one budget per client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ THROTTLE_LIMIT: '12', THROTTLE_ACCOUNT_LIMIT: '6', TRUST_PROXY: 'loopback' });
  });
  afterAll(() => t.close());

  it('counts every route against the same budget per address: spreading requests over routes buys nothing', async () => {
    const address = { 'x-forwarded-for': '198.51.100.20' };
    const routes = ['/v1/categories', '/v1/products', '/v1/me', '/v1/carts/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e', '/v1/products/by-slug/x', '/v1/orders'];
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await t.request('GET', routes[i % routes.length], { headers: address })).status);
    expect(statuses.slice(0, 12).every((status) => status !== 429)).toBe(true);
    expect(statuses.slice(12)).toEqual([429, 429, 429]);
    const refused = await t.request('GET', '/v1/variants/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e/availability', { headers: address });
    expectProblem(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is unaffected.
    expect((await t.request('GET', '/v1/categories', { headers: { 'x-forwarded-for': '198.51.100.21' } })).status).toBe(200);
  });

  it('limits a signed-in caller per account as well, whichever addresses the requests come from', async () => {
    const user = await signUp(t);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await t.request('GET', '/v1/me', { token: user.accessToken, headers: { 'x-forwarded-for': `198.51.100.${30 + i}` } });
      statuses.push(response.status);
      if (i === 0) expect(response.headers.get('x-ratelimit-limit')).toBe('6');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });
});

/** Sends `head` then one byte of `drip` every 100 ms; resolves with what came back and when the server closed. */
function dripRequest(port: number, head: string, drip: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => socket.writable && socket.write(drip[sent++ % drip.length]), 100);
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: performance.now() - started });
    });
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error('the server never cut the connection'));
    }, 10_000).unref();
  });
}

describe('API4 slow clients (slowloris)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ REQUEST_TIMEOUT_MS: '1000' });
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(() => t.close());

  it('cuts a body that trickles in at REQUEST_TIMEOUT_MS with a 408 problem', async () => {
    const head = 'POST /v1/auth/login HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"email":"';
    const { answer, closedAfterMs } = await dripRequest(port, head, 'a');
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(3000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain('application/problem+json');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 408, type: 'urn:emporium:problem:request-timeout' });
  });

  it('cuts headers that trickle in, too', async () => {
    const { answer, closedAfterMs } = await dripRequest(port, 'GET /health/live HTTP/1.1\r\nHost: shop\r\nX-Slow: ', 'x');
    expect(closedAfterMs).toBeLessThan(3000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('still serves a client that sends its request at once', async () => {
    expect((await t.request('GET', '/health/live')).status).toBe(200);
  });
});
