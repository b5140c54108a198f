import type { FastifyInstance } from 'fastify';
import { ValidationFailedException } from '../problem/problem';
import { screenJson } from './json-screen';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's exact bytes; set on the routes under JsonBodyParserOptions.rawBodyPathPrefix only. */
    rawBody?: Buffer;
  }
}

export interface JsonBodyParserOptions {
  /** Routes under this path get the body's exact bytes as `request.rawBody` (payment webhooks check signatures on them). */
  rawBodyPathPrefix: string;
}

// fatal: bytes that are not UTF-8 are refused instead of silently becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The one application/json parser. It decodes the body as strict UTF-8, screens the text
 * against the JSON limits and for lone surrogates (json-screen.ts) before anything builds
 * objects from it, and then parses it with Fastify's own parser: the same 400s for empty or
 * invalid JSON and the same __proto__/constructor poisoning protection. A refused body is a 400
 * validation problem naming the field; nothing after this parser sees it.
 */
export function installJsonBodyParser(fastify: FastifyInstance, { rawBodyPathPrefix }: JsonBodyParserOptions): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    // The route's template (not the raw URL, whose encoding a client controls) decides.
    if (request.routeOptions.url?.startsWith(rawBodyPathPrefix)) request.rawBody = body;
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new ValidationFailedException([{ field: 'body', message: 'must be UTF-8 encoded text' }]));
      return;
    }
    const violation = screenJson(text);
    if (violation) {
      done(new ValidationFailedException([violation]));
      return;
    }
    void parseJson(request, text, done);
  });
}
