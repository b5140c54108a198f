import type { OpenAPIObject } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { ContractViolation, InvalidOpenApiDocument, ObservedResponse, OpenApiResponseValidator } from './support/openapi-validator';

// The harness's response validator (every TestApp.request() goes through it), checked against a
// small hand-written document so that each kind of drift is proven to fail a test.

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } };
const document = {
  openapi: '3.0.0',
  info: { title: 'test', version: '1' },
  paths: {
    '/v1/things/{id}': {
      get: {
        operationId: 'getThing',
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingDto' } } } },
          '304': { description: 'not modified' },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
      delete: { operationId: 'deleteThing', responses: { '204': { description: 'gone' } } },
    },
    '/v1/things/special': {
      get: { operationId: 'special', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { special: { type: 'boolean' } } } } } } } },
    },
    '/v1/bags': {
      get: {
        operationId: 'bag',
        responses: {
          default: { description: 'any', content: { 'application/json': { schema: { type: 'object', additionalProperties: true, properties: { n: { type: 'integer' } } } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      ThingDto: {
        type: 'object',
        required: ['id', 'name', 'note', 'createdAt'],
        properties: {
          id: { type: 'string', format: 'uuid', example: '9b2c1d4e-0000-4000-8000-000000000000' },
          name: { type: 'string' },
          note: { type: 'string', nullable: true },
          owner: { oneOf: [{ $ref: '#/components/schemas/OwnerDto' }, { type: 'object', nullable: true, enum: [null] }] },
          colour: { type: 'string', nullable: true, enum: ['red', 'blue', null] },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      OwnerDto: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'idn-email' } } },
      ProblemDto: {
        type: 'object',
        required: ['type', 'status'],
        properties: { type: { type: 'string' }, status: { type: 'integer' } },
      },
      ProblemType: { type: 'string', enum: ['x', 'urn:emporium:problem:not-found'] },
    },
    responses: {
      NotFound: { description: 'missing', content: problem, headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } } },
    },
    headers: {
      'X-Request-Id': { required: true, schema: { type: 'string' } },
    },
  },
} as unknown as OpenAPIObject;

const thing = { id: '9b2c1d4e-0000-4000-8000-000000000000', name: 'a', note: null, owner: { email: 'josé@example.com' }, colour: null, createdAt: '2026-01-01T00:00:00.000Z' };

function check(response: Partial<ObservedResponse>): void {
  const body = response.text ?? JSON.stringify(thing);
  new OpenApiResponseValidator(document).check({
    method: 'GET',
    path: '/v1/things/9b2c1d4e-0000-4000-8000-000000000000',
    status: 200,
    contentType: 'application/json; charset=utf-8',
    ...response,
    text: body,
  });
}

const violation = (response: Partial<ObservedResponse>, message: RegExp) =>
  expect(() => check(response)).toThrow(expect.objectContaining({ name: ContractViolation.name, message: expect.stringMatching(message) }));

