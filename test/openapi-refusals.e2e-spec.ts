/**
 * The server is as strict as its OpenAPI document: what the document rules out is refused with a
 * 400 validation problem naming what was wrong, never accepted, 404 or 500. Walks the live
 * document, so that every operation added later is held to it too:
 *
 * - every query and header parameter with constraints (lengths, pattern, range, enum, format,
 *   items) gets a value breaking each of them;
 * - every operation without a documented request body gets one.
 *
 * The caller is an admin, who passes every operation's guard, so the answers are about the input.
 */
import { request as httpRequest } from 'node:http';
import type { OpenAPIObject } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { buildOpenApiDocument } from '../src/openapi/openapi';
import { signUp } from './support/factories';
import { documentedOperations, DocumentedOperation, DocumentedParameter, flatSchema, Json, parameterExample } from './support/openapi-document';
import { OpenApiResponseValidator } from './support/openapi-validator';
import { startTestApp, TestApp } from './support/test-app';

const VALIDATION_PROBLEM = 'urn:emporium:problem:validation';

interface Violation {
  /** What the value breaks, for the failure message. */
  breaks: string;
  value: string | string[];
}

/** A value within the schema's lengths that its pattern refuses, if one of these is. */
function offPattern(pattern: RegExp, minLength: number, maxLength: number): string | undefined {
  return ['x y', '!', '~', 'é']
    .map((seed) => seed.repeat(Math.max(1, Math.ceil(minLength / seed.length))).slice(0, Math.max(minLength, seed.length)))
    .find((value) => value.length <= maxLength && !pattern.test(value));
}

/** One value per constraint of a (flattened) parameter schema, each breaking that constraint. */
function violationsOf(document: OpenAPIObject, schema: Json): Violation[] {
  if (schema.type === 'array') {
    const item = flatSchema(document, schema.items);
    const fine = String(schema.example instanceof Array ? schema.example[0] : (item.example ?? 'x'));
    const violations: Violation[] = violationsOf(document, item).map(({ breaks, value }) => ({ breaks: `items: ${breaks}`, value: [String(value)] }));
    if (typeof schema.maxItems === 'number') violations.push({ breaks: 'maxItems', value: Array.from({ length: schema.maxItems + 1 }, () => fine) });
    return violations;
  }
  const violations: Violation[] = [];
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  if (schema.type === 'integer' || schema.type === 'number') {
    violations.push({ breaks: 'type', value: 'twelve' });
    if (typeof schema.minimum === 'number') violations.push({ breaks: 'minimum', value: String(schema.minimum - 1) });
    if (typeof schema.maximum === 'number') violations.push({ breaks: 'maximum', value: String(schema.maximum + 1) });
  }
  if (minLength > 0) violations.push({ breaks: 'minLength', value: 'x'.repeat(minLength - 1) });
  if (maxLength < Infinity) violations.push({ breaks: 'maxLength', value: 'x'.repeat(maxLength + 1) });
  if (typeof schema.pattern === 'string') {
    const value = offPattern(new RegExp(schema.pattern, 'u'), minLength, maxLength);
    if (value === undefined) throw new Error(`no value found that breaks the pattern ${schema.pattern}; add a seed to offPattern`);
    violations.push({ breaks: 'pattern', value });
  }
  if (Array.isArray(schema.enum)) violations.push({ breaks: 'enum', value: 'not-a-documented-value' });
  if (schema.format === 'uuid') violations.push({ breaks: 'format uuid', value: 'x'.repeat(36) });
  if (schema.format === 'date-time') violations.push({ breaks: 'format date-time', value: 'yesterday' });
  return violations;
}

/** The operation's path with every path parameter at its example (any value will do: input is checked before lookups). */
function examplePath(document: OpenAPIObject, operation: DocumentedOperation): string {
  return operation.parameters
    .filter((parameter) => parameter.in === 'path')
    .reduce((path, parameter) => path.replace(`{${parameter.name}}`, encodeURIComponent(String(parameterExample(document, parameter)))), operation.path);
}

