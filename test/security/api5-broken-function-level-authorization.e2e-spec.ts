/**
 * OWASP API5:2023 Broken Function Level Authorization: every route of the running app, called by
 * each role, is refused (403) exactly when the role holds none of the permissions the route names,
 * and never refused for lack of permission when it holds one. The walk reads the routes from the
 * app itself, so a new route is covered the day it is added.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permission, permissionsOf, Role } from '../../src/auth/permissions';
import { signUp } from '../support/factories';
import { RouteAccess, walkRoutes } from '../support/routes';
import { startTestApp, TEST_METRICS_TOKEN, TestApp } from '../support/test-app';

const label = (route: RouteAccess) => `${route.method} ${route.path}`;
const httpMethod = (route: RouteAccess) => (route.method === 'ALL' ? 'GET' : route.method);
const pathOf = (route: RouteAccess) => route.path.replace(/:\w+/g, () => randomUUID());

describe('API5 function-level authorization', () => {
  let t: TestApp;
  let guarded: RouteAccess[];
  beforeAll(async () => {
    t = await startTestApp();
    guarded = walkRoutes(t.app).filter((route) => !route.isPublic);
  });
  afterAll(() => t.close());

  it('walks the staff routes, so an empty walk cannot pass', () => {
    expect(guarded.length).toBeGreaterThan(40);
    expect(guarded.map(label)).toEqual(expect.arrayContaining(['PATCH /v1/users/:id/roles', 'POST /v1/orders/:id/refunds', 'GET /metrics']));
  });

  it.each(Object.values(Role))('gives the %s role exactly the routes its permissions name', async (role) => {
    const user = await signUp(t, [role]);
    const granted = permissionsOf([role]);
    const wrong: string[] = [];
    for (const route of guarded) {
      const allowed = route.permissions.some((permission) => granted.has(permission as Permission));
      // Empty bodies: an allowed route answers 400/404/422 (never 401/403), a refused one 403 before any validation.
      const { status } = await t.request(httpMethod(route), pathOf(route), { token: user.accessToken, body: httpMethod(route) === 'GET' ? undefined : {} });
      if (allowed ? status === 401 || status === 403 : status !== 403) wrong.push(`${label(route)} -> ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives the metrics token /metrics and nothing else', async () => {
    const wrong: string[] = [];
    for (const route of guarded) {
      const { status } = await t.request(httpMethod(route), pathOf(route), { token: TEST_METRICS_TOKEN, body: httpMethod(route) === 'GET' ? undefined : {} });
      const allowed = route.permissions.includes(Permission.MetricsRead);
      if (allowed ? status === 403 : status !== 403 && status !== 401) wrong.push(`${label(route)} -> ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('stops a demoted manager at once, on every route the manager role had', async () => {
    const manager = await signUp(t, [Role.Manager]);
    const admin = await signUp(t, [Role.Admin]);
    const demoted = await t.request('PATCH', `/v1/users/${manager.id}/roles`, { token: admin.accessToken, body: { roles: ['customer'] } });
    expect(demoted.status).toBe(200);
    const managerOnly = guarded.filter((route) => route.permissions.every((p) => !permissionsOf([Role.Customer]).has(p as Permission)));
    for (const route of managerOnly.slice(0, 10)) {
      const { status } = await t.request(httpMethod(route), pathOf(route), { token: manager.accessToken, body: httpMethod(route) === 'GET' ? undefined : {} });
      expect(`${label(route)} -> ${status}`).toBe(`${label(route)} -> 401`);
    }
  });
});
