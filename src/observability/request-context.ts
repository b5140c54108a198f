import { fastifyRequestContext, requestContext } from '@fastify/request-context';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module '@fastify/request-context' {
  interface RequestContextData {
    request: FastifyRequest;
  }
}

/**
 * Makes the request being handled reachable from anywhere in its asynchronous flow
 * (AsyncLocalStorage through @fastify/request-context, which re-enters the context after body
 * parsing, where Fastify itself loses it). The logger reads it for every line.
 */
export async function installRequestContext(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyRequestContext, { hook: 'onRequest', defaultStoreValues: (request) => ({ request }) });
}

/** The request id and, once known, the user of the request being handled; nothing outside a request. */
export function requestLogFields(): { requestId?: string; userId?: string } {
  const request = requestContext.get('request');
  if (!request) return {};
  const userId = request.user?.userId;
  return userId ? { requestId: request.id, userId } : { requestId: request.id };
}
