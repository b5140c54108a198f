import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  type HeaderObject,
  OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { isDeepStrictEqual } from 'node:util';
import packageJson from '../../package.json';
import { EXAMPLE_REQUEST_ID, problemResponse, REQUEST_ID_PATTERN } from '../common/problem/problem.openapi';
import { problemTitle, problemTypeOfStatus, problemTypesOfStatus } from '../common/problem/problem-types';
import { addProblemSchemas, PROBLEM_MODELS } from './problem-schemas';
import { ServedDocument } from './served-document';

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

/** Where the document is served (compressed, with an ETag); the Swagger UI at /docs loads it from there. */
export const DOCUMENT_PATH = '/docs/openapi.json';

/** Sent on every response. */
const REQUEST_ID_HEADER: HeaderObject = {
  description: 'Id of this request: the caller\'s own `X-Request-Id` when well-formed, otherwise a new UUID. Also in problem bodies and logs.',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 128, pattern: REQUEST_ID_PATTERN, example: EXAMPLE_REQUEST_ID },
};

/**
 * Sent by the rate limiter on every answer to a rate-limited route once the request passed it
 * (so not on a 429 from the general limit, nor on 413/415 answered before routing). Routes with
 * the stricter sign-in limit also send the same three headers suffixed `-auth` (said once, in
 * the document's description: repeated here it would fill every answer's header table).
 */
const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'X-RateLimit-Limit': {
    description: 'Requests allowed per client address in the current window.',
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

/** Sent with every 429 and 503: every refusal of those statuses says when to try again. */
const RETRY_AFTER_HEADER: HeaderObject = {
  description: 'Seconds to wait before trying again.',
  required: true,
  schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400, example: 30 },
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
        'Errors are RFC 9457 `application/problem+json`; their `type` is one of `ProblemType`, and `<Type>Problem` says which ' +
        'members each type carries. Every response carries `X-Request-Id`. ' +
        'Sign in with `POST /v1/auth/login` and send the access token as `Authorization: Bearer <token>`.\n\n' +
        'Rate limits apply per client address on every route except `/health/*`; answers carry ' +
        '`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (the sign-in routes, `/v1/auth/*`, also the same ' +
        'three suffixed `-auth` for their stricter limit), and a 429 carries `Retry-After`.',
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
  const document = SwaggerModule.createDocument(app, builder.build(), { operationIdFactory: operationIdOf, extraModels: PROBLEM_MODELS });

  for (const server of document.servers ?? []) Object.assign(server, { 'x-internal': true });
  makeReferencesNullable(document);
  closeObjectSchemas(document);
  describeEnums(document);
  const sharedResponses = (document.components ??= {}).responses ??= {};
  for (const operation of operationsOf(document)) completeOperation(operation, sharedResponses);
  const statuses = [...operationsOf(document)].flatMap((operation) => Object.keys(operation.responses).map(Number));
  addProblemSchemas(document, new Set(statuses.filter((status) => status >= 400)));
  shareRepeatedParameters(document);
  shareRepeatedHeaders(document);
  return document;
}

function* operationsOf(document: OpenAPIObject): Generator<OperationObject> {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation) yield operation;
    }
  }
}

/**
 * A nullable reference, `{ allOf: [{ $ref }], nullable: true }` as @nestjs/swagger writes an
 * `enumName` or DTO property with `nullable: true`, is not nullable under OpenAPI 3.0.3: `nullable`
 * only widens a `type` in the same schema object, and none is there (validators such as Prism
 * reject the null). It becomes `oneOf: [{ $ref }, { type, nullable: true, enum: [null] }]`: the
 * referenced schema or null, which generators type as `OrderStatus | null`.
 */
function makeReferencesNullable(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const schema = node as SchemaObject;
    const [only, ...others] = schema.allOf ?? [];
    if (schema.nullable === true && schema.type === undefined && only && others.length === 0 && '$ref' in only) {
      const target = schemas[only.$ref.replace('#/components/schemas/', '')];
      delete schema.allOf;
      delete schema.nullable;
      schema.oneOf = [only, { type: target && 'type' in target ? target.type : 'object', nullable: true, enum: [null] }];
      return;
    }
    Object.values(schema).forEach(visit);
  };
  visit(schemas);
}

/** Shared problem answers are named after their status: `NotFound`, `UnprocessableContent`, ... */
function sharedResponseName(status: number): string {
  return problemTitle(problemTypeOfStatus(status), status).replace(/[^A-Za-z]/g, '');
}

/** The headers every answer with this status carries: X-Request-Id, the rate-limit headers, Retry-After. */
function standardHeaders(status: string, rateLimited: boolean): Record<string, HeaderObject> {
  return {
    'X-Request-Id': REQUEST_ID_HEADER,
    ...(rateLimited && /^[24]/.test(status) ? RATE_LIMIT_HEADERS : {}),
    ...(status === '429' || status === '503' ? { 'Retry-After': RETRY_AFTER_HEADER } : {}),
  };
}

/**
 * What every operation shares, added here rather than repeated on each handler: an explicit
 * security requirement, the 500 and 503 (timeout, shutdown, database) answers, the X-Request-Id
 * header, Retry-After on 429 and 503, and the rate-limit headers on the 2xx and 4xx answers of
 * rate-limited (429-documenting) routes. A problem answer documented as every operation documents
 * it becomes a reference to the shared one in `components.responses`.
 */
