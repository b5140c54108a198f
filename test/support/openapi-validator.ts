import type { OpenAPIObject } from '@nestjs/swagger';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks HTTP responses against the OpenAPI document of the running app, so that every answer
 * the end-to-end suite sees through TestApp.request() is one the document promises: a
 * documented status (or `default`), a documented content type, and a body that matches the
 * schema. Object schemas are closed (no undocumented fields) unless they say
 * `additionalProperties` themselves. Responses, headers and schemas may be `$ref`s into
 * `components`.
 *
 * The document itself is read strictly, as OpenAPI 3.0.3 says, and checked whole when the
 * validator is made, not only the schemas a test happens to reach: `nullable` widens only a
 * `type` in the same schema object (next to a bare `$ref` or `allOf` it allows nothing, and
 * validators such as Prism refuse the null), an `enum` must list null for a nullable schema to
 * take it, and every `$ref` must point at something.
 */

/** Paths left out of the document on purpose; their answers are not checked. */
export const UNDOCUMENTED_PATHS: RegExp[] = [
  /^\/metrics$/, // Prometheus text format, @ApiExcludeController
  /^\/docs(\/.*)?$/, // Swagger UI and the document itself
];

const COMPONENTS_ID = 'openapi:components';
/** Every problem body is one of these, with a `type` of the ProblemType enum when the document has it. */
const PROBLEM_SCHEMA = 'ProblemDto';
const PROBLEM_TYPE_SCHEMA = 'ProblemType';
const BODYLESS_STATUSES = new Set([204, 304]);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

type Schema = Record<string, unknown>;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments count: a more literal template wins over a templated one. */
  literalSegments: number;
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: Schema }>; headers?: Record<string, { required?: boolean }> }>;
}

export interface ObservedResponse {
  method: string;
  /** As requested, query string allowed. */
  path: string;
  status: number;
  contentType: string | null;
  text: string;
  /** Lower-case names. */
  requestHeaders?: Record<string, string>;
  /** Names of the response's headers, any case. */
  responseHeaders?: string[];
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** The document breaks OpenAPI 3.0.3 in a way that would let a wrong answer pass, or a right one fail, elsewhere. */
export class InvalidOpenApiDocument extends Error {
  override name = 'InvalidOpenApiDocument';
}

type Response = Operation['responses'][string];

export class OpenApiResponseValidator {
  private readonly operations: Operation[] = [];
  private readonly ajv: Ajv;
  private readonly compiled = new Map<Schema, ValidateFunction>();
  private readonly problemSchema: Schema | undefined;
  validated = 0;
  skipped = 0;

