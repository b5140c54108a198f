import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Reading the live OpenAPI document the way its consumers do: `$ref`s followed wherever they
 * appear (parameters, request bodies, schemas, examples may all live in `components`), parameters
 * of the path item merged with the operation's, and example values composed as Swagger UI
 * composes them for "Try it out".
 */

export type Json = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export interface DocumentedParameter extends Json {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}

export interface DocumentedOperation {
  /** Upper case. */
  method: string;
  /** The path template, e.g. `/v1/users/{id}`. */
  path: string;
  operationId: string;
  operation: Json;
  parameters: DocumentedParameter[];
  /** Media type -> its media type object; undefined when the operation documents no request body. */
  requestBody?: Record<string, Json>;
}

function isReference(node: unknown): node is { $ref: string } {
  return typeof node === 'object' && node !== null && typeof (node as Json).$ref === 'string';
}

/** The object a (chain of) local `$ref`(s) points at; anything else as it is. */
export function deref<T = Json>(document: OpenAPIObject, node: unknown): T {
  let current = node;
  const followed = new Set<string>();
  while (isReference(current)) {
    const ref = current.$ref;
    if (!ref.startsWith('#/') || followed.has(ref)) throw new Error(`cannot resolve $ref ${ref}`);
    followed.add(ref);
    current = ref
      .slice(2)
      .split('/')
      .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((parent, key) => (parent as Json | undefined)?.[key], document);
    if (current === undefined) throw new Error(`$ref ${ref} points at nothing`);
  }
  return current as T;
}

/** Every operation of the document, in document order, with its parameters and request body resolved. */
export function documentedOperations(document: OpenAPIObject): DocumentedOperation[] {
  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const pathItem = deref<Json>(document, item);
    const shared = ((pathItem.parameters as unknown[] | undefined) ?? []).map((p) => deref<DocumentedParameter>(document, p));
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method] as Json | undefined;
      if (!operation) continue;
      const own = ((operation.parameters as unknown[] | undefined) ?? []).map((p) => deref<DocumentedParameter>(document, p));
      const overridden = (p: DocumentedParameter) => own.some((o) => o.name === p.name && o.in === p.in);
      const body = operation.requestBody === undefined ? undefined : deref<{ content: Record<string, unknown> }>(document, operation.requestBody);
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: String(operation.operationId),
        operation,
        parameters: [...shared.filter((p) => !overridden(p)), ...own],
        requestBody: body && Object.fromEntries(Object.entries(body.content).map(([type, media]) => [type, deref<Json>(document, media)])),
      });
    }
  }
  return operations;
}

/** A schema with its `$ref`s and `allOf`s folded into one object (siblings of the `allOf` win). */
export function flatSchema(document: OpenAPIObject, schema: unknown): Json {
  const resolved = deref<Json>(document, schema ?? {});
  if (!Array.isArray(resolved.allOf)) return resolved;
  const { allOf, ...own } = resolved;
  const parts = [...allOf.map((member) => flatSchema(document, member)), own];
  const merged: Json = Object.assign({}, ...parts);
  const properties = Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Json;
  if (Object.keys(properties).length > 0) merged.properties = properties;
  return merged;
}

/**
 * The example of a schema as Swagger UI composes one: the schema's own `example`, else the first
 * of `oneOf`/`anyOf` or `enum`, its `default`, an object of every property's example (read-only
 * ones left out), an array of one item, and for what remains Swagger UI's placeholders.
 */
export function schemaExample(document: OpenAPIObject, schema: unknown): unknown {
  const flat = flatSchema(document, schema);
  if (flat.example !== undefined) return flat.example;
  const alternatives = (flat.oneOf ?? flat.anyOf) as unknown[] | undefined;
  if (alternatives?.length) return schemaExample(document, alternatives[0]);
  if (Array.isArray(flat.enum) && flat.enum.length > 0) return flat.enum[0];
  if (flat.default !== undefined) return flat.default;
  if (flat.type === 'object' || flat.properties) {
    return Object.fromEntries(
      Object.entries((flat.properties ?? {}) as Json)
        .filter(([, property]) => flatSchema(document, property).readOnly !== true)
        .map(([name, property]) => [name, schemaExample(document, property)]),
    );
  }
  if (flat.type === 'array') return [schemaExample(document, flat.items)];
  const placeholders: Record<string, unknown> = { string: 'string', integer: 0, number: 0, boolean: true };
  if (flat.type === 'string' && flat.format === 'uuid') return '3fa85f64-5717-4562-b3fc-2c963f66afa6';
  if (flat.type === 'string' && flat.format === 'date-time') return new Date().toISOString();
  return placeholders[String(flat.type)];
}

/** The value Swagger UI fills a parameter in with: its first named example, its example, its schema's example or default. */
export function parameterExample(document: OpenAPIObject, parameter: DocumentedParameter): unknown {
  const named = Object.values((parameter.examples ?? {}) as Json).map((example) => deref<Json>(document, example).value);
  if (named.length > 0) return named[0];
  if (parameter.example !== undefined) return parameter.example;
  const schema = flatSchema(document, parameter.schema);
  return schema.example ?? schema.default;
}

/** Named request examples of a media type (`example` counts as one named `example`), or none. */
export function mediaExamples(document: OpenAPIObject, media: Json): Record<string, unknown> {
  if (media.example !== undefined) return { example: media.example };
  return Object.fromEntries(Object.entries((media.examples ?? {}) as Json).map(([name, example]) => [name, deref<Json>(document, example).value]));
}
