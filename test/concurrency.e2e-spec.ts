import { randomBytes } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBootstrap } from '../src/auth/admin.bootstrap';
import { RefreshToken } from '../src/auth/entities/refresh-token.entity';
import { Role } from '../src/auth/permissions';
import { UserRole } from '../src/users/entities/user-role.entity';
import { User } from '../src/users/entities/user.entity';
import { jwtClaims, PASSWORD, signIn, SignedInUser, signUp, uniqueEmail } from './support/factories';
import { expectProblem } from './support/problem';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

function countBy(responses: ApiResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe('concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const users = () => t.get(DataSource).getRepository(User);
  const register = (email: string) => t.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
  const refresh = (refreshToken: string) => t.request('POST', '/v1/auth/refresh', { body: { refreshToken } });

  it('100 parallel registrations of one email (in mixed case) create exactly one account', async () => {
    const local = `race-${randomBytes(4).toString('hex')}`;
    const emails = Array.from({ length: 100 }, (_, i) => (i % 2 ? `${local}@example.com` : `${local.toUpperCase()}@Example.com`));

    const responses = await Promise.all(emails.map(register));

    // All answer alike (registering does not reveal an existing account); one id is the real account.
    expect(countBy(responses)).toEqual({ 201: 100 });
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(100);
    const rows = await users().find({ where: { emailNormalized: `${local}@example.com` } });
    expect(rows).toHaveLength(1);
    expect(responses.map((r) => r.body.id)).toContain(rows[0].id);
    const roles = await t.get(DataSource).getRepository(UserRole).find({ where: { userId: rows[0].id } });
    expect(roles.map((row) => row.role)).toEqual(['customer']);
    await signIn(t, `${local}@example.com`);
  });

  it('50 parallel registrations of distinct emails all succeed', async () => {
    const emails = Array.from({ length: 50 }, () => uniqueEmail('parallel'));

    const responses = await Promise.all(emails.map(register));

    expect(countBy(responses)).toEqual({ 201: 50 });
    expect(responses.map((r) => r.body.email).sort()).toEqual([...emails].sort());
    const ids = responses.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(50);
    expect(await users().countBy({ id: In(ids) })).toBe(50);
    expect(await t.get(DataSource).getRepository(UserRole).countBy({ userId: In(ids) })).toBe(50);
  });

  it('50 parallel logins of one account all succeed with distinct, working refresh tokens', async () => {
    const email = uniqueEmail('logins');
    expect((await register(email)).status).toBe(201);

    const logins = await Promise.all(
      Array.from({ length: 50 }, () => t.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } })),
    );

    expect(countBy(logins)).toEqual({ 200: 50 });
    const tokens = logins.map((r) => r.body.refreshToken as string);
    expect(new Set(tokens).size).toBe(50);

    const refreshed = await Promise.all(tokens.map(refresh));
    expect(countBy(refreshed)).toEqual({ 200: 50 });
  });

  it('20 parallel refreshes with one token: exactly one rotates, the rest are refused, the session is revoked', async () => {
    const email = uniqueEmail('replay');
    expect((await register(email)).status).toBe(201);
    const session = await signIn(t, email);
    const bystander = await signIn(t, email);

    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(session.refreshToken)));

    expect(countBy(responses)).toEqual({ 200: 1, 401: 19 });
    for (const response of responses.filter((r) => r.status === 401)) expectProblem(response, 401, '/v1/auth/refresh');

    // The replays count as reuse, so even the token the winner received is dead.
    const winner = responses.find((r) => r.status === 200)!;
    expectProblem(await refresh(winner.body.refreshToken), 401);
    const family = await t.get(DataSource).getRepository(RefreshToken).find({ where: { familyId: jwtClaims(session.accessToken).sid as string } });
    expect(family).toHaveLength(2);
    for (const token of family) expect(token.revokedAt).toBeInstanceOf(Date);

    // Only that session: another sign-in of the same user still refreshes.
    expect((await refresh(bystander.refreshToken)).status).toBe(200);
  });

  it('parallel role changes with the same If-Match: exactly one wins, the rest get 412', async () => {
    const admin = await signUp(t, [Role.Admin]);
    const target = await signUp(t);
    const etag = (await t.request('GET', `/v1/users/${target.id}`, { token: admin.accessToken })).headers.get('etag')!;
    const roleSets = [['support'], ['manager'], ['customer', 'support'], ['customer', 'manager']];

    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.request('PATCH', `/v1/users/${target.id}/roles`, {
          token: admin.accessToken,
          body: { roles: roleSets[i % roleSets.length] },
          headers: { 'if-match': etag },
        }),
      ),
    );

    expect(countBy(responses)).toEqual({ 200: 1, 412: 11 });
    const winner = responses.find((r) => r.status === 200)!;
    const now = await t.request('GET', `/v1/users/${target.id}`, { token: admin.accessToken });
    expect(now.body.roles).toEqual(winner.body.roles);
    expect(now.headers.get('etag')).toBe(winner.headers.get('etag'));
    expect(Number(JSON.parse(now.headers.get('etag')!))).toBe(Number(JSON.parse(etag)) + 1);
  });

  it('two admins demoting each other at once leave exactly one admin', async () => {
    const adminCount = () => t.get(DataSource).getRepository(UserRole).countBy({ role: Role.Admin });
    let survivor = await signUp(t, [Role.Admin]);
    const demote = (caller: SignedInUser, targetId: string) =>
      t.request('PATCH', `/v1/users/${targetId}/roles`, { token: caller.accessToken, body: { roles: ['customer'] } });
    // Other tests in this file made admins too; step them down first so these two are the only ones.
    const others = await t.get(DataSource).getRepository(UserRole).find({ where: { role: Role.Admin } });
    for (const other of others) {
      if (other.userId !== survivor.id) expect((await demote(survivor, other.userId)).status).toBe(200);
    }
    expect(await adminCount()).toBe(1);

    for (let round = 0; round < 5; round++) {
      const challenger = await signUp(t, [Role.Admin]);
      const [first, second] = await Promise.all([demote(survivor, challenger.id), demote(challenger, survivor.id)]);
      // The loser is refused as holding a revoked token (401), as no longer an admin (403) or as
      // the last admin (422), depending on which check sees the winner's commit first.
      const [winnerStatus, loserStatus] = [first.status, second.status].sort();
      expect(winnerStatus).toBe(200);
      expect([401, 403, 422]).toContain(loserStatus);
      expect(await adminCount()).toBe(1);
      if (second.status === 200) survivor = challenger;
    }
  });

  it('parallel admin bootstraps (replicas starting together) create one admin and all succeed', async () => {
    const email = uniqueEmail('boss');
    const bootstrap = t.get(AdminBootstrap);

    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => bootstrap.ensureAdmin(email, PASSWORD, { promoteExisting: false })));

    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const rows = await users().find({ where: { emailNormalized: email } });
    expect(rows).toHaveLength(1);
    const tokens = await signIn(t, email);
    expect(jwtClaims(tokens.accessToken).roles).toEqual(['admin']);
  });
});