describe('OpenAPI response validator', () => {
  it('accepts a documented answer, with nullable fields null or set and query strings ignored', () => {
    check({});
    check({ path: '/v1/things/x?fields=all', text: JSON.stringify({ ...thing, note: 'n', owner: null, colour: 'red' }) });
    check({ status: 304, text: '' });
    check({ method: 'DELETE', status: 204, contentType: null, text: '' });
    check({ path: '/v1/things/special', text: '{"special":true}' });
    check({ path: '/v1/bags', status: 418, text: '{"n":1,"extra":"allowed by additionalProperties: true"}' });
    check({ method: 'HEAD', status: 200, text: '' });
  });

  it('rejects an undocumented status, naming method, path and status', () => {
    violation({ status: 500, contentType: 'application/problem+json', text: '{"type":"x","status":500}' }, /^OpenAPI contract violation: GET \/v1\/things\/9b2c.* -> 500 \(getThing.*status 500 is not documented/);
  });

  it('rejects a missing, mistyped or undocumented field', () => {
    const { name: _omitted, ...missing } = thing;
    violation({ text: JSON.stringify(missing) }, /must have required property 'name'/);
    violation({ text: JSON.stringify({ ...thing, name: 7 }) }, /\/name must be string/);
    violation({ text: JSON.stringify({ ...thing, createdAt: 'yesterday' }) }, /\/createdAt must match format "date-time"/);
    violation({ text: JSON.stringify({ ...thing, passwordHash: 'x' }) }, /undocumented field "passwordHash"/);
    violation({ text: JSON.stringify({ ...thing, owner: { email: 'a@b.c', role: 'admin' } }) }, /\/owner has undocumented field "role"/);
    violation({ text: JSON.stringify({ ...thing, note: undefined, name: null }) }, /\/name must be string/);
    violation({ text: JSON.stringify({ ...thing, colour: 'green' }) }, /\/colour must be equal to one of the allowed values/);
    violation({ text: JSON.stringify({ ...thing, owner: 'nobody' }) }, /\/owner must match exactly one schema in oneOf/);
  });

  it('rejects an undocumented content type, or a body where none is documented', () => {
    violation({ contentType: 'text/html', text: '<p>' }, /content type "text\/html" is not documented/);
    violation({ status: 404, contentType: 'application/json', text: '{"type":"x","status":404}' }, /content type "application\/json" is not documented/);
    violation({ method: 'DELETE', status: 204, text: '{}' }, /a body .* where the document has none/);
  });

  it('rejects an answer without a required header, following $refs to shared responses and headers', () => {
    const notFound = { status: 404, contentType: 'application/problem+json', text: '{"type":"x","status":404}' };
    check({ ...notFound, responseHeaders: ['Content-Type', 'X-Request-Id'] });
    violation({ ...notFound, responseHeaders: ['content-type'] }, /required header X-Request-Id missing/);
  });

  it('answers unknown routes and methods only with 404/405 problems of a documented problem type', () => {
    check({ path: '/v1/nothing', status: 404, contentType: 'application/problem+json', text: '{"type":"x","status":404}' });
    violation({ path: '/v1/nothing', status: 404, contentType: 'application/problem+json', text: '{"type":"y","status":404}' }, /\/type must be equal to one of the allowed values/);
    violation({ path: '/v1/nothing', status: 200 }, /\/v1\/nothing is not in the document/);
    violation({ method: 'POST', status: 201 }, /POST \/v1\/things\/.* is not in the document \(documented: GET, DELETE\)/);
  });

  it('skips the paths left out of the document on purpose, and CORS preflights', () => {
    check({ path: '/metrics', contentType: 'text/plain', text: 'up 1' });
    check({ path: '/docs/openapi.json', text: '{}' });
    check({ method: 'OPTIONS', status: 204, contentType: null, text: '', requestHeaders: { 'access-control-request-method': 'GET' } });
  });

  describe('reads the document strictly, as a whole, when it is made', () => {
    const withSchema = (name: string, schema: unknown) =>
      ({ ...document, components: { ...document.components, schemas: { ...document.components!.schemas, [name]: schema } } }) as unknown as OpenAPIObject;
    const invalid = (name: string, schema: unknown, message: RegExp) =>
      expect(() => new OpenApiResponseValidator(withSchema(name, schema))).toThrow(
        expect.objectContaining({ name: InvalidOpenApiDocument.name, message: expect.stringMatching(message) }),
      );

    it('refuses `nullable` beside a $ref or allOf without a type, in a schema no response uses', () => {
      const status = { $ref: '#/components/schemas/ProblemType' };
      invalid('EventDto', { type: 'object', properties: { from: { allOf: [status], nullable: true } } }, /#\/components\/schemas\/EventDto\/properties\/from: `nullable` without a `type`/);
      invalid('EventDto', { type: 'object', properties: { from: { oneOf: [status], nullable: true, description: 'State before.' } } }, /EventDto\/properties\/from: `nullable` without a `type`/);
      invalid('Anything', { nullable: true }, /#\/components\/schemas\/Anything: `nullable` without a `type`/);
    });

    it('refuses a nullable enum without null, and a $ref to nothing', () => {
      invalid('Colour', { type: 'string', nullable: true, enum: ['red', 'blue'] }, /Colour: a nullable `enum` must list null/);
      invalid('Wrapper', { type: 'object', properties: { inner: { $ref: '#/components/schemas/Missing' } } }, /Wrapper\/properties\/inner: \$ref #\/components\/schemas\/Missing points at nothing/);
    });
  });
});
