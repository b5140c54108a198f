/**
 * OWASP API2:2023 Broken Authentication: registering an email that already has an account answers
 * exactly like registering a new one and changes nothing; easy passwords (breached, keyboard
 * patterns, the account's own email or name) are refused, and hashes are Argon2id with OWASP's
 * parameters; tokens without an expiry or living longer than configured are refused; sign-out and
 * a roles change stop an access token on every instance within a second; password guessing
 * against one account is slowed, then locked per account and address, and only at a much higher
 * count per account, without locking the owner out of an address they signed in from before.
 */
import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/permissions';
import { User } from '../../src/users/entities/user.entity';
import { invalidFields, jwtClaims, PASSWORD, SignedInUser, signIn, signUp } from '../support/factories';
import { expectProblem } from '../support/problem';
import { deleteRedisKeys, skipRedisTests, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis';
import { ApiResponse, createTestDatabase, startTestApp, TestApp, TestEnv } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Headers whose values differ between any two requests (or count them); their presence is still compared. */
const PER_REQUEST_HEADERS = ['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-remaining-auth', 'x-ratelimit-reset', 'x-ratelimit-reset-auth'];

/** An address of fixed length, so that two answers can be compared byte for byte. */
const emailFor = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}@example.com`;

/** The lower quartile: what a request costs when nothing else on the machine gets in the way. */
const lowerQuartile = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 4)];

describe('registration and passwords', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const register = (body: object) => t.request('POST', '/v1/auth/register', { body });
  const login = (email: string, password: string) => t.request('POST', '/v1/auth/login', { body: { email, password } });
  const accountsWith = (email: string) => t.get(DataSource).getRepository(User).findBy({ emailNormalized: email.toLowerCase() });

  describe('an email that already has an account', () => {
    it('gets the answer a new email gets: 201, the same headers, a fresh id, the given email and name, the customer role, now', async () => {
      const taken = emailFor('taken');
      const original = await register({ email: taken, password: PASSWORD, name: 'Original Owner' });
      expect(original.status).toBe(201);

      const started = Date.now();
      const fresh = await register({ email: emailFor('fresh'), password: 'another-passphrase-of-mine', name: 'Same Length' });
      const again = await register({ email: taken, password: 'another-passphrase-of-mine', name: 'Same Length' });

      for (const response of [fresh, again]) {
        expect(response.status).toBe(201);
        expect(response.headers.get('location')).toBe('/v1/me');
        expect(Object.keys(response.body).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'roles', 'updatedAt']);
        expect(response.body).toMatchObject({ name: 'Same Length', roles: ['customer'] });
        expect(response.body.id).toMatch(UUID);
        expect(response.body.createdAt).toBe(response.body.updatedAt);
        expect(Date.parse(response.body.createdAt)).toBeGreaterThanOrEqual(started - 1000);
        expect(Date.parse(response.body.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
      }
      expect(again.body.email).toBe(taken);
      expect(again.body.id).not.toBe(original.body.id);
      expect(again.body.id > original.body.id).toBe(true); // UUIDv7: minted now, like any new account's

      const headersOf = (response: ApiResponse) => [...response.headers.keys()].sort();
      const stableHeadersOf = (response: ApiResponse) =>
        [...response.headers.entries()].filter(([name]) => !PER_REQUEST_HEADERS.includes(name)).sort();
      expect(headersOf(again)).toEqual(headersOf(fresh));
      expect(stableHeadersOf(again)).toEqual(stableHeadersOf(fresh)); // content-length included
    });

    it('changes nothing: the owner’s password still signs in, the one sent again does not', async () => {
      const email = emailFor('victim');
      const original = await register({ email, password: PASSWORD, name: 'Victim' });
      const [before] = await accountsWith(email);

      const attacker = 'attacker-chosen-passphrase-77';
      expect((await register({ email: email.toUpperCase(), password: attacker, name: 'Someone Else' })).status).toBe(201);

      const rows = await accountsWith(email);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: original.body.id, name: 'Victim', passwordHash: before.passwordHash, version: before.version });
      const tokens = await signIn(t, email, PASSWORD);
      expect((await t.request('GET', '/v1/me', { token: tokens.accessToken })).body).toEqual(original.body);
      expectProblem(await login(email, attacker), 401, '/v1/auth/login');
    });

    it('takes as long as registering a new email: the Argon2 hash is computed either way', async () => {
      const taken = emailFor('timing');
      expect((await register({ email: taken, password: PASSWORD })).status).toBe(201);

      const timed = async (email: string) => {
        const started = performance.now();
        expect((await register({ email, password: PASSWORD })).status).toBe(201);
        return performance.now() - started;
      };
      const fresh: number[] = [];
      const existing: number[] = [];
      for (let i = 0; i < 16; i++) {
        fresh.push(await timed(emailFor('timing')));
        existing.push(await timed(taken));
      }
      // Measured within 10% of each other; skipping the hash for an existing email halves its time.
      const [existingMs, freshMs] = [lowerQuartile(existing), lowerQuartile(fresh)];
      const summary = `${existingMs.toFixed(1)} ms for an existing email, ${freshMs.toFixed(1)} ms for a new one`;
      expect(existingMs / freshMs, summary).toBeGreaterThan(0.7);
      expect(existingMs / freshMs, summary).toBeLessThan(1 / 0.7);
    });
  });

  describe('passwords', () => {
    const tag = randomBytes(3).toString('hex');
    const owner = { email: `grace.hopper.${tag}@example.com`, name: 'Margaret Hamilton' };

    it.each([
      ['a breached password', 'password1234', /commonly used password/],
      ['a breached password in capitals', 'IloveYou1234', /commonly used password/],
      ['a keyboard row', 'zxcvbnm,./asdf', /rows of keys/],
      ['a keyboard walk', '1qaz2wsx3edc4rfv', /commonly used password/],
      ['the email’s local part with digits', `Grace.Hopper.${tag}1906`, /part of your email address before the @/],
      ['the name', 'Margaret Hamilton', /your name/],
      ['the name with a year', 'margaret-hamilton-1969', /your name/],
      ['a common word with a year', 'Sunshine-2024!', /too easy to guess/],
    ])('refuses %s with 400 naming password', async (_kind, password, message) => {
      const response = await register({ ...owner, password });
      expectProblem(response, 400, '/v1/auth/register');
      expect(invalidFields(response)).toEqual(['password']);
      expect(response.body.errors[0].message).toMatch(message);
      expect(response.body.errors[0].message).not.toContain(password);
    });

    it('accepts a strong passphrase, which then signs in', async () => {
      const password = 'violet tractor sings under the bridge';
      const response = await register({ ...owner, password });
      expect(response.status).toBe(201);
      await signIn(t, owner.email, password);
    });
  });

  it('stores Argon2id hashes with OWASP’s parameters (m=19456 KiB, t=2, p=1), salted per account', async () => {
    const emails = [emailFor('argon'), emailFor('argon')];
    for (const email of emails) expect((await register({ email, password: PASSWORD })).status).toBe(201);

    const hashes = await Promise.all(emails.map(async (email) => (await accountsWith(email))[0].passwordHash));
    for (const hash of hashes) expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(hashes[0]).not.toBe(hashes[1]);
  });
});

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
