/**
 * OWASP API2:2023 Broken Authentication (sessions and guessing): tokens without an expiry or with
 * a lifetime longer than configured are refused; sign-out and a roles change stop an access token
 * on every instance within a second; password guessing against one account is slowed, then locked
 * per account and address, and only at a much higher count per account, without locking the
 * owner out of an address they signed in from before.
 */
import { JwtService } from '@nestjs/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/permissions';
import { jwtClaims, PASSWORD, signUp, SignedInUser } from '../support/factories';
import { expectProblem } from '../support/problem';
import { skipRedisTests, TEST_REDIS_URL, uniqueRedisPrefix, deleteRedisKeys } from '../support/redis';
import { ApiResponse, createTestDatabase, startTestApp, TestApp, TestEnv } from '../support/test-app';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-000';
const signer = new JwtService({ secret: SECRET });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the request answers `status`; returns how long that took (ms). */
async function msUntil(status: number, request: () => Promise<ApiResponse>, deadlineMs = 3000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < deadlineMs) {
    if ((await request()).status === status) return performance.now() - started;
    await sleep(25);
  }
  throw new Error(`still not ${status} after ${deadlineMs} ms`);
}

describe('API2 access tokens', () => {
  let t: TestApp;
  let user: SignedInUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await signUp(t);
  });
  afterAll(() => t.close());

  const me = (token: string) => t.request('GET', '/v1/me', { token });

  it('accepts a token the server issued', async () => {
    expect((await me(user.accessToken)).status).toBe(200);
  });

  /** A token signed with the server's key, carrying the user's claims and exactly the given iat/exp. */
  const forge = (times: { iat?: number; exp?: number }) => {
    const { sub, sid, roles, ver } = jwtClaims(user.accessToken);
    // jsonwebtoken keeps a given iat, and adds the current time unless told not to.
    return signer.sign({ sub, sid, roles, ver, iss: 'emporium', ...times }, { noTimestamp: times.iat === undefined });
  };
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['without exp', () => forge({ iat: now() })],
    ['without iat', () => forge({ exp: now() + 600 })],
    ['living longer than JWT_ACCESS_TTL_SECONDS', () => forge({ iat: now(), exp: now() + 7 * 86_400 })],
    ['issued in the future', () => forge({ iat: now() + 3600, exp: now() + 4200 })],
    ['older than the maximum age, whatever its exp', () => forge({ iat: now() - 2000, exp: now() + 900 })],
  ])('refuses a correctly signed token %s (401)', async (_, token) => {
    expect((await me(forge({ iat: now(), exp: now() + 600 }))).status).toBe(200);
    const response = await me(token());
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('API2 revocation on every instance', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const database = await createTestDatabase();
    a = await startTestApp({}, { database });
    b = await startTestApp({}, { database });
  });
  afterAll(async () => {
    await b.app.close();
    await a.close();
  });

  it('stops an access token after sign-out: at once where it signed out, within a second on another instance', async () => {
    const user = await signUp(a);
    expect((await b.request('GET', '/v1/me', { token: user.accessToken })).status).toBe(200);
    expect((await a.request('POST', '/v1/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);
    expectProblem(await a.request('GET', '/v1/me', { token: user.accessToken }), 401);
    expect(await msUntil(401, () => b.request('GET', '/v1/me', { token: user.accessToken }))).toBeLessThan(1000);
    expectProblem(await a.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } }), 401);
  });

  it('stops a demoted manager\'s token within a second on another instance; other sessions of other users keep working', async () => {
    const admin = await signUp(a, [Role.Admin]);
    const manager = await signUp(a, [Role.Manager]);
    const bystander = await signUp(a, [Role.Manager]);
    const staffRead = (token: string) => b.request('GET', '/v1/inventory/movements', { token });
    expect((await staffRead(manager.accessToken)).status).toBe(200);
    expect((await a.request('PATCH', `/v1/users/${manager.id}/roles`, { token: admin.accessToken, body: { roles: ['customer'] } })).status).toBe(200);
    expect(await msUntil(401, () => staffRead(manager.accessToken))).toBeLessThan(1000);
    expect((await staffRead(bystander.accessToken)).status).toBe(200);
  });

  it('stops every access token of a session whose spent refresh token is presented again (theft)', async () => {
    const user = await signUp(a);
    const rotated = await a.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(rotated.status).toBe(200);
    expectProblem(await a.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } }), 401);
    for (const token of [user.accessToken, rotated.body.accessToken as string]) {
      expectProblem(await a.request('GET', '/v1/me', { token }), 401);
      expect(await msUntil(401, () => b.request('GET', '/v1/me', { token }))).toBeLessThan(1000);
    }
  });
});

