import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefreshToken } from '../src/auth/entities/refresh-token.entity';
import { User } from '../src/users/entities/user.entity';
import { invalidFields, jwtClaims, PASSWORD, signIn, signUp, uniqueEmail } from './support/factories';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const register = (body: unknown) => t.request('POST', '/v1/auth/register', { body });
  const login = (body: unknown) => t.request('POST', '/v1/auth/login', { body });
  const refresh = (refreshToken: string) => t.request('POST', '/v1/auth/refresh', { body: { refreshToken } });
  const logout = (refreshToken: string) => t.request('POST', '/v1/auth/logout', { body: { refreshToken } });
  const me = (token?: string, headers?: Record<string, string>) => t.request('GET', '/v1/me', { token, headers });

  describe('register', () => {
    it('creates a customer: 201, Location, the account and nothing secret', async () => {
      const email = uniqueEmail('ada');
      const response = await register({ email, password: PASSWORD, name: 'Ada Lovelace' });

      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toBe('/v1/me');
      expect(Object.keys(response.body).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'roles', 'updatedAt']);
      expect(response.body).toMatchObject({ email, name: 'Ada Lovelace', roles: ['customer'] });
      expect(response.body.id).toMatch(UUID);
      expect(new Date(response.body.createdAt).toISOString()).toBe(response.body.createdAt);
      expect(JSON.stringify(response.body)).not.toMatch(/password|hash|argon/i);

      const tokens = await signIn(t, email);
      const location = await t.request('GET', response.headers.get('location')!, { token: tokens.accessToken });
      expect(location.status).toBe(200);
      expect(location.body).toEqual(response.body);
    });

    it('stores a hash, not the password', async () => {
      const email = uniqueEmail('hash');
      const response = await register({ email, password: PASSWORD });
      const row = await t.get(DataSource).getRepository(User).findOneByOrFail({ id: response.body.id });
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      expect(row.passwordHash).not.toContain(PASSWORD);
    });

    it('leaves name null when none is given', async () => {
      const response = await register({ email: uniqueEmail(), password: PASSWORD });
      expect(response.status).toBe(201);
      expect(response.body.name).toBeNull();
    });

    it('makes no second account for the same email in another letter case, and does not say so', async () => {
      const local = `ada-${randomBytes(4).toString('hex')}`;
      const first = await register({ email: `${local}@example.com`, password: PASSWORD });
      expect(first.status).toBe(201);

      const duplicate = await register({ email: `${local.toUpperCase()}@EXAMPLE.com`, password: PASSWORD });
      expect(duplicate.status).toBe(201);
      expect(duplicate.body.id).not.toBe(first.body.id);
      const sameCase = await register({ email: `${local}@example.com`, password: 'another-long-password-1' });
      expect(sameCase.status).toBe(201);

      const rows = await t.get(DataSource).getRepository(User).findBy({ emailNormalized: `${local}@example.com` });
      expect(rows.map((row) => row.id)).toEqual([first.body.id]);
    });

    it('treats addresses that differ only by accents or ß as different accounts', async () => {
      const tag = randomBytes(4).toString('hex');
      for (const email of [`jose-${tag}@example.com`, `josé-${tag}@example.com`, `strasse-${tag}@example.com`, `straße-${tag}@example.com`]) {
        const response = await register({ email, password: PASSWORD });
        expect(response.status, email).toBe(201);
        expect(response.body.email).toBe(email);
      }
    });

    it('enforces the password length: 11 characters fail, 12 pass', async () => {
      const short = await register({ email: uniqueEmail(), password: 'vK3#pw9-Lmq' });
      expectProblem(short, 400, '/v1/auth/register');
      expect(short.body.type).toBe('urn:emporium:problem:validation');
      expect(invalidFields(short)).toEqual(['password']);

      expect((await register({ email: uniqueEmail(), password: 'vK3#pw9-Lmq2' })).status).toBe(201);
    });

    it.each(['password1234', 'PASSWORD1234', 'qwerty123456'])('refuses the common password %s', async (password) => {
      const response = await register({ email: uniqueEmail(), password });
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['password']);
      expect(response.body.errors[0].message).toMatch(/common/);
    });

    it('refuses a 5,000-character email', async () => {
      const response = await register({ email: `${'a'.repeat(4988)}@example.com`, password: PASSWORD });
      expectProblem(response, 400);
      expect(invalidFields(response)).toContain('email');
    });

    it('refuses wrong types instead of coercing them', async () => {
      const email = 123;
      const response = await register({ email, password: 123456789012345 });
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['email', 'password']);

      const nameAsNumber = await register({ email: uniqueEmail(), password: PASSWORD, name: 42 });
      expectProblem(nameAsNumber, 400);
      expect(invalidFields(nameAsNumber)).toEqual(['name']);
    });

    it('refuses unknown fields, naming them, so nobody can register as admin', async () => {
      const email = uniqueEmail();
      const response = await register({ email, password: PASSWORD, roles: ['admin'] });
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['roles']);
      expect(response.body.errors[0].message).toMatch(/roles/);
      expectProblem(await login({ email, password: PASSWORD }), 401);
    });

    it('refuses a body that is not a JSON object', async () => {
      expectProblem(await t.request('POST', '/v1/auth/register', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } }), 400);
      expectProblem(await t.request('POST', '/v1/auth/register', { rawBody: 'email=a@b.c', headers: { 'content-type': 'text/plain' } }), 415);
    });

    it('keeps SQL metacharacters as data in every field', async () => {
      const users = t.get(DataSource).getRepository(User);
      const before = await users.count();
      const email = `o'brien+${randomBytes(4).toString('hex')}@example.com`;
      const name = "Robert'); DROP TABLE users;--";
      const password = `it's "quoted"; --' OR '1'='1`;

      const registered = await register({ email, password, name });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ email, name });

      const tokens = await signIn(t, email, password);
      expect((await me(tokens.accessToken)).body).toMatchObject({ id: registered.body.id, email, name });
      expectProblem(await login({ email, password: "' OR '1'='1" }), 401);

      expect(await users.count()).toBe(before + 1);
      expect(await users.findOneByOrFail({ id: registered.body.id })).toMatchObject({ email, name });
    });

    it('counts length limits in characters as the database does', async () => {
      const emoji = await register({ email: uniqueEmail(), password: PASSWORD, name: '😀'.repeat(100) });
      expect(emoji.status).toBe(201);
      expect(emoji.body.name).toBe('😀'.repeat(100));

      // '❤️' is two code points (a heart and a variation selector); 100 of them do not fit.
      const hearts = await register({ email: uniqueEmail(), password: PASSWORD, name: '❤️'.repeat(100) });
      expectProblem(hearts, 400);
      expect(invalidFields(hearts)).toEqual(['name']);
      const fifty = await register({ email: uniqueEmail(), password: PASSWORD, name: '❤️'.repeat(50) });
      expect(fifty.status).toBe(201);
      expect(fifty.body.name).toBe('❤️'.repeat(50));
    });

    it('refuses an email whose lower-cased form is too long to store', async () => {
      // 254 characters, but each 'İ' lower-cases to two ('i' and a combining dot).
      const domain = `${'b'.repeat(63)}.${'b'.repeat(63)}.${'b'.repeat(63)}.${'b'.repeat(25)}.com`;
      const email = `${'İ'.repeat(32)}@${domain}`;
      expect(email).toHaveLength(254);
      const response = await register({ email, password: PASSWORD });
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['email']);

      const short = `${'İ'.repeat(3)}-${randomBytes(3).toString('hex')}@example.com`;
      expect((await register({ email: short, password: PASSWORD })).status).toBe(201);
      await signIn(t, short.toLowerCase());
    });

    it('trims the email and name', async () => {
      const email = uniqueEmail('trim');
      const response = await register({ email: `  ${email} `, password: PASSWORD, name: ' Grace ' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ email, name: 'Grace' });
    });
  });

  describe('login', () => {
    let email: string;
    beforeAll(async () => {
      email = uniqueEmail('login');
      expect((await register({ email, password: PASSWORD })).status).toBe(201);
    });

    it('answers the right password with a token pair', async () => {
      const response = await login({ email, password: PASSWORD });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      });
      const claims = jwtClaims(response.body.accessToken);
      expect(claims).toMatchObject({ iss: 'emporium', roles: ['customer'] });
      expect((claims.exp as number) - (claims.iat as number)).toBe(900);
      expect((await me(response.body.accessToken)).body.email).toBe(email);
    });

    it('gives the same 401 for a wrong password and an unknown email', async () => {
      const wrongPassword = await login({ email, password: `${PASSWORD}x` });
      const unknownEmail = await login({ email: uniqueEmail('nobody'), password: PASSWORD });
      expectProblem(wrongPassword, 401, '/v1/auth/login');
      expectProblem(unknownEmail, 401, '/v1/auth/login');
      expect(unknownEmail.body.detail).toBe(wrongPassword.body.detail);
      expect(wrongPassword.headers.get('www-authenticate')).toBe('Bearer');
      expect(wrongPassword.body).not.toHaveProperty('accessToken');
    });

    it('ignores the letter case of the email', async () => {
      expect((await login({ email: email.toUpperCase(), password: PASSWORD })).status).toBe(200);
    });

    it('treats the password as case-sensitive', async () => {
      expectProblem(await login({ email, password: PASSWORD.toUpperCase() }), 401);
    });

    it('validates its body', async () => {
      const response = await login({ email, password: 12345678901234 });
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['password']);
    });
  });

  describe('access tokens', () => {
    let user: Awaited<ReturnType<typeof signUp>>;
    const jwt = new JwtService();
    const secret = () => t.config.auth.jwtSecret;
    const claimsFor = () => ({ sub: user.id, sid: 'session', roles: ['customer'] });

    beforeAll(async () => {
      user = await signUp(t);
    });

    it('accepts a token it signed (control for the forgeries below)', async () => {
      expect(secret()).toBe('test-secret-that-is-long-enough-for-hs256-000');
      const token = jwt.sign(claimsFor(), { secret: secret(), issuer: 'emporium', algorithm: 'HS256', expiresIn: 60 });
      const response = await me(token);
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(user.id);
    });

    it('refuses a token signed with another key', async () => {
      const token = jwt.sign(claimsFor(), { secret: 'another-secret-that-is-long-enough-for-hs256', issuer: 'emporium', expiresIn: 60 });
      const response = await me(token);
      expectProblem(response, 401, '/v1/me');
      expect(response.body.detail).toMatch(/not valid/);
    });

    it('refuses an expired token and says so', async () => {
      const exp = Math.floor(Date.now() / 1000) - 60;
      const token = jwt.sign({ ...claimsFor(), exp }, { secret: secret(), issuer: 'emporium', algorithm: 'HS256' });
      const response = await me(token);
      expectProblem(response, 401);
      expect(response.body.detail).toMatch(/expired/);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('refuses a token from another issuer', async () => {
      const token = jwt.sign(claimsFor(), { secret: secret(), issuer: 'someone-else', expiresIn: 60 });
      expectProblem(await me(token), 401);
    });

    it('refuses alg none', async () => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const payload = part({ ...claimsFor(), roles: ['admin'], iss: 'emporium', iat: now, exp: now + 60 });
      for (const alg of ['none', 'None', 'NONE']) {
        const response = await me(`${part({ alg, typ: 'JWT' })}.${payload}.`);
        expectProblem(response, 401);
      }
      expectProblem(await t.request('GET', '/v1/users', { token: `${part({ alg: 'none', typ: 'JWT' })}.${payload}.` }), 401);
    });

    it('refuses a token whose payload was altered', async () => {
      const [header, , signature] = user.accessToken.split('.');
      const forged = Buffer.from(JSON.stringify({ ...jwtClaims(user.accessToken), roles: ['admin'] })).toString('base64url');
      expectProblem(await t.request('GET', '/v1/users', { token: `${header}.${forged}.${signature}` }), 401);
    });

    it('refuses a garbage bearer token', async () => {
      const response = await me('not-a-jwt');
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('asks for a bearer token when there is none', async () => {
      for (const headers of [undefined, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, { authorization: 'Bearer' }]) {
        const response = await me(undefined, headers);
        expectProblem(response, 401, '/v1/me');
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        expect(response.body.detail).toMatch(/Bearer/);
      }
    });
  });

  describe('refresh tokens', () => {
    let email: string;
    beforeAll(async () => {
      email = uniqueEmail('refresh');
      expect((await register({ email, password: PASSWORD })).status).toBe(201);
    });

    it('rotates: each refresh gives a new pair and spends the old token', async () => {
      const first = await signIn(t, email);
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      expect(jwtClaims(second.body.accessToken).sid).toBe(jwtClaims(first.accessToken).sid);
      expect((await me(second.body.accessToken)).status).toBe(200);

      const third = await refresh(second.body.refreshToken);
      expect(third.status).toBe(200);
      expect(third.body.refreshToken).not.toBe(second.body.refreshToken);

      expectProblem(await refresh(first.refreshToken), 401, '/v1/auth/refresh');
    });

    it('refreshes even when the client still attaches its expired or broken access token', async () => {
      const first = await signIn(t, email);
      const response = await t.request('POST', '/v1/auth/refresh', { token: 'expired.or.broken', body: { refreshToken: first.refreshToken } });
      expect(response.status).toBe(200);
    });

    it('revokes the whole family when a spent token comes back', async () => {
      const first = await signIn(t, email);
      const other = await signIn(t, email);
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);

      const replay = await refresh(first.refreshToken);
      expectProblem(replay, 401);
      expect(replay.body.detail).toMatch(/already used/);

      expectProblem(await refresh(second.body.refreshToken), 401);
      // Only that session dies; another sign-in of the same user lives on.
      expect((await refresh(other.refreshToken)).status).toBe(200);
    });

    it('refuses a token it never issued', async () => {
      const response = await refresh(randomBytes(32).toString('base64url'));
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('refuses an expired refresh token and accepts one that expires in a minute', async () => {
      const tokens = t.get(DataSource).getRepository(RefreshToken);
      const sessionOf = (pair: { accessToken: string }) => ({ familyId: jwtClaims(pair.accessToken).sid as string });

      const expired = await signIn(t, email);
      await tokens.update(sessionOf(expired), { expiresAt: new Date(Date.now() - 60_000) });
      const response = await refresh(expired.refreshToken);
      expectProblem(response, 401);
      expect(response.body.detail).toMatch(/expired/);

      const soon = await signIn(t, email);
      await tokens.update(sessionOf(soon), { expiresAt: new Date(Date.now() + 60_000) });
      expect((await refresh(soon.refreshToken)).status).toBe(200);
    });

    it('validates the token shape', async () => {
      const response = await refresh('short');
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['refreshToken']);
      expectProblem(await t.request('POST', '/v1/auth/refresh', { body: { refreshToken: 123456789012345 } }), 400);
    });

    it('logs out: 204, and the family no longer refreshes', async () => {
      const first = await signIn(t, email);
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);

      const response = await logout(second.body.refreshToken);
      expect(response.status).toBe(204);
      expect(response.body).toBe('');
      expectProblem(await refresh(second.body.refreshToken), 401);
    });

    it('logs out with an already spent token of the family too', async () => {
      const first = await signIn(t, email);
      const second = await refresh(first.refreshToken);
      expect((await logout(first.refreshToken)).status).toBe(204);
      expectProblem(await refresh(second.body.refreshToken), 401);
    });

    it('answers 204 to a logout with an unknown token', async () => {
      const response = await logout(randomBytes(32).toString('base64url'));
      expect(response.status).toBe(204);
      expect(response.body).toBe('');
    });

    it('puts current roles into refreshed access tokens', async () => {
      const first = await signIn(t, email);
      const refreshed = await refresh(first.refreshToken);
      expect(jwtClaims(refreshed.body.accessToken).roles).toEqual(['customer']);
    });
  });
});
