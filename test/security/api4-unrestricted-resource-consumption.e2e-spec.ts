/**
 * OWASP API4:2023 Unrestricted Resource Consumption: a JSON body may cost the server no more than
 * it takes to find its first breach of the limits (50,000 unknown members in one login body once
 * held the event loop for 4.7 s and came back as a 3.2 MB error list; 20,000 levels of nesting
 * overflowed class-transformer's stack, a 500); one request budget per client address across all
 * routes and one per account; connections that send their request too slowly are cut at
 * REQUEST_TIMEOUT_MS.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_LIMITS } from '../../src/common/http/json-screen';
import { MAX_FIELD_ERRORS } from '../../src/common/problem/problem';
import { ADDRESS, guestCart, newKey, setUpStaff, stockedProduct } from '../support/commerce';
import { invalidFields, signUp } from '../support/factories';
import { expectProblem } from '../support/problem';
import { ApiResponse, startTestApp, TestApp } from '../support/test-app';

const MIB = 1024 * 1024;
const { maxDepth, maxMembers, maxItems, maxValues } = JSON_LIMITS;

/** A login body of exactly `bytes` bytes: email and password, then unknown members (`"unknown_00002":null`), the last one padded. */
function loginWithUnknownMembers(bytes: number): { text: string; members: number } {
  const members = ['"email":"ada@example.com"', '"password":"x"'];
  let length = 2 + members.join(',').length;
  while (length < bytes - 30) {
    const member = `"unknown_${String(members.length).padStart(5, '0')}":null`;
    members.push(member);
    length += member.length + 1;
  }
  members.push(`"pad":"${'p'.repeat(bytes - length - 9)}"`);
  return { text: `{${members.join(',')}}`, members: members.length };
}

/** A login body of `count` members: email and password, then unknown ones. */
function loginWithMembers(count: number): Record<string, unknown> {
  const body: Record<string, unknown> = { email: 'ada@example.com', password: 'x' };
  for (let i = 2; i < count; i++) body[`unknown${i}`] = 0;
  return body;
}

/** Arrays of zeros holding `values` values in all (each array and each item counts), none longer than maxItems. */
function arraysOfValues(values: number): number[][] {
  const arrays: number[][] = [];
  for (let left = values; left > 0; left -= arrays[arrays.length - 1].length + 1) {
    arrays.push(new Array<number>(Math.min(maxItems, left - 1)).fill(0));
  }
  return arrays;
}

