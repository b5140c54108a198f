import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../common/problem/problem';
import { IdempotencyService, RecordedResponse } from './idempotency.service';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyScopeOf,
  isReplayableStatus,
  requestFingerprint,
  validIdempotencyKey,
} from './idempotency.rules';

/** Response headers recorded with an answer and sent again when it is replayed. */
const REPLAYED_HEADERS = ['location', 'etag', 'link'];

const keys = new WeakMap<object, string>();

/**
 * The validated Idempotency-Key of a request handled by an @Idempotent() handler, for the handler
 * to store on what it creates. Throws when the handler is not @Idempotent() (a programming error).
 */
export function idempotencyKeyOf(request: FastifyRequest): string {
  const key = keys.get(request);
  if (key === undefined) throw new Error('idempotencyKeyOf() called for a request whose handler is not @Idempotent()');
  return key;
}

/**
 * Runs an @Idempotent() handler at most once per caller and Idempotency-Key (see IdempotencyService):
 * later requests with the same key and the same request get the first answer again, with
 * `Idempotent-Replayed: true`. Successes and the client errors of work that ran are recorded;
 * server errors, "busy" answers (409, 429) and refusals before any work (400, 401, 403, 404) give
 * the key back so that a retry, corrected or not, runs the operation again, as Stripe does.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const key = validIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]);
    keys.set(request, key);
    // Not tied to the subscriber: when the timeout interceptor gives up on the handler, this still
    // waits for it and records (or releases) its outcome.
    return from(this.handle(request, reply, key, next));
  }

  private async handle(request: FastifyRequest, reply: FastifyReply, key: string, next: CallHandler): Promise<unknown> {
    const path = request.url.split('?')[0];
    const outcome = await this.idempotency.claim(idempotencyScopeOf(request), key, requestFingerprint(request.method, path, request.body));
    if (outcome.kind === 'replay') return this.replay(request, reply, outcome.response);

    return this.idempotency.hold(
      outcome.claim,
      () => lastValueFrom(next.handle(), { defaultValue: undefined }),
      (outcome): RecordedResponse | undefined => {
        if ('error' in outcome) {
          const { problem } = toProblem(outcome.error, path, String(request.id));
          return isReplayableStatus(problem.status) ? { status: problem.status, body: problem, headers: {} } : undefined;
        }
        const status = reply.statusCode;
        return isReplayableStatus(status) ? { status, body: outcome.value, headers: this.headersToReplay(reply) } : undefined;
      },
    );
  }

  private headersToReplay(reply: FastifyReply): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    return headers;
  }

  private replay(request: FastifyRequest, reply: FastifyReply, response: RecordedResponse): unknown {
    void reply.status(response.status).header(IDEMPOTENT_REPLAYED_HEADER.toLowerCase(), 'true');
    for (const [name, value] of Object.entries(response.headers)) void reply.header(name, value);
    if (response.status >= 400 && response.body && typeof response.body === 'object') {
      // A recorded problem: the same document, tied to this request's id like every problem.
      void reply.header('content-type', PROBLEM_CONTENT_TYPE);
      return { ...response.body, requestId: String(request.id) };
    }
    return response.body;
  }
}