function completeOperation(operation: OperationObject, sharedResponses: Record<string, ResponseObject | ReferenceObject>): void {
  // Public operations say so explicitly instead of leaving the requirement undefined.
  operation.security ??= [];
  operation.responses['500'] ??= problemResponse(500);
  operation.responses['503'] ??= problemResponse(503);
  const rateLimited = '429' in operation.responses;
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response || '$ref' in response) continue;
    response.headers = { ...standardHeaders(status, rateLimited), ...(response.headers as Record<string, HeaderObject> | undefined) };
    const code = Number(status);
    if (code < 400 || problemTypesOfStatus(code).length === 0) continue;
    const shared: ResponseObject = { ...problemResponse(code), headers: standardHeaders(status, true) };
    if (!sameJson(response, shared)) continue;
    const name = sharedResponseName(code);
    sharedResponses[name] ??= shared;
    operation.responses[status] = { $ref: `#/components/responses/${name}` };
  }
}

/** Deep equality of what two values serialize to (undefined members are not serialized). */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

/** One use of a parameter or header definition, under the name it would be shared by; `replace` swaps it for a `$ref`. */
interface Use<T> {
  definition: T;
  name: string;
  replace: (ref: ReferenceObject) => void;
}

/**
 * Groups equal definitions and moves every one used more than once into `components[kind]`,
 * replacing each use by a reference. When different definitions would take one name, the most
 * used takes it and the others stay inline.
 */
function shareRepeated<T>(components: Record<string, T | ReferenceObject>, kind: 'parameters' | 'headers', uses: Use<T>[]): void {
  const groups: { definition: T; name: string; uses: Use<T>[] }[] = [];
  for (const use of uses) {
    const group = groups.find((candidate) => candidate.name === use.name && isDeepStrictEqual(candidate.definition, use.definition));
    if (group) group.uses.push(use);
    else groups.push({ definition: use.definition, name: use.name, uses: [use] });
  }
  groups.sort((a, b) => b.uses.length - a.uses.length);
  for (const { definition, name, uses: sameUses } of groups) {
    if (sameUses.length < 2 || name in components) continue;
    components[name] = definition;
    for (const use of sameUses) use.replace({ $ref: `#/components/${kind}/${name}` });
  }
}

/** `If-None-Match` → `IfNoneMatch`, `stock-location` → `StockLocation`, `variantId` → `VariantId`. */
function pascalCase(name: string): string {
  return name.replace(/(?:^|[-_ ])([a-zA-Z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** `addresses` → `address`, `categories` → `category`, `products` → `product`. */
function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  return word.replace(/s$/, '');
}

/** A parameter's component name: its own (`Limit`, `IdempotencyKey`), or for an `id` in the path its resource's (`ProductId`). */
function parameterComponentName(parameter: ParameterObject, path: string): string {
  if (parameter.in !== 'path' || parameter.name !== 'id') return pascalCase(parameter.name);
  const segments = path.split('/');
  return `${pascalCase(singular(segments[segments.indexOf('{id}') - 1] ?? ''))}Id`;
}

/** Parameters declared alike on several operations (Idempotency-Key, If-None-Match, limit, cursor, ids) are declared once. */
function shareRepeatedParameters(document: OpenAPIObject): void {
  const uses: Use<ParameterObject>[] = [];
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const parameters = pathItem[method]?.parameters ?? [];
      parameters.forEach((parameter, index) => {
        if ('$ref' in parameter) return;
        uses.push({ definition: parameter, name: parameterComponentName(parameter, path), replace: (ref) => (parameters[index] = ref) });
      });
    }
  }
  shareRepeated((document.components ??= {}).parameters ??= {}, 'parameters', uses);
}

/** Response headers documented alike on several answers (X-Request-Id, the rate-limit headers, Retry-After, ETag...) are declared once. */
function shareRepeatedHeaders(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  const responses = [...operationsOf(document)].flatMap((operation) => Object.values(operation.responses));
  const uses: Use<HeaderObject>[] = [];
  for (const response of [...responses, ...Object.values(components.responses ?? {})]) {
    if (!response || '$ref' in response || !response.headers) continue;
    const headers = response.headers;
    for (const [name, header] of Object.entries(headers)) {
      if ('$ref' in header) continue;
      uses.push({ definition: header, name, replace: (ref) => (headers[name] = ref) });
    }
  }
  shareRepeated(components.headers ??= {}, 'headers', uses);
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
  OrderStatus:
    'Where an order is in its life: `pending_payment` (stock reserved, awaiting payment), `paid`, `fulfilled` (packed), `shipped`, ' +
    '`delivered`, or `cancelled` and `refunded`, where it ends.',
  OrderAction: 'Something that can happen to an order: what its `links` offer, and what an illegal transition lists in `allowed`.',
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

/**
 * The Swagger UI at /docs, and the document at /docs/openapi.json (and .yaml). The UI loads the
 * JSON document by URL, served compressed and cacheable (ETag), instead of the copy Nest would
 * inline into its init script; the served copy lists this very server first, so "Try it out"
 * calls the origin the UI came from instead of the documented http://localhost:3000.
 */
export function setupSwaggerUi(app: NestFastifyApplication, document: OpenAPIObject): void {
  const served: OpenAPIObject = { ...document, servers: [{ url: '/', description: 'This server' }, ...(document.servers ?? [])] };
  const json = new ServedDocument(served);
  app.getHttpAdapter().getInstance().get(DOCUMENT_PATH, (request, reply) => json.send(request, reply));
  SwaggerModule.setup('docs', app, served, { ui: false, raw: ['yaml'], yamlDocumentUrl: 'docs/openapi.yaml' });
  // An empty spec makes Swagger UI download `swaggerUrl` rather than render the (then absent) inlined copy.
  SwaggerModule.setup('docs', app, {} as OpenAPIObject, {
    raw: false,
    swaggerUrl: DOCUMENT_PATH,
    customSiteTitle: 'Emporium API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
