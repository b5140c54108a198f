import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBootstrap } from '../src/auth/admin.bootstrap';
import { Role } from '../src/auth/permissions';
import { UserRole } from '../src/users/entities/user-role.entity';
import { User } from '../src/users/entities/user.entity';
import { UsersService } from '../src/users/users.service';
import { invalidFields, jwtClaims, signIn, signUp, SignedInUser, TokenPair } from './support/factories';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

const ADMIN_EMAIL = 'Root.Admin@example.com';
const ADMIN_PASSWORD = "adm1n-pa55-'quoted'";

/** The path and query of a `Link: <...>; rel="next"` header. */
function nextLink(header: string | null): string | null {
  if (!header) return null;
  const match = /^<([^>]+)>; rel="next"$/.exec(header);
  if (!match) throw new Error(`unexpected Link header: ${header}`);
  return match[1];
}

describe('users', () => {
  let t: TestApp;
  let admin: TokenPair & { id: string };
  let support: SignedInUser;
  let customer: SignedInUser;

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_EMAIL, ADMIN_PASSWORD });
    const tokens = await signIn(t, ADMIN_EMAIL, ADMIN_PASSWORD);
    admin = { ...tokens, id: jwtClaims(tokens.accessToken).sub as string };
    support = await signUp(t, [Role.Support]);
    customer = await signUp(t);
  });
  afterAll(() => t.close());

  const getUser = (id: string, token: string, headers?: Record<string, string>) => t.request('GET', `/v1/users/${id}`, { token, headers });
  const setRoles = (id: string, roles: unknown, token = admin.accessToken, headers?: Record<string, string>) =>
    t.request('PATCH', `/v1/users/${id}/roles`, { token, body: { roles }, headers });

  describe('the configured admin', () => {
    it('exists after boot, signs in with any letter case, and holds the admin role', async () => {
      const tokens = await signIn(t, ADMIN_EMAIL.toLowerCase(), ADMIN_PASSWORD);
      expect(jwtClaims(tokens.accessToken).roles).toEqual(['admin']);
      const me = await t.request('GET', '/v1/me', { token: tokens.accessToken });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: admin.id, email: ADMIN_EMAIL, roles: ['admin'] });
    });
  });

  describe('admin bootstrap', () => {
    it('does not promote an account someone registered under the configured admin address', async () => {
      const squatter = await signUp(t);
      const bootstrap = t.get(AdminBootstrap);

      expect(await bootstrap.ensureAdmin(squatter.email, 'another-long-password-1', { promoteExisting: false })).toBe('refused');
      expect(jwtClaims((await signIn(t, squatter.email)).accessToken).roles).toEqual([Role.Customer]);

      expect(await bootstrap.ensureAdmin(squatter.email, 'another-long-password-1', { promoteExisting: true })).toBe('promoted');
      expect(jwtClaims((await signIn(t, squatter.email)).accessToken).roles).toEqual([Role.Admin, Role.Customer]);
      // The other tests count on the configured admin being the only one.
      await t.get(UsersService).setRoles(squatter.id, [Role.Customer]);
    });
  });

  describe('access control', () => {
    it('denies a customer the user list and a single user', async () => {
      const list = await t.request('GET', '/v1/users', { token: customer.accessToken });
      expectProblem(list, 403, '/v1/users');
      expect(list.body.detail).toMatch(/users:read/);
      expectProblem(await getUser(customer.id, customer.accessToken), 403);
      expectProblem(await setRoles(customer.id, ['admin'], customer.accessToken), 403);
    });

    it('lets support read but not change roles', async () => {
      const list = await t.request('GET', '/v1/users', { token: support.accessToken });
      expect(list.status).toBe(200);
      expect(list.body.data.map((user: { id: string }) => user.id)).toContain(customer.id);
      expect((await getUser(customer.id, support.accessToken)).status).toBe(200);

      const patch = await setRoles(customer.id, ['support'], support.accessToken);
      expectProblem(patch, 403);
      expect(patch.body.detail).toMatch(/users:write/);
      expect((await getUser(customer.id, admin.accessToken)).body.roles).toEqual(['customer']);
    });

    it('lets an admin list and change roles', async () => {
      const target = await signUp(t);
      expect((await t.request('GET', '/v1/users', { token: admin.accessToken })).status).toBe(200);
      const patch = await setRoles(target.id, ['customer', 'manager']);
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ id: target.id, roles: ['customer', 'manager'] });
      expect(patch.headers.get('etag')).toBe('"2"');
      expect((await getUser(target.id, admin.accessToken)).body.roles).toEqual(['customer', 'manager']);
    });

    it('requires a token', async () => {
      expectProblem(await t.request('GET', '/v1/users'), 401);
      expectProblem(await t.request('PATCH', `/v1/users/${customer.id}/roles`, { body: { roles: ['admin'] } }), 401);
    });

    it('gives a refreshed token the permissions of the new roles', async () => {
      const user = await signUp(t);
      expectProblem(await t.request('GET', '/v1/users', { token: user.accessToken }), 403);

      expect((await setRoles(user.id, ['support'])).status).toBe(200);
      const refreshed = await t.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(refreshed.status).toBe(200);
      expect(jwtClaims(refreshed.body.accessToken).roles).toEqual(['support']);
      expect((await t.request('GET', '/v1/users', { token: refreshed.body.accessToken })).status).toBe(200);
      expectProblem(await setRoles(customer.id, ['support'], refreshed.body.accessToken), 403);
    });
  });

  describe('listing', () => {
    const list = (query: string, token = admin.accessToken) => t.request('GET', `/v1/users${query}`, { token });

    it('walks every page with limit=2, following Link, without duplicates or gaps', async () => {
      for (let i = 0; i < 5; i++) await signUp(t);
      const all = await t.get(DataSource).getRepository(User).find({ select: { id: true } });
      const expected = all.map((user) => user.id).sort();
      expect(expected.length).toBeGreaterThanOrEqual(8);

      const seen: string[] = [];
      let path: string | null = '/v1/users?limit=2';
      let pages = 0;
      while (path) {
        const page = await t.request('GET', path, { token: admin.accessToken });
        expect(page.status).toBe(200);
        expect(Object.keys(page.body).sort()).toEqual(['data', 'nextCursor']);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((user: { id: string }) => user.id));
        const link = nextLink(page.headers.get('link'));
        if (page.body.nextCursor === null) {
          expect(link).toBeNull();
        } else {
          expect(page.body.data).toHaveLength(2);
          expect(link).toBe(`/v1/users?limit=2&cursor=${page.body.nextCursor}`);
        }
        path = link;
        pages++;
      }
      expect(pages).toBe(Math.ceil(expected.length / 2));
      expect(seen).toEqual(expected);
    });

    it('never shows credentials', async () => {
      const page = await list('?limit=100');
      expect(page.body.data.length).toBeGreaterThan(0);
      for (const user of page.body.data) {
        expect(Object.keys(user).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'roles', 'updatedAt']);
      }
    });

    it('filters by role, keeping the filter in the next links', async () => {
      await signUp(t, [Role.Support]);
      await signUp(t, [Role.Support, Role.Manager]);
      const expected = (await t.get(DataSource).getRepository(UserRole).find({ where: { role: Role.Support } }))
        .map((row) => row.userId)
        .sort();
      expect(expected.length).toBeGreaterThanOrEqual(3);

      const found: { id: string; roles: string[] }[] = [];
      for (let path: string | null = '/v1/users?role=support&limit=2'; path; ) {
        const page = await t.request('GET', path, { token: admin.accessToken });
        expect(page.status).toBe(200);
        found.push(...page.body.data);
        path = nextLink(page.headers.get('link'));
        if (path) expect(path).toMatch(/[?&]role=support(&|$)/);
      }
      expect(found.map((user) => user.id)).toEqual(expected);
      for (const user of found) expect(user.roles).toContain('support');
      expect(found.map((user) => user.id)).not.toContain(customer.id);

      const admins = await list('?role=admin');
      expect(admins.body.data.map((user: { id: string }) => user.id)).toEqual([admin.id]);
    });

    it.each([
      ['an unknown role', '?role=root', 'role'],
      ['limit=0', '?limit=0', 'limit'],
      ['limit=101', '?limit=101', 'limit'],
      ['a non-numeric limit', '?limit=ten', 'limit'],
      ['an unknown parameter', '?sort=email', 'sort'],
    ])('refuses %s with 400', async (_, query, field) => {
      const response = await list(query);
      expectProblem(response, 400, '/v1/users');
      expect(invalidFields(response)).toEqual([field]);
    });

    it('accepts limit=1 and limit=100', async () => {
      expect((await list('?limit=1')).body.data).toHaveLength(1);
      expect((await list('?limit=100')).status).toBe(200);
    });

    it.each([
      ['garbage', 'abc'],
      ['a key that is not an id', Buffer.from('{"id":"x"}').toString('base64')],
      ['a key of the wrong type', Buffer.from('{"id":1}').toString('base64url')],
      ['JSON that is not an object', Buffer.from('"0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e"').toString('base64url')],
      ['a SQL injection', Buffer.from(`{"id":"' OR 1=1 --"}`).toString('base64url')],
    ])('refuses a forged cursor: %s', async (_, cursor) => {
      const response = await list(`?cursor=${encodeURIComponent(cursor)}`);
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    });
  });

  describe('reading one user', () => {
    it('answers with the user and an ETag, and 304 for a matching If-None-Match', async () => {
      const first = await getUser(customer.id, admin.accessToken);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: customer.id, email: customer.email, roles: ['customer'] });
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"\d+"$/);

      const notModified = await getUser(customer.id, admin.accessToken, { 'if-none-match': etag! });
      expect(notModified.status).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers.get('etag')).toBe(etag);

      const stale = await getUser(customer.id, admin.accessToken, { 'if-none-match': '"999"' });
      expect(stale.status).toBe(200);
      expect(stale.body.id).toBe(customer.id);
    });

    it('answers 200 with a new ETag once the user changed', async () => {
      const user = await signUp(t);
      const before = await getUser(user.id, admin.accessToken);
      expect((await setRoles(user.id, ['support'])).status).toBe(200);
      const after = await getUser(user.id, admin.accessToken, { 'if-none-match': before.headers.get('etag')! });
      expect(after.status).toBe(200);
      expect(after.body.roles).toEqual(['support']);
      expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    });

    it('answers 404 for an unknown id and for one that is not a uuid', async () => {
      const unknown = randomUUID();
      const missing = await getUser(unknown, admin.accessToken);
      expectProblem(missing, 404, `/v1/users/${unknown}`);
      expect(missing.body.detail).toContain(unknown);
      expectProblem(await getUser('not-a-uuid', admin.accessToken), 404);
      expectProblem(await getUser("1' OR '1'='1", admin.accessToken), 404);
      expectProblem(await setRoles(unknown, ['support']), 404);
      expectProblem(await setRoles('not-a-uuid', ['support']), 404);
    });
  });

  describe('changing roles', () => {
    it('refuses a stale If-Match with 412 and changes nothing', async () => {
      const user = await signUp(t);
      const read = await getUser(user.id, admin.accessToken);
      const etag = read.headers.get('etag')!;

      const first = await setRoles(user.id, ['support'], admin.accessToken, { 'if-match': etag });
      expect(first.status).toBe(200);
      const current = first.headers.get('etag')!;
      expect(current).not.toBe(etag);

      const stale = await setRoles(user.id, ['admin'], admin.accessToken, { 'if-match': etag });
      expectProblem(stale, 412);
      const after = await getUser(user.id, admin.accessToken);
      expect(after.body.roles).toEqual(['support']);
      expect(after.headers.get('etag')).toBe(current);

      expect((await setRoles(user.id, ['manager'], admin.accessToken, { 'if-match': current })).status).toBe(200);
    });

    it('refuses an If-Match it did not issue with 412', async () => {
      expectProblem(await setRoles(customer.id, ['customer'], admin.accessToken, { 'if-match': 'W/"1"' }), 412);
    });

    it.each([
      ['an empty list', []],
      ['an unknown role', ['root']],
      ['duplicates', ['support', 'support']],
      ['a string', 'admin'],
    ])('refuses %s with 400', async (_, roles) => {
      const response = await setRoles(customer.id, roles);
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['roles']);
    });

    it('keeps the last admin: demoting yourself is 422 and changes nothing, unless another admin remains', async () => {
      const demote = await setRoles(admin.id, ['customer']);
      expectProblem(demote, 422);
      const unchanged = await getUser(admin.id, admin.accessToken);
      expect(unchanged.body.roles).toEqual(['admin']);

      // Control: with a second admin, either one may step down.
      const second = await signUp(t, [Role.Admin]);
      expect((await setRoles(second.id, ['customer'])).status).toBe(200);
      expectProblem(await setRoles(admin.id, ['support']), 422);
      expect((await getUser(admin.id, admin.accessToken)).headers.get('etag')).toBe(unchanged.headers.get('etag'));

      // Keeping admin among other roles is fine; the admin's own token, issued with the old roles, is revoked.
      const kept = await setRoles(admin.id, ['admin', 'support']);
      expect(kept.status).toBe(200);
      expect(kept.body.roles).toEqual(['admin', 'support']);
      expectProblem(await getUser(admin.id, admin.accessToken), 401);
      const refreshed = await t.request('POST', '/v1/auth/refresh', { body: { refreshToken: admin.refreshToken } });
      expect(refreshed.status).toBe(200);
      expect(jwtClaims(refreshed.body.accessToken).roles).toEqual(['admin', 'support']);
      admin = { ...admin, accessToken: refreshed.body.accessToken, refreshToken: refreshed.body.refreshToken };
      expect((await getUser(admin.id, admin.accessToken)).status).toBe(200);
    });

    it('revokes a demoted admin\'s access token at once, and the roles held now are checked as well', async () => {
      const deputy = await signUp(t, [Role.Admin]);
      const target = await signUp(t);
      expect((await setRoles(deputy.id, ['customer'])).status).toBe(200);

      // The deputy's access token still says admin, but it was revoked by the roles change.
      expect(jwtClaims(deputy.accessToken).roles).toEqual(['admin']);
      expectProblem(await setRoles(deputy.id, ['admin'], deputy.accessToken), 401);
      expectProblem(await setRoles(target.id, ['support'], deputy.accessToken), 401);
      expect((await getUser(target.id, admin.accessToken)).body.roles).toEqual(['customer']);

      // A token refreshed after the change carries the new roles and gets 403.
      const refreshed = await t.request('POST', '/v1/auth/refresh', { body: { refreshToken: deputy.refreshToken } });
      expect(jwtClaims(refreshed.body.accessToken).roles).toEqual(['customer']);
      expectProblem(await setRoles(target.id, ['support'], refreshed.body.accessToken), 403);
    });
  });
});