  constructor(private readonly document: OpenAPIObject) {
    const defects = documentDefects(document);
    if (defects.length > 0) throw new InvalidOpenApiDocument(`The OpenAPI document is not strict OpenAPI 3.0.3:\n  ${defects.join('\n  ')}`);
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // RFC 6531 addresses (non-ASCII allowed); ajv-formats only knows the ASCII `email`.
    this.ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/u);
    for (const format of collectFormats(document)) {
      if (!this.ajv.formats[format]) this.ajv.addFormat(format, true);
    }
    const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
    this.ajv.addSchema({
      $id: COMPONENTS_ID,
      definitions: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, toJsonSchema(schema, schemas)])),
    });
    for (const [template, pathItem] of Object.entries(document.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = (pathItem as Record<string, unknown>)[method] as
          | { operationId?: string; responses: Operation['responses'] }
          | undefined;
        if (!operation) continue;
        const segments = template.split('/');
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(
            '^' + segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$',
          ),
          literalSegments: segments.filter((s) => !s.startsWith('{')).length,
          operationId: operation.operationId ?? `${method} ${template}`,
          responses: operation.responses,
        });
      }
    }
    this.operations.sort((a, b) => b.literalSegments - a.literalSegments);
    // Unknown routes answer 404/405 problems; no operation documents them, so they follow the shared problem schema.
    if (schemas[PROBLEM_SCHEMA]) {
      const base = { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` };
      this.problemSchema = schemas[PROBLEM_TYPE_SCHEMA]
        ? { allOf: [base, { properties: { type: { $ref: `#/components/schemas/${PROBLEM_TYPE_SCHEMA}` } } }] }
        : base;
    }
  }

  /** Throws a ContractViolation when the response is not one the document allows. */
  check(response: ObservedResponse): void {
    const path = response.path.split('?')[0];
    const method = response.method.toUpperCase();
    // CORS preflights are answered by the CORS layer for every route; OpenAPI does not describe them.
    const preflight = method === 'OPTIONS' && Boolean(response.requestHeaders?.['access-control-request-method']);
    if (preflight || UNDOCUMENTED_PATHS.some((pattern) => pattern.test(path))) {
      this.skipped++;
      return;
    }
    const fail = (where: string, message: string): never => {
      const excerpt = response.text.length > 500 ? `${response.text.slice(0, 500)}…` : response.text;
      throw new ContractViolation(
        `OpenAPI contract violation: ${method} ${response.path} -> ${response.status} (${where}): ${message}\n  body: ${excerpt || '(empty)'}`,
      );
    };

    if (!decodable(path)) {
      // Fastify rejects a malformed URL before routing, so no operation answers it: a 400 problem.
      if (response.status !== 400 || !this.problemSchema) fail('malformed URL', `expected a 400 problem, got ${response.status}`);
      this.validateBody(response, { 'application/problem+json': { schema: this.problemSchema } }, 'malformed URL', fail);
      this.validated++;
      return;
    }
    // HEAD is answered by the GET route without a body.
    const lookupMethod = method === 'HEAD' ? 'GET' : method;
    const candidates = this.operations.filter((operation) => operation.pattern.test(path));
    const operation = candidates.find((candidate) => candidate.method === lookupMethod);
    if (!operation) {
      // No documented operation: only "there is no such route" answers are acceptable.
      const expected = candidates.length > 0 ? [405, 404] : [404];
      if (!expected.includes(response.status) || !this.problemSchema) {
        fail('no operation', `${lookupMethod} ${path} is not in the document${candidates.length ? ` (documented: ${candidates.map((c) => c.method).join(', ')})` : ''}`);
      }
      this.validateBody(response, { 'application/problem+json': { schema: this.problemSchema } }, 'unknown route', fail);
      this.validated++;
      return;
    }
    const where = `${operation.operationId}, ${operation.method} ${operation.template}`;
    const entry = operation.responses[String(response.status)] ?? operation.responses.default;
    if (!entry) {
      fail(where, `status ${response.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
    }
    const documented = this.resolve<Response>(entry);
    if (response.responseHeaders) {
      const present = new Set(response.responseHeaders.map((name) => name.toLowerCase()));
      const missing = Object.entries(documented.headers ?? {})
        .filter(([name, header]) => this.resolve<{ required?: boolean }>(header).required && !present.has(name.toLowerCase()))
        .map(([name]) => name);
      if (missing.length > 0) fail(where, `required header ${missing.join(', ')} missing`);
    }
    if (method === 'HEAD') {
      this.validated++;
      return;
    }
    this.validateBody(response, documented.content, where, fail);
    this.validated++;
  }

  private validateBody(
    response: ObservedResponse,
    content: Record<string, { schema?: Schema }> | undefined,
    where: string,
    fail: (where: string, message: string) => never,
  ): void {
    const mediaType = response.contentType?.split(';')[0].trim().toLowerCase() ?? '';
    if (BODYLESS_STATUSES.has(response.status) || !content || Object.keys(content).length === 0) {
      if (response.text !== '') fail(where, `a body (${mediaType || 'no content type'}) where the document has none`);
      return;
    }
    const media = content[mediaType];
    if (!media) fail(where, `content type "${mediaType || '(none)'}" is not documented (documented: ${Object.keys(content).join(', ')})`);
    if (!media.schema || !/json/.test(mediaType)) return;
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      fail(where, `the body is not valid JSON`);
    }
    const validate = this.compile(media.schema);
    if (!validate(body)) fail(where, formatErrors(validate.errors ?? []));
  }

  /** The object a (chain of) `$ref`(s) into this document points at. */
  private resolve<T>(node: T | { $ref: string }): T {
    return resolvePointer(this.document, node) as T;
  }

  private compile(schema: Schema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      const schemas = (this.document.components?.schemas ?? {}) as Record<string, Schema>;
      validate = this.ajv.compile(toJsonSchema(schema, schemas));
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

function isReference(node: unknown): node is { $ref: string } {
  return typeof node === 'object' && node !== null && typeof (node as Schema).$ref === 'string';
}

/** Follows local `$ref`s (`#/components/...`); undefined when one points at nothing. */
function resolvePointer(document: unknown, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isReference(current); hops++) {
    const ref = current.$ref;
    if (!ref.startsWith('#/') || hops > 20) return undefined;
    current = ref
      .slice(2)
      .split('/')
      .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((parent, key) => (typeof parent === 'object' && parent !== null ? (parent as Schema)[key] : undefined), document);
  }
  return current;
}

/**
 * What makes the document unfit for strict OpenAPI 3.0.3 validation, one line per place (a JSON
 * pointer): a `nullable` without a `type` beside it, a nullable `enum` without null, a `$ref` to
 * nothing. Examples are data and not looked into.
 */
function documentDefects(document: OpenAPIObject): string[] {
  const defects: string[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${pointer}/${index}`));
    if (typeof node !== 'object' || node === null) return;
    if (isReference(node) && resolvePointer(document, node) === undefined) defects.push(`${pointer}: $ref ${node.$ref} points at nothing`);
    const schema = node as Schema;
    if (schema.nullable === true && schema.type === undefined) {
      defects.push(
        `${pointer}: \`nullable\` without a \`type\` beside it allows nothing; write oneOf: [{ $ref }, { type, nullable: true, enum: [null] }]`,
      );
    }
    if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) {
      defects.push(`${pointer}: a nullable \`enum\` must list null to allow it`);
    }
    for (const [key, child] of Object.entries(schema)) {
      if (key !== 'example' && key !== 'examples') visit(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  };
  visit(document, '#');
  return defects;
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function formatErrors(errors: ErrorObject[]): string {
  return errors
    .map((error) => {
      const at = error.instancePath || '(body)';
      if (error.keyword === 'additionalProperties') {
        return `${at} has undocumented field "${(error.params as { additionalProperty: string }).additionalProperty}"`;
      }
      return `${at} ${error.message}`;
    })
    .join('; ');
}

function collectFormats(value: unknown, formats = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => collectFormats(item, formats));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'format' && typeof child === 'string') formats.add(child);
      else collectFormats(child, formats);
    }
  }
  return formats;
}

