import { Controller, Get, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Public, RequirePermissions } from '../src/auth/decorators';
import { Permission } from '../src/auth/permissions';
import { RouteAccess, walkRoutes } from './support/routes';
import { startTestApp, TestApp } from './support/test-app';

const KNOWN_ROUTES = [
  'POST /v1/auth/register',
  'POST /v1/auth/login',
  'POST /v1/auth/refresh',
  'POST /v1/auth/logout',
  'GET /v1/me',
  'GET /v1/users',
  'GET /v1/users/:id',
  'PATCH /v1/users/:id/roles',
  'GET /metrics',
  'GET /health/live',
  'GET /health/ready',
  'GET /v1/categories',
  'GET /v1/categories/:id',
  'POST /v1/categories',
  'PATCH /v1/categories/:id',
  'GET /v1/products',
  'GET /v1/products/:id',
  'GET /v1/products/by-slug/:slug',
  'POST /v1/products',
  'PATCH /v1/products/:id',
  'POST /v1/products/:id/archive',
  'POST /v1/products/:id/restore',
  'POST /v1/products/:id/variants',
  'PATCH /v1/products/:id/variants/:variantId',
];

const label = (route: RouteAccess) => `${route.method} ${route.path}`;
const httpMethod = (route: RouteAccess) => (route.method === 'ALL' ? 'GET' : route.method);

describe('route access', () => {
  let t: TestApp;
  let routes: RouteAccess[];
  beforeAll(async () => {
    t = await startTestApp();
    routes = walkRoutes(t.app);
  });
  afterAll(() => t.close());

  it('walks every controller, so an empty walk cannot pass', () => {
    expect(routes.map(label)).toEqual(expect.arrayContaining(KNOWN_ROUTES));
  });

  it('walks the paths Fastify actually serves', () => {
    const fastify = t.app.getHttpAdapter().getInstance();
    const unserved = routes.filter((route) => !fastify.hasRoute({ method: httpMethod(route), url: route.path }));
    expect(unserved.map(label)).toEqual([]);
  });

  it('has every handler either public by intent or naming the permissions it needs', () => {
    expect(routes.filter((route) => !route.isPublic && route.permissions.length === 0).map((route) => route.handler)).toEqual([]);
  });

  it('answers 401 to anonymous callers on every guarded route, and never on a public one', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const { status } = await t.request(httpMethod(route), route.path.replace(/:\w+/g, () => randomUUID()));
      if (route.isPublic ? status === 401 : status !== 401) wrong.push(`${label(route)} -> ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('verifies a bad bearer token on public routes that identify the caller (401), and ignores it on the others', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.isPublic)) {
      const { status } = await t.request(httpMethod(route), route.path.replace(/:\w+/g, () => randomUUID()), { token: 'not.a.token' });
      if (route.identifiesCaller ? status !== 401 : status === 401) wrong.push(`${label(route)} -> ${status}`);
    }
    expect(wrong).toEqual([]);
    expect(routes.filter((r) => r.identifiesCaller).length).toBeGreaterThan(0);
  });
});

describe('the route walk itself', () => {
  @Controller('naked')
  class UndecoratedController {
    @Get()
    list(): string[] {
      return [];
    }
  }

  @Controller({ path: 'mixed', version: '2' })
  @Public()
  class MixedController {
    @Post(':id')
    @RequirePermissions(Permission.UsersWrite)
    write(): void {}
  }

  it('reports an undecorated handler, and keeps a guarded handler of a public controller guarded', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [UndecoratedController, MixedController] }).compile();
    expect(walkRoutes(moduleRef)).toEqual([
      { method: 'GET', path: '/naked', handler: 'UndecoratedController.list', isPublic: false, identifiesCaller: false, permissions: [] },
      { method: 'POST', path: '/v2/mixed/:id', handler: 'MixedController.write', isPublic: false, identifiesCaller: false, permissions: [Permission.UsersWrite] },
    ]);
    await moduleRef.close();
  });
});
