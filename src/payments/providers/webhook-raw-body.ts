import type { FastifyInstance } from 'fastify';

/** Routes whose handlers get the exact request bytes as `request.rawBody`, for signature checks. */
export const WEBHOOK_PATH_PREFIX = '/v1/payments/webhooks/';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's exact bytes; set on routes under /v1/payments/webhooks/ only. */
    rawBody?: Buffer;
  }
}

/**
 * Replaces Fastify's application/json parser with one that reads the body as a Buffer, keeps it as
 * `request.rawBody` on webhook routes, and parses it with Fastify's own JSON parser: the same
 * errors (400 for empty or invalid JSON) and the same __proto__/constructor poisoning protection
 * as before, everywhere.
 */
export function keepRawBodyOfWebhooks(fastify: FastifyInstance, prefix: string = WEBHOOK_PATH_PREFIX): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // The route's template (not the raw URL, whose encoding a client controls) decides.
    if (request.routeOptions.url?.startsWith(prefix)) request.rawBody = body as Buffer;
    void parseJson(request, body as unknown as string, done);
  });
}
