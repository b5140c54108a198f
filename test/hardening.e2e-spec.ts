import { request as httpRequest, IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signUp } from './support/factories';
import { expectProblem } from './support/problem';
import { createTestDatabase, startTestApp, TestApp } from './support/test-app';

const MIB = 1024 * 1024;

describe('hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://shop.example' });
  });
  afterAll(() => t.close());

  describe('security headers', () => {
    it.each([
      ['a success', '/health/live'],
      ['a problem', '/v1/nowhere'],
    ])('are sent on %s', async (_, path) => {
      const { headers } = await t.request('GET', path);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(headers.get('x-powered-by')).toBeNull();
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      t.request('OPTIONS', '/v1/auth/login', {
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });

    it('allows a listed origin, on preflight and on the request itself', async () => {
      const allowed = await preflight('https://shop.example');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');

      const response = await t.request('GET', '/health/live', { headers: { origin: 'https://shop.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(response.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
    });

    it('does not allow any other origin', async () => {
      expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
      const response = await t.request('GET', '/health/live', { headers: { origin: 'https://evil.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('body limit (1 MiB by default)', () => {
    const loginWithEmailPadding = (totalBytes: number) => {
      const skeleton = JSON.stringify({ email: '', password: 'x' });
      const body = JSON.stringify({ email: 'a'.repeat(totalBytes - skeleton.length), password: 'x' });
      expect(Buffer.byteLength(body)).toBe(totalBytes);
      return t.request('POST', '/v1/auth/login', { rawBody: body, headers: { 'content-type': 'application/json' } });
    };

    it('answers a body one byte over the limit with 413', async () => {
      expectProblem(await loginWithEmailPadding(MIB + 1), 413);
    });

    it('reads a body right at the limit, which then fails validation with 400', async () => {
      const response = await loginWithEmailPadding(MIB);
      expectProblem(response, 400);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field: 'email' }));
    });
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight when the app closes, then refuses new connections', async () => {
    const database = await createTestDatabase();
    const t = await startTestApp({}, { database });
    try {
      const user = await signUp(t);
      const body = Buffer.from(JSON.stringify({ email: user.email, password: PASSWORD }));
      const { port } = new URL(t.baseUrl);
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/auth/login',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': body.length, connection: 'close' },
      });
      const response = once(request, 'response') as Promise<[IncomingMessage]>;
      const requestArrived = once(t.app.getHttpServer(), 'request');
      request.write(body.subarray(0, body.length / 2));
      await requestArrived;

      const closing = t.app.close();
      request.end(body.subarray(body.length / 2));
      const [answer] = await response;
      let text = '';
      for await (const chunk of answer) text += chunk;
      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(text).accessToken).toEqual(expect.any(String));
      await closing;

      await expect(fetch(`${t.baseUrl}/health/live`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    } finally {
      await t.app.close();
      await database.drop();
    }
  });
});
