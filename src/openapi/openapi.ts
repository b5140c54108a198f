import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type HeaderObject, OpenAPIObject, type OperationObject, SwaggerModule } from '@nestjs/swagger';
import packageJson from '../../package.json';
import { EXAMPLE_REQUEST_ID, problemResponse, REQUEST_ID_PATTERN } from '../common/problem/problem.openapi';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** Feature tags, in the order the Swagger UI shows them. */
const TAGS: [name: string, description: string][] = [
  ['Auth', 'Registration, sign-in, token refresh and sign-out. Public, with a stricter rate limit.'],
  ['Account', 'The signed-in user\'s own account.'],
  ['Users', 'User accounts and their roles, for staff.'],
  ['Catalog', 'Categories, products and their variants. Reads are public (shoppers see active products; staff sending a token see all); changes need catalog:write.'],
  ['Inventory', 'Stock locations, stock levels per variant and location, and the movement ledger. Reads need inventory:read, changes inventory:write; availability is public.'],
  ['Carts', 'Shopping carts of guests (proved with the X-Cart-Token header) and signed-in customers. Prices are always the catalog\'s current ones.'],
  ['Checkout', 'Turning a cart into an order that holds its stock. Needs an Idempotency-Key.'],
  ['Orders', 'Orders, their state transitions and timeline. Customers see their own; staff with orders:read:any see all.'],
  ['Payments', 'Captures, refunds and payment provider webhooks.'],
  ['Pricing', 'Shipping and tax rates by country, used by checkout. Staff only (pricing:write).'],
  ['Health', 'Liveness and readiness probes for orchestrators. Public and not rate limited.'],
];

/** Sent on every response. */
const REQUEST_ID_HEADER: HeaderObject = {
  description: 'Id of this request: the caller\'s own `X-Request-Id` when well-formed, otherwise a new UUID. Also in problem bodies and logs.',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 128, pattern: REQUEST_ID_PATTERN, example: EXAMPLE_REQUEST_ID },
};

/**
 * Sent by the rate limiter on every answer to a rate-limited route once the request passed it
 * (so not on a 429 from the general limit, nor on 413/415 answered before routing). Routes with
 * the stricter sign-in limit also send the same three headers suffixed `-auth`.
 */
const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'X-RateLimit-Limit': {
    description:
      'Requests allowed per client address in the current window. The sign-in routes (`/v1/auth/*`) have a stricter limit too ' +
      'and also send the three headers suffixed `-auth` for it.',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000, example: 600 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000, example: 599 },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the current window ends.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400, example: 60 },
  },
};

/** `AuthController` + `register` → `authRegister`: a camelCase client method name. */
function operationIdOf(controllerKey: string, methodKey: string): string {
  const feature = controllerKey.replace(/Controller$/, '');
  return feature.charAt(0).toLowerCase() + feature.slice(1) + methodKey.charAt(0).toUpperCase() + methodKey.slice(1);
}

/** The OpenAPI document, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Emporium API')
    .setDescription(
      'Commerce back end: catalog, inventory, carts, checkout, orders and payments.\n\n' +
        'Errors are RFC 9457 `application/problem+json`. Every response carries `X-Request-Id`. ' +
        'Sign in with `POST /v1/auth/login` and send the access token as `Authorization: Bearer <token>`.\n\n' +
        'Rate limits apply per client address on every route except `/health/*`; answers carry ' +
        '`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`, and a 429 carries `Retry-After`.',
    )
    .setVersion(packageJson.version)
    .addServer('http://localhost:3000', 'Local development server (`npm start`); deployments serve the same paths at their own origin.')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'Access token from /v1/auth/login or /v1/auth/refresh: a short-lived HS256 JWS, validated following RFC8725 ' +
        '(algorithm pinned to HS256, issuer and expiry checked).',
    });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { operationIdFactory: operationIdOf });

  for (const server of document.servers ?? []) Object.assign(server, { 'x-internal': true });
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation) completeOperation(operation);
    }
  }
  closeObjectSchemas(document);
  describeEnums(document);
  return document;
}

/**
 * What every operation shares, added here rather than repeated on each handler: an explicit
 * security requirement, the 500 and 503 (timeout, shutdown) answers, the X-Request-Id header,
 * and the rate-limit headers on the 2xx and 4xx answers of rate-limited (429-documenting) routes.
 */
function completeOperation(operation: OperationObject): void {
  // Public operations say so explicitly instead of leaving the requirement undefined.
  operation.security ??= [];
  operation.responses['500'] ??= problemResponse(500);
  operation.responses['503'] ??= problemResponse(503);
  const rateLimited = '429' in operation.responses;
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response || '$ref' in response) continue;
    const headers: Record<string, HeaderObject> = { 'X-Request-Id': REQUEST_ID_HEADER };
    if (rateLimited && /^[24]/.test(status)) Object.assign(headers, RATE_LIMIT_HEADERS);
    response.headers = { ...headers, ...(response.headers as Record<string, HeaderObject> | undefined) };
  }
}

/**
 * Request bodies are closed (`additionalProperties: false`): the validation pipe rejects unknown
 * fields. Response bodies stay open on purpose: a new optional response field is an additive,
 * non-breaking change, and clients must ignore members they do not know (RFC 9457 problem
 * documents are extensible by definition).
 */
function closeObjectSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const pending: unknown[] = [];
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const body = pathItem[method]?.requestBody;
      if (body && !('$ref' in body)) pending.push(...Object.values(body.content).map((media) => media.schema));
    }
  }
  const seen = new Set<unknown>();
  while (pending.length) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    const schema = node as Record<string, unknown>;
    if (typeof schema.$ref === 'string') {
      pending.push(schemas[schema.$ref.replace('#/components/schemas/', '')]);
      continue;
    }
    if (schema.type === 'object' || schema.properties) schema.additionalProperties ??= false;
    pending.push(...Object.values((schema.properties ?? {}) as Record<string, unknown>), schema.items);
  }
}

/** Named enums get their own description (not the first property's) and an example, which parameters referring to them share. */
const ENUM_DESCRIPTIONS: Record<string, string> = {
  ProductStatus: 'Lifecycle of a product: `draft` (staff only), `active` (visible to everyone), `archived` (hidden, kept for history).',
  EditableProductStatus: 'A status that can be set directly: `draft` or `active` (archiving has its own operation).',
  ProductSort: 'Order of a product list: `newest` first, by `name` A to Z, by lowest variant `price` (`price_desc`: dearest first), or best match first (`relevance`, with a search `q` only).',
  Role: 'A role: a named set of permissions. `customer` manages their own account and orders; `support`, `manager` and `admin` are staff roles with growing permissions.',
};

function describeEnums(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) {
    if ('$ref' in schema || !schema.enum?.length) continue;
    schema.description = ENUM_DESCRIPTIONS[name] ?? schema.description;
    schema.example ??= schema.enum[0];
  }
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      for (const parameter of pathItem[method]?.parameters ?? []) {
        if ('$ref' in parameter || !parameter.schema || !('$ref' in parameter.schema)) continue;
        const target = schemas[parameter.schema.$ref.replace('#/components/schemas/', '')];
        if (target && !('$ref' in target)) parameter.example ??= target.example;
      }
    }
  }
}

export function setupSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Emporium API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
    // The copy served here lists this very server first, so "Try it out" calls the origin the UI
    // came from instead of the documented http://localhost:3000 (unreachable from a deployment).
    patchDocumentOnRequest: (_request, _response, served) => ({
      ...served,
      servers: [{ url: '/', description: 'This server' }, ...(served.servers ?? [])],
    }),
  });
}