const nested = (open: string, close: string, levels: number, inner = '0') => open.repeat(levels) + inner + close.repeat(levels);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('hostile JSON bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const postText = (path: string, text: string, headers: Record<string, string> = {}) =>
    t.request('POST', path, { rawBody: text, headers: { 'content-type': 'application/json', ...headers } });

  /** Milliseconds from sending the request to having read the whole answer. */
  async function timed(path: string, body: Buffer): Promise<{ ms: number; status: number }> {
    const started = performance.now();
    const response = await fetch(t.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    return { ms: performance.now() - started, status: response.status };
  }

  const expectRefused = (response: ApiResponse, field: string, message: string) => {
    expectProblem(response, 400);
    expect(response.body.type).toBe('urn:emporium:problem:validation');
    expect(response.body.errors).toEqual([{ field, message }]);
    expect(response.body).not.toHaveProperty('omittedErrors');
  };

  describe('too many members', () => {
    const hostile = loginWithUnknownMembers(MIB);
    const hostileBytes = Buffer.from(hostile.text);

    it('refuses 1 MiB of 50,000 unknown members at once, with one short error', async () => {
      expect(hostileBytes.length).toBe(MIB);
      expect(hostile.members).toBeGreaterThan(49_000);

      const response = await postText('/v1/auth/login', hostile.text);
      expectRefused(response, 'body', `must have at most ${maxMembers} members`);
      expect(JSON.stringify(response.body).length).toBeLessThan(1000);

      // Sending and reading included, the best of ten: other test files may be keeping the machine
      // busy. It took 4.7 s, and building the object alone takes V8 longer than 50 ms.
      const runs = [];
      for (let i = 0; i < 10; i++) runs.push(await timed('/v1/auth/login', hostileBytes));
      expect(new Set(runs.map((run) => run.status))).toEqual(new Set([400]));
      expect(Math.min(...runs.map((run) => run.ms))).toBeLessThan(50);
    });

    it('keeps answering /health/live while such bodies arrive, four at a time', async () => {
      const statuses: number[] = [];
      let sending = true;
      const senders = Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 10; i++) statuses.push((await timed('/v1/auth/login', hostileBytes)).status);
      });
      const allSent = Promise.all(senders).finally(() => (sending = false));
      const probes: number[] = [];
      while (sending) {
        const started = performance.now();
        const live = await fetch(`${t.baseUrl}/health/live`);
        expect(live.status).toBe(200);
        probes.push(performance.now() - started);
      }
      await allSent;

      expect(statuses).toEqual(new Array(40).fill(400));
      expect(probes.length).toBeGreaterThanOrEqual(5);
      // One hostile body once held every other request for 4.7 s. The four senders share this
      // process's event loop with the app, so a probe waits for some of their sending too.
      expect(median(probes)).toBeLessThan(100);
      // A Kubernetes probe's default timeout is 1 s.
      expect(Math.max(...probes)).toBeLessThan(1000);
    });

    it('cuts a long member name that an error repeats to the documented lengths', async () => {
      const name = 'k'.repeat(100_000);
      const response = await t.request('POST', '/v1/auth/login', { body: { email: 'ada@example.com', password: 'x', [name]: 0 } });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([{ field: `${'k'.repeat(199)}…`, message: `property ${'k'.repeat(990)}…` }]);
    });

    it('refuses an object inside the body with too many members, naming it', async () => {
      const shippingAddress = { ...ADDRESS, ...Object.fromEntries(Array.from({ length: maxMembers - 4 }, (_, i) => [`extra${i}`, 'x'])) };
      expect(Object.keys(shippingAddress)).toHaveLength(maxMembers + 1);
      const response = await t.request('POST', '/v1/checkout', {
        headers: { 'idempotency-key': newKey() },
        body: { cartId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e', email: 'guest@example.com', shippingAddress },
      });
      expectRefused(response, 'shippingAddress', `must have at most ${maxMembers} members`);
    });

    it(`lets ${maxMembers} members through to validation, which lists ${MAX_FIELD_ERRORS} errors and counts the rest`, async () => {
      const response = await t.request('POST', '/v1/auth/login', { body: loginWithMembers(maxMembers) });
      expectProblem(response, 400);
      expect(response.body.type).toBe('urn:emporium:problem:validation');
      expect(response.body.errors).toHaveLength(MAX_FIELD_ERRORS);
      expect(response.body.errors[0]).toEqual({ field: 'unknown2', message: 'property unknown2 should not exist' });
      expect(response.body.omittedErrors).toBe(maxMembers - 2 - MAX_FIELD_ERRORS);
    });

    it('lists every error, and no count, when there are no more than that', async () => {
      const response = await t.request('POST', '/v1/auth/login', { body: loginWithMembers(2 + MAX_FIELD_ERRORS) });
      expectProblem(response, 400);
      expect(response.body.errors).toHaveLength(MAX_FIELD_ERRORS);
      expect(response.body).not.toHaveProperty('omittedErrors');
    });
  });

  describe('too many items', () => {
    const withJunk = (junk: unknown) => ({ email: 'ada@example.com', password: 'x', junk });

    it('refuses an array longer than the limit, naming it', async () => {
      const response = await t.request('POST', '/v1/auth/login', { body: withJunk(new Array(maxItems + 1).fill(0)) });
      expectRefused(response, 'junk', `must have at most ${maxItems} items`);
    });

    it('refuses more members and items in all than the limit, however they are spread', async () => {
      // email, password and junk are 3 of the values.
      const junk = arraysOfValues(maxValues - 3);
      const atLimit = await t.request('POST', '/v1/auth/login', { body: withJunk(junk) });
      expectProblem(atLimit, 400);
      expect(atLimit.body.errors).toEqual([{ field: 'junk', message: 'property junk should not exist' }]);

      junk[junk.length - 1].push(0);
      const response = await t.request('POST', '/v1/auth/login', { body: withJunk(junk) });
      expectRefused(response, 'body', `must have at most ${maxValues} members and items in all`);
    });

    it(`lets ${maxItems} items through to validation`, async () => {
      const response = await t.request('POST', '/v1/auth/login', { body: withJunk(new Array(maxItems).fill(0)) });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([{ field: 'junk', message: 'property junk should not exist' }]);
    });
  });

  describe('deep nesting', () => {
    it('refuses 20,000 levels of arrays with 400, naming the first level too deep', async () => {
      const response = await postText('/v1/auth/login', `{"email":${nested('[', ']', 20_000)},"password":"x"}`);
      expectRefused(response, `email${'.0'.repeat(maxDepth - 1)}`, `is nested more than ${maxDepth} levels deep`);
    });

    it('refuses 20,000 levels of objects with 400', async () => {
      const response = await postText('/v1/auth/register', `{"email":${nested('{"a":', '}', 20_000)},"password":"x"}`);
      expectRefused(response, `email${'.a'.repeat(maxDepth - 1)}`, `is nested more than ${maxDepth} levels deep`);
    });

    it('refuses deep nesting inside an otherwise valid checkout body, before the checkout runs', async () => {
      const staff = await setUpStaff(t);
      const [variant] = await stockedProduct(t, staff, 5);
      const cart = await guestCart(t, [{ variantId: variant.variantId, quantity: 1 }]);
      const body = JSON.stringify({ cartId: cart.id, email: 'guest@example.com', shippingAddress: { ...ADDRESS, line2: '<deep>' } });
      const checkout = (line2: string) =>
        postText('/v1/checkout', body.replace('"<deep>"', line2), { ...cart.headers, 'idempotency-key': newKey() });

      const response = await checkout(nested('[', ']', 20_000));
      expectRefused(response, `shippingAddress.line2${'.0'.repeat(maxDepth - 2)}`, `is nested more than ${maxDepth} levels deep`);

      // Just under the limit the body reaches validation, which names the field.
      const underLimit = await checkout(nested('[', ']', maxDepth - 2));
      expectProblem(underLimit, 400);
      expect(invalidFields(underLimit)).toEqual(['shippingAddress.line2']);

      // And the cart is still there to check out.
      expect((await checkout('"Flat 3"')).status).toBe(201);
    });
  });
});

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
