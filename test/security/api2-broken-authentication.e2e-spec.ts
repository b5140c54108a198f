/**
 * OWASP API2:2023 Broken Authentication (registration and passwords): registering an email that
 * already has an account answers exactly like registering a new one, takes as long, and changes
 * nothing; passwords that are easy to guess (breached, keyboard patterns, the account's own email
 * or name) are refused; stored hashes are Argon2id with OWASP's parameters.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/users/entities/user.entity';
import { invalidFields, PASSWORD, signIn } from '../support/factories';
import { expectProblem } from '../support/problem';
import { ApiResponse, startTestApp, TestApp } from '../support/test-app';

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
