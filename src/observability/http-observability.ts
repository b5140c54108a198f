import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MetricsService } from './metrics.service';

/**
 * One structured log line and one histogram sample per request, keyed by the route pattern
 * (`/v1/users/:id`, never the raw URL, so label sets stay bounded).
 */
export function installRequestObservability(fastify: FastifyInstance, logger: Logger, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const durationMs = reply.elapsedTime;
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      durationMs / 1000,
    );
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    logger[level](
      {
        requestId: request.id,
        method: request.method,
        route,
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
        userId: request.user?.userId,
        ip: request.ip,
      },
      'request completed',
    );
    done();
  });
}