/** A client at `address`, through a proxy the app trusts (loopback). */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('API2 password guessing on one account', () => {
  const LIMITS: TestEnv = {
    TRUST_PROXY: 'loopback',
    LOGIN_DELAY_AFTER_FAILURES: '3',
    LOGIN_LOCK_AFTER_FAILURES: '5',
    LOGIN_ACCOUNT_LOCK_AFTER_FAILURES: '30',
    LOGIN_LOCK_SECONDS: '900',
  };
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(LIMITS);
  });
  afterAll(() => t.close());

  const login = (email: string, password: string, address: string) => t.request('POST', '/v1/auth/login', { body: { email, password }, headers: from(address) });

  it('delays, then locks guessing from one address, refusing even the right password there, but not from another address', async () => {
    const victim = await signUp(t);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(victim.email, 'wrong-password-1', '203.0.113.1')).status);
    expect(statuses).toEqual([401, 401, 401]);
    const early = await login(victim.email, 'wrong-password-1', '203.0.113.1');
    expectProblem(early, 429);
    expect(early.headers.get('retry-after')).toBe('1');
    await sleep(1000);
    expect((await login(victim.email, 'wrong-password-1', '203.0.113.1')).status).toBe(401);
    await sleep(2000);
    expect((await login(victim.email, 'wrong-password-1', '203.0.113.1')).status).toBe(401);
    const locked = await login(victim.email, PASSWORD, '203.0.113.1');
    expectProblem(locked, 429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(890);
    // The owner elsewhere is not locked out, and their success resets the account's count.
    expect((await login(victim.email, PASSWORD, '198.51.100.7')).status).toBe(200);
  });

  it('answers a burst of parallel guesses with at most the few attempts the delay allows', async () => {
    const victim = await signUp(t);
    const answers = await Promise.all(Array.from({ length: 40 }, () => login(victim.email, 'wrong-password-2', '203.0.113.2')));
    // Three before the delay; a fourth only if the burst lasted past the one-second delay.
    const counted = answers.filter((answer) => answer.status === 401).length;
    expect(counted).toBeGreaterThanOrEqual(3);
    expect(counted).toBeLessThanOrEqual(4);
    expect(answers.filter((answer) => answer.status === 429).length).toBe(40 - counted);
  });

  it('locks the account against many addresses after the account-wide count, except for an address it signed in from before', async () => {
    const victim = await signUp(t);
    expect((await login(victim.email, PASSWORD, '198.51.100.9')).status).toBe(200); // the owner's usual address
    let evaluated = 0;
    for (let guess = 0; guess < 200; guess++) {
      const address = `203.0.113.${100 + (guess % 10)}`;
      if ((await login(victim.email, `wrong-password-${guess}`, address)).status === 401) evaluated++;
    }
    // 10 addresses x 3 before each one's delay, capped by the account-wide 30.
    expect(evaluated).toBeLessThanOrEqual(30);
    expectProblem(await login(victim.email, PASSWORD, '192.0.2.55'), 429);
    expect((await login(victim.email, PASSWORD, '198.51.100.9')).status).toBe(200);
  });

  it('counts unknown emails the same way, so the answers do not reveal which accounts exist', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) answers.push((await login('nobody-here@example.com', 'wrong-password-3', '203.0.113.3')).status);
    expect(answers).toEqual([401, 401, 401, 429]);
  });
});

const prefix = uniqueRedisPrefix();
describe.skipIf(skipRedisTests)('API2 password guessing across instances sharing Redis', () => {
  afterAll(() => deleteRedisKeys(prefix));

  it('counts failures on one instance against attempts on the other', async () => {
    const env: TestEnv = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, TRUST_PROXY: 'loopback', LOGIN_DELAY_AFTER_FAILURES: '3' };
    const database = await createTestDatabase();
    const a = await startTestApp(env, { database });
    const b = await startTestApp(env, { database });
    try {
      const victim = await signUp(a);
      const body = { email: victim.email, password: 'wrong-password-4' };
      const statuses: number[] = [];
      for (const instance of [a, b, a, b]) statuses.push((await instance.request('POST', '/v1/auth/login', { body, headers: from('203.0.113.4') })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await b.app.close();
      await a.close();
    }
  });
});