/**
 * An OpenAPI 3.0 schema object as JSON Schema for Ajv: `nullable` adds `null` to the `type`
 * beside it (the constructor made sure there is one, and that a nullable `enum` lists null),
 * `allOf` of objects is merged into one object, and objects are closed unless they say
 * otherwise. `example` and other annotations are left for Ajv to ignore (strict: false).
 */
export function toJsonSchema(schema: Schema, components: Record<string, Schema>): Schema {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (!node || typeof node !== 'object') return node;
    let source = node as Schema;
    if (Array.isArray(source.allOf) && source.allOf.every((member) => isObjectSchema(resolve(member as Schema, components)))) {
      source = mergeAllOf(source, components);
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(source)) {
      if (key === 'nullable') continue;
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        out.$ref = `${COMPONENTS_ID}#/definitions/${value.slice('#/components/schemas/'.length)}`;
        continue;
      }
      if (key === 'properties' && value && typeof value === 'object') {
        out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, convert(child)]));
      } else if (key === 'example' || key === 'examples') {
        out[key] = value;
      } else {
        out[key] = convert(value);
      }
    }
    if (isObjectSchema(out) && out.additionalProperties === undefined) out.additionalProperties = false;
    if (source.nullable === true) out.type = [out.type, 'null'];
    return out;
  };
  return convert(schema) as Schema;
}

function isObjectSchema(schema: Schema): boolean {
  return schema.type === 'object' || (schema.type === undefined && typeof schema.properties === 'object' && !schema.$ref);
}

function resolve(schema: Schema, components: Record<string, Schema>): Schema {
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    const target = components[ref.slice('#/components/schemas/'.length)];
    if (target) return resolve(target, components);
  }
  return schema;
}

function mergeAllOf(schema: Schema, components: Record<string, Schema>): Schema {
  const { allOf, ...rest } = schema;
  const merged: Schema = { ...rest, type: 'object', properties: {}, required: [] };
  for (const member of allOf as Schema[]) {
    const resolved = resolve(member, components);
    const part = Array.isArray(resolved.allOf) ? mergeAllOf(resolved, components) : resolved;
    Object.assign(merged.properties as Schema, part.properties ?? {});
    (merged.required as string[]).push(...((part.required as string[] | undefined) ?? []));
    if (part.additionalProperties !== undefined) merged.additionalProperties = part.additionalProperties;
  }
  return merged;
}
