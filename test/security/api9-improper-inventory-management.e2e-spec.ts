/**
 * OWASP API9:2023 Improper Inventory Management: the document describes exactly the routes the
 * server serves (no shadow or forgotten endpoints), every business route is versioned under /v1,
 * and production serves no API documentation unless it is asked to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/openapi/openapi';
import { walkRoutes } from '../support/routes';
import { createTestDatabase, startTestApp, TestApp } from '../support/test-app';

const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'production-secret-that-is-long-enough-0001' };

describe('API9 inventory of endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('documents every route the server serves, and serves every documented route', () => {
    const served = walkRoutes(t.app)
      .filter((route) => route.path !== '/metrics')
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const document = buildOpenApiDocument(t.app);
    const documented = Object.entries(document.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
  });

  it('versions every business route under /v1; only probes and metrics are unversioned', () => {
    const unversioned = walkRoutes(t.app).filter((route) => !route.path.startsWith('/v1/'));
    expect(unversioned.map((route) => route.path).sort()).toEqual(['/health/live', '/health/ready', '/metrics']);
  });

  it('marks public operations as public in the document, and guarded ones with their permissions', () => {
    const document = buildOpenApiDocument(t.app);
    for (const route of walkRoutes(t.app).filter((r) => r.path !== '/metrics')) {
      const operation = (document.paths[route.path.replace(/:(\w+)/g, '{$1}')] as Record<string, any>)[route.method.toLowerCase()];
      expect({ route: route.path, public: operation['x-public'] === true, permissions: operation['x-required-permissions'] ?? [] }).toEqual({
        route: route.path,
        public: route.isPublic,
        permissions: route.permissions,
      });
    }
  });

  it('does not serve /docs in production unless DOCS_ENABLED=true', async () => {
    const database = await createTestDatabase();
    const production = await startTestApp(PRODUCTION, { database });
    try {
      expect((await fetch(`${production.baseUrl}/docs`)).status).toBe(404);
      expect((await fetch(`${production.baseUrl}/docs/openapi.json`)).status).toBe(404);
    } finally {
      await production.close();
    }
    const documented = await startTestApp({ ...PRODUCTION, DOCS_ENABLED: 'true' });
    try {
      expect((await fetch(`${documented.baseUrl}/docs/openapi.json`)).status).toBe(200);
    } finally {
      await documented.close();
    }
  });
});
