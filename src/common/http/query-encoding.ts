import type { FastifyInstance } from 'fastify';
import { type FieldError, ValidationFailedException } from '../problem/problem';

/** The field an error names when the parameter's own name cannot be shown. */
const QUERY_FIELD = 'query';

/**
 * The query parameter that is not percent-encoded UTF-8 (`%FF`, a lone surrogate as `%ED%A0%80`,
 * a stray `%`), as a validation error; undefined when the query string is fine or absent.
 * Fastify's query parser keeps such a value as its raw text (a search for "%ED%A0%80"), and an
 * encoded lone surrogate is not UTF-8, so refusing these means no parameter reaches a validator
 * as anything but well-formed Unicode text.
 */
export function malformedQueryParameter(url: string): FieldError | undefined {
  const start = url.indexOf('?');
  if (start === -1 || url.indexOf('%', start) === -1) return undefined;
  const query = url.slice(start + 1);
  if (decodes(query)) return undefined;
  // Escapes never span `&` or `=`, so some parameter fails on its own; name it when its name decodes.
  for (const parameter of query.split('&')) {
    if (decodes(parameter)) continue;
    const equals = parameter.indexOf('=');
    const name = equals === -1 ? parameter : parameter.slice(0, equals);
    return decodes(name)
      ? { field: decodeURIComponent(name.replaceAll('+', ' ')) || QUERY_FIELD, message: 'must be percent-encoded UTF-8 text' }
      : { field: QUERY_FIELD, message: 'has a parameter name that is not percent-encoded UTF-8 text' };
  }
  return undefined;
}

function decodes(encoded: string): boolean {
  try {
    decodeURIComponent(encoded);
    return true;
  } catch {
    return false;
  }
}

/**
 * Answers a request whose query string is not percent-encoded UTF-8 with a 400 validation
 * problem before the route's handler, pipes or validators run. Path parameters need no check here:
 * Fastify's router already refuses a path that does not decode (FST_ERR_BAD_URL, a 400 problem).
 */
export function refuseMalformedQueryStrings(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const malformed = malformedQueryParameter(request.url);
    done(malformed && new ValidationFailedException([malformed]));
  });
}