interface RawAnswer {
  status: number;
  contentType: string | null;
  text: string;
  headers: string[];
}

/** A request over node:http, which (unlike fetch) also sends a body with GET. */
function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, body: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(`${baseUrl}${path}`, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'] ?? null,
          text: Buffer.concat(chunks).toString('utf8'),
          headers: Object.keys(response.headers),
        }),
      );
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

describe('refusing what the OpenAPI document rules out', () => {
  let t: TestApp;
  let adminToken: string;
  let document: OpenAPIObject;
  let operations: DocumentedOperation[];

  beforeAll(async () => {
    t = await startTestApp();
    adminToken = (await signUp(t, [Role.Admin])).accessToken;
    document = buildOpenApiDocument(t.app);
    operations = documentedOperations(document);
  });
  afterAll(() => t.close());

  it('answers 400 naming the parameter to every query or header value that breaks its documented constraints', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const operation of operations) {
      const constrained = operation.parameters.filter((parameter): parameter is DocumentedParameter => parameter.in === 'query' || parameter.in === 'header');
      for (const parameter of constrained) {
        for (const { breaks, value } of violationsOf(document, flatSchema(document, parameter.schema))) {
          let path = examplePath(document, operation);
          const headers: Record<string, string> = {};
          if (parameter.in === 'header') headers[parameter.name] = String(value);
          else path += `?${new URLSearchParams((Array.isArray(value) ? value : [value]).map((item): [string, string] => [parameter.name, item])).toString()}`;
          const response = await t.request(operation.method, path, { token: adminToken, headers });
          checked++;
          const named = response.status === 400 && response.body.type === VALIDATION_PROBLEM && response.body.errors.some((error: { field: string }) => error.field === parameter.name);
          if (!named) failures.push(`${operation.operationId}: ${parameter.in} ${parameter.name} breaking ${breaks} -> ${response.status} ${JSON.stringify(response.body)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(failures).toEqual([]);
  });

  it('answers 400 (or 415) to a body sent to any operation that documents none, and still takes them without one', async () => {
    const validator = new OpenApiResponseValidator(document);
    const failures: string[] = [];
    const bodiless = operations.filter((operation) => !operation.requestBody);
    expect(bodiless.map((operation) => operation.operationId)).toEqual(expect.arrayContaining(['fulfilOrder', 'shipOrder', 'deliverOrder', 'archiveProduct', 'restoreProduct']));
    for (const operation of bodiless) {
      const path = examplePath(document, operation);
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const answer = await rawRequest(t.baseUrl, operation.method, path, headers, JSON.stringify({ lines: [{ lineId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e', quantity: 1 }] }));
      // The answer is one the document promises, like every answer the suite sees.
      validator.check({ method: operation.method, path, status: answer.status, contentType: answer.contentType, text: answer.text, responseHeaders: answer.headers });
      const refused =
        answer.status === 415 ||
        (answer.status === 400 && (JSON.parse(answer.text) as { errors?: { field: string }[] }).errors?.some((error) => error.field === 'body'));
      if (!refused) failures.push(`${operation.operationId}: ${operation.method} ${path} with a body -> ${answer.status} ${answer.text}`);
    }
    expect(failures).toEqual([]);

    // Without a body, or with an empty one, the same operations work: clients send POST without a body.
    const product = await t.request('POST', '/v1/products', {
      token: adminToken,
      body: { slug: 'bodiless', name: 'Bodiless', variants: [{ sku: 'BODILESS-1', priceAmount: 100, currency: 'EUR' }] },
    });
    expect(product.status).toBe(201);
    expect((await t.request('POST', `/v1/products/${product.body.id}/archive`, { token: adminToken })).status).toBe(200);
    const restored = await rawRequest(t.baseUrl, 'POST', `/v1/products/${product.body.id}/restore`, { authorization: `Bearer ${adminToken}` }, '');
    expect(restored.status).toBe(200);
  });
});
