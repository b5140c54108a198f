import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiExtension, ApiExtraModels, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ProblemDto, problemResponse } from '../common/problem/problem.openapi';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENT_REPLAYED_HEADER,
  isReplayableStatus,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  UNRECORDED_STATUSES,
} from './idempotency.rules';

/** @nestjs/swagger's metadata key for documented responses (DECORATORS.API_RESPONSE, not exported). */
const API_RESPONSE_METADATA = 'swagger/apiResponse';

const PROBLEMS: Record<number, { description: string; example: Record<string, unknown> }> = {
  400: {
    description: `The \`${IDEMPOTENCY_KEY_HEADER}\` header is missing or not 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.`,
    example: {
      detail: 'The request is not valid.',
      errors: [{ field: IDEMPOTENCY_KEY_HEADER, message: `${IDEMPOTENCY_KEY_HEADER} header is required on this operation` }],
    },
  },
  409: {
    description: `A request with the same \`${IDEMPOTENCY_KEY_HEADER}\` is still being processed; retry after it has finished.`,
    example: { detail: 'A request with this Idempotency-Key is still being processed; retry after it has finished.' },
  },
  422: {
    description: `The \`${IDEMPOTENCY_KEY_HEADER}\` was already used with a different request (method, path or body).`,
    example: {
      detail: 'This Idempotency-Key was already used with a different request (method, path or body); use a new key for a new request.',
    },
  },
};

/** "400, 401, 403, 404, 409 and 429": the refusals that leave the key unspent. */
const UNRECORDED = [...UNRECORDED_STATUSES].sort((a, b) => a - b).join(', ').replace(/, (\d+)$/, ' and $1');

const REPLAYED_HEADER_DOC = {
  description:
    `\`true\` when this answer is the recorded answer to an earlier request with the same \`${IDEMPOTENCY_KEY_HEADER}\`; absent otherwise. ` +
    `Only answers of work that ran are recorded: never ${UNRECORDED} nor 5xx.`,
  required: false,
  schema: { type: 'string', enum: ['true'], example: 'true' },
};

type ResponseEntry = { description?: string; headers?: Record<string, unknown>; [key: string]: unknown };

/**
 * Makes a POST handler idempotent per caller and `Idempotency-Key` header (required): the same
 * key with the same request replays the first answer (status, body, Location/ETag/Link) with
 * `Idempotent-Replayed: true` when that answer was recorded (isReplayableStatus: not a refusal
 * before any work, nor a 5xx); with another request it is 422; while the first request still
 * runs, 409. Keys are kept IDEMPOTENCY_TTL_HOURS. Handlers read the key with idempotencyKeyOf().
 *
 * Documents the header and the 400/409/422 answers without replacing the handler's own
 * documentation of those statuses. Place it above the handler's response decorators so the
 * `Idempotent-Replayed` header is documented on them too.
 */
export function Idempotent(): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    applyDecorators(
      UseInterceptors(IdempotencyInterceptor),
      ApiExtension('x-idempotent', true),
      ApiExtraModels(ProblemDto),
      ApiHeader({
        name: IDEMPOTENCY_KEY_HEADER,
        required: true,
        description:
          'A unique key per operation you mean to perform once, e.g. a UUID; send the same key again to retry safely. ' +
          `The same key with the same request replays the first answer (with \`${IDEMPOTENT_REPLAYED_HEADER}: true\`), with another ` +
          `request it is 422, while the first request still runs 409. Answers ${UNRECORDED} and 5xx are not recorded: the key stays ` +
          'unspent, and a retry with it runs the request again. Keys are per caller and kept 24 hours (IDEMPOTENCY_TTL_HOURS).',
        schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: IDEMPOTENCY_KEY_PATTERN, example: '5f0c2c8e-9a10-4c41-9d1c-0b4f6c1e7a0d' },
      }),
    )(target, propertyKey, descriptor);

    const documented = (Reflect.getMetadata(API_RESPONSE_METADATA, descriptor.value as object) ?? {}) as Record<string, ResponseEntry>;
    for (const [status, { description, example }] of Object.entries(PROBLEMS)) {
      const existing = documented[status];
      if (existing) {
        existing.description = existing.description ? `${existing.description}\n\n${description}` : description;
      } else {
        const { content } = problemResponse(Number(status), { description, example });
        ApiResponse({ status: Number(status), description, content: content as never })(target, propertyKey, descriptor);
      }
    }
    const responses = (Reflect.getMetadata(API_RESPONSE_METADATA, descriptor.value as object) ?? {}) as Record<string, ResponseEntry>;
    for (const [status, entry] of Object.entries(responses)) {
      if (/^\d+$/.test(status) && isReplayableStatus(Number(status))) {
        entry.headers = { ...entry.headers, [IDEMPOTENT_REPLAYED_HEADER]: REPLAYED_HEADER_DOC };
      }
    }
    return descriptor;
  };
}
