/**
 * OWASP API7:2023 Server Side Request Forgery: no operation takes a URL (or host) from a client and
 * fetches it. Every URL the server ever requests comes from configuration (S3_ENDPOINT, REDIS_URL,
 * DATABASE_URL). The walk reads the live OpenAPI document, so a new field that smells like a URL
 * fails here until it is reviewed and added below with its defence.
 */
import type { OpenAPIObject } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/openapi/openapi';
import { startTestApp, TestApp } from '../support/test-app';

type Schema = Record<string, any>;
const URLISH_NAME = /(url|uri|href|link|callback|webhook|endpoint|host|domain)$/i;
const URL_FORMATS = new Set(['uri', 'url', 'uri-reference', 'iri', 'hostname']);

/** Every request field (body properties, parameters) as `operationId: path.to.field` whose name or format says URL. */
function urlInputs(document: OpenAPIObject): string[] {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const found: string[] = [];
  const visit = (operationId: string, path: string, schema: Schema | undefined, seen: Set<Schema>) => {
    if (!schema || seen.has(schema)) return;
    seen.add(schema);
    if (typeof schema.$ref === 'string') return visit(operationId, path, schemas[schema.$ref.split('/').pop() as string], seen);
    if (URL_FORMATS.has(schema.format) || URLISH_NAME.test(path.split('.').pop() ?? '')) found.push(`${operationId}: ${path}`);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) visit(operationId, path ? `${path}.${name}` : name, property, seen);
    for (const key of ['items', 'additionalProperties'] as const) if (typeof schema[key] === 'object') visit(operationId, `${path}[]`, schema[key], seen);
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) for (const part of schema[key] ?? []) visit(operationId, path, part, seen);
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as Schema[]) {
      if (!operation?.operationId) continue;
      for (const parameter of operation.parameters ?? []) visit(operation.operationId, parameter.name, parameter.schema, new Set());
      for (const media of Object.values((operation.requestBody?.content ?? {}) as Record<string, Schema>)) {
        visit(operation.operationId, '', media.schema, new Set());
      }
    }
  }
  return found.sort();
}

describe('API7 server-side request forgery', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('takes no URL, host or callback from a client in any operation', () => {
    expect(urlInputs(buildOpenApiDocument(t.app))).toEqual([]);
  });

  it('would notice one: the walk finds a URL field in a body, a nested array and a parameter', () => {
    const document = {
      paths: {
        '/x': {
          post: {
            operationId: 'probe',
            parameters: [{ name: 'callbackUrl', in: 'query', schema: { type: 'string' } }],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Probe' } } } },
          },
        },
      },
      components: { schemas: { Probe: { type: 'object', properties: { images: { type: 'array', items: { type: 'object', properties: { source: { type: 'string', format: 'uri' } } } } } } } },
    } as unknown as OpenAPIObject;
    expect(urlInputs(document)).toEqual(['probe: callbackUrl', 'probe: images[].source']);
  });

  it('accepts images only as uploaded bytes: a JSON body naming a URL to fetch is refused before anything is read', async () => {
    const response = await t.request('POST', `/v1/products/${'0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e'}/images`, {
      body: { url: 'http://169.254.169.254/latest/meta-data/' },
    });
    expect([401, 415]).toContain(response.status);
  });
});
