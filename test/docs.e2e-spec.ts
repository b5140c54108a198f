import type { OpenAPIObject, ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPE_SLUGS, problemType } from '../src/common/problem/problem-types';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, isReplayableStatus } from '../src/idempotency/idempotency.rules';
import { buildOpenApiDocument, DOCUMENT_PATH } from '../src/openapi/openapi';
import { startTestApp, TestApp } from './support/test-app';

// The OpenAPI document as its consumers meet it: its shape (shared components, problem types,
// nullable references, idempotency headers) and how /docs/openapi.json is served (compressed,
// with a strong ETag, 304 when unchanged).

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** The budget that keeps Swagger UI quick: the document was 1.5 MB with every error answer and header repeated. */
const MAX_DOCUMENT_BYTES = 500_000;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request without the automatic decompression of fetch, to see the bytes on the wire. */
function raw(t: TestApp, method: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(DOCUMENT_PATH, t.baseUrl);
    const request = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

function resolved<T>(document: OpenAPIObject, node: T | ReferenceObject): T {
  if (!node || typeof node !== 'object' || !('$ref' in node)) return node;
  const path = node.$ref.replace('#/', '').split('/');
  return path.reduce<unknown>((parent, key) => (parent as Record<string, unknown>)[key], document) as T;
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp();
    document = buildOpenApiDocument(t.app);
  });
  afterAll(() => t?.close());

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      HTTP_METHODS.flatMap((method) => (item[method] ? [{ path, method, operation: item[method] }] : [])),
    );

  it(`stays under ${MAX_DOCUMENT_BYTES / 1000} KB by declaring shared answers, headers and parameters once`, () => {
    expect(JSON.stringify(document, null, 2).length).toBeLessThan(MAX_DOCUMENT_BYTES);
    const components = document.components!;
    expect(Object.keys(components.responses!)).toEqual(expect.arrayContaining(['BadRequest', 'Unauthorized', 'NotFound', 'TooManyRequests', 'InternalServerError', 'ServiceUnavailable']));
    expect(Object.keys(components.headers!)).toEqual(
      expect.arrayContaining(['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', IDEMPOTENT_REPLAYED_HEADER]),
    );
    expect(Object.keys(components.parameters!)).toEqual(
      expect.arrayContaining(['IdempotencyKey', 'IfMatch', 'IfNoneMatch', 'XCartToken', 'Limit', 'Cursor', 'ProductId', 'OrderId', 'AddressId', 'CategoryId']),
    );
    const getProduct = document.paths['/v1/products/{id}'].get!;
    expect(getProduct.parameters).toContainEqual({ $ref: '#/components/parameters/ProductId' });
    expect(getProduct.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    expect(resolved(document, getProduct.responses['200']!).headers?.['X-Request-Id']).toEqual({ $ref: '#/components/headers/X-Request-Id' });
  });

  it('documents a nullable reference as OpenAPI 3.0.3 reads it: the referenced schema or null', () => {
    const event = document.components!.schemas!.OrderEventDto as { properties: Record<string, unknown> };
    for (const property of ['fromStatus', 'toStatus']) {
      expect(event.properties[property]).toMatchObject({
        oneOf: [{ $ref: '#/components/schemas/OrderStatus' }, { type: 'string', nullable: true, enum: [null] }],
      });
    }
  });

  it('publishes every problem type, and answers each error status with the problem types of that status', () => {
    const schemas = document.components!.schemas! as Record<string, { enum?: string[]; oneOf?: ReferenceObject[] }>;
    expect(schemas.ProblemType.enum).toEqual(PROBLEM_TYPE_SLUGS.map(problemType));
    expect(schemas.Status409Problem.oneOf).toEqual([{ $ref: '#/components/schemas/ConflictProblem' }, { $ref: '#/components/schemas/PaymentInProgressProblem' }]);
    expect(schemas.PaymentFailedProblem).toMatchObject({ allOf: [{ $ref: '#/components/schemas/ProblemDto' }, { required: ['failureCode'] }] });
    for (const { path, method, operation } of operations()) {
      for (const [status, entry] of Object.entries(operation.responses)) {
        const problem = resolved<ResponseObject>(document, entry!).content?.['application/problem+json'];
        if (!problem) continue;
        const schema = problem.schema as ReferenceObject;
        expect(schema.$ref, `${method} ${path} ${status}`).toMatch(Number(status) >= 400 ? /^#\/components\/schemas\/\w+Problem$/ : /^$/);
      }
    }
  });

  it(`says ${IDEMPOTENT_REPLAYED_HEADER} on exactly the answers an idempotent operation records`, () => {
    const idempotent = operations().filter(({ operation }) => Reflect.get(operation, 'x-idempotent') === true);
    expect(idempotent.map(({ operation }) => operation.operationId)).toEqual(expect.arrayContaining(['checkout', 'payOrder', 'refundOrder']));
    for (const { path, method, operation } of idempotent) {
      for (const [status, entry] of Object.entries(operation.responses)) {
        const headers = resolved<ResponseObject>(document, entry!).headers ?? {};
        expect(IDEMPOTENT_REPLAYED_HEADER in headers, `${method} ${path} ${status}`).toBe(isReplayableStatus(Number(status)));
      }
      const key = operation.parameters!.map((parameter) => resolved<ParameterObject>(document, parameter)).find(({ name }) => name === IDEMPOTENCY_KEY_HEADER);
      expect(key?.description).toMatch(/Answers 400, 401, 403, 404, 409 and 429 and 5xx are not recorded/);
    }
  });
});

describe(`GET ${DOCUMENT_PATH}`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('sends the document compressed as the client accepts, each coding with its own strong ETag', async () => {
    const identity = await raw(t, 'GET', { 'accept-encoding': 'identity' });
    const gzip = await raw(t, 'GET', { 'accept-encoding': 'gzip, deflate' });
    const br = await raw(t, 'GET', { 'accept-encoding': 'gzip;q=0.8, br' });
    const document = JSON.parse(identity.body.toString('utf8')) as OpenAPIObject;
    expect(document.openapi).toMatch(/^3\.0\./);
    expect(document.servers?.[0]).toEqual({ url: '/', description: 'This server' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(gunzipSync(gzip.body).equals(identity.body)).toBe(true);
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
    expect(br.body.length).toBeLessThan(gzip.body.length);
    expect(gzip.body.length).toBeLessThan(identity.body.length / 5);
    for (const response of [identity, gzip, br]) {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers.vary).toMatch(/Accept-Encoding/i);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]+(-gzip|-br)?"$/);
    }
    expect(new Set([identity, gzip, br].map((response) => response.headers.etag)).size).toBe(3);
  });

  it('answers 304 without a body while the client holds the current document, in any coding', async () => {
    const { headers } = await raw(t, 'GET', { 'accept-encoding': 'br' });
    for (const ifNoneMatch of [headers.etag!, `"stale", ${headers.etag!}`, `W/${headers.etag!}`, '*']) {
      const notModified = await raw(t, 'GET', { 'accept-encoding': 'gzip', 'if-none-match': ifNoneMatch });
      expect(notModified.status, ifNoneMatch).toBe(304);
      expect(notModified.body.length).toBe(0);
      expect(notModified.headers.etag).toMatch(/-gzip"$/);
    }
    expect((await raw(t, 'GET', { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('answers HEAD with the headers of the GET', async () => {
    const head = await raw(t, 'HEAD', { 'accept-encoding': 'br' });
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.body.length).toBe(0);
  });
});
