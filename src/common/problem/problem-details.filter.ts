import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../../observability/observability.module';
import { appErrorOf, PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** Where sendProblem reports what it must (a pino logger: this application's, never a process-wide one). */
export type ProblemLogger = Pick<Logger, 'error'>;

/** The one place where failures become HTTP responses: RFC 9457 problem+json, always. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger: ProblemLogger;

  constructor(@Inject(ROOT_LOGGER) root: Logger) {
    this.logger = root.child({ context: 'Problem' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

export function sendProblem(exception: unknown, request: FastifyRequest, reply: FastifyReply, logger: ProblemLogger): void {
  const { problem, unexpected } = toProblem(exception, request.url.split('?')[0], String(request.id));
  const known = appErrorOf(exception);
  if (unexpected) logger.error({ err: exception, requestId: request.id }, 'unexpected error');
  // A fault of a dependency (database down, lock timeout): logged with its cause, answered as a 503.
  else if (known && known !== exception) logger.error({ err: exception, requestId: request.id, problem: problem.type }, known.message);
  if (reply.sent) return;
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer');
  if (known?.retryAfterSeconds !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(known.retryAfterSeconds))));
  // Set here as well as in the onRequest hook, which Fastify skips for requests it rejects before routing.
  void reply.header('x-request-id', request.id);
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
