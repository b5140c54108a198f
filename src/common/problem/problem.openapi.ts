import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { problemType, STATUS_TYPES } from './problem';

export class FieldErrorDto {
  /** Path of the offending field, dotted for nested ones. */
  @ApiProperty({ example: 'email', maxLength: 200 })
  field: string;

  /** What is wrong with it. */
  @ApiProperty({ example: 'email must be an email', maxLength: 1000 })
  message: string;
}

/** RFC 9457 problem details: the body of every error response. */
export class ProblemDto {
  /** URI identifying the kind of problem; stable, meant for programs. */
  @ApiProperty({ example: problemType('validation'), maxLength: 200 })
  type: string;

  /** Short human summary of the kind of problem. */
  @ApiProperty({ example: 'Bad Request', maxLength: 200 })
  title: string;

  /** The HTTP status code. */
  @ApiProperty({ example: 400, minimum: 400, maximum: 599 })
  status: number;

  /** What went wrong this time, for humans. */
  @ApiProperty({ example: 'The request is not valid.', maxLength: 2000 })
  detail: string;

  /** The path that was requested. */
  @ApiProperty({ example: '/v1/auth/register', maxLength: 2000 })
  instance: string;

  /** The request id, also sent as the X-Request-Id header; quote it when reporting a problem. */
  @ApiProperty({ example: '0b4f6c1e-7a0d-4c41-9d1c-5f0c2c8e9a10', maxLength: 128 })
  requestId: string;

  /** One entry per invalid field (validation problems only). */
  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation; `errors` lists each field.',
  401: 'No valid access token: missing, malformed, expired or signed with another key.',
  403: 'The caller lacks the permission this operation needs.',
  404: 'The resource does not exist, or is not the caller\'s.',
  409: 'The request conflicts with the current state, for example a duplicate.',
  412: 'The If-Match header does not match the current version.',
  413: 'The request body is larger than the server accepts.',
  415: 'The request body is not application/json.',
  422: 'The request is well-formed but breaks a business rule.',
  428: 'The operation requires an If-Match header.',
  429: 'Too many requests; wait for the number of seconds in Retry-After.',
  500: 'An unexpected error; quote the request id when reporting it.',
};

/** Documents error answers as problem+json, with an example each. */
export function ApiProblemResponses(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? STATUS_CODES[status],
        headers:
          status === 429
            ? { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', example: 30 } } }
            : undefined,
        content: {
          'application/problem+json': {
            schema: { $ref: getSchemaPath(ProblemDto) },
            example: {
              type: problemType(status === 400 ? 'validation' : STATUS_TYPES[status]),
              title: STATUS_CODES[status],
              status,
              detail: DESCRIPTIONS[status] ?? STATUS_CODES[status],
              instance: '/v1/example',
              requestId: '0b4f6c1e-7a0d-4c41-9d1c-5f0c2c8e9a10',
              ...(status === 400 ? { errors: [{ field: 'email', message: 'email must be an email' }] } : {}),
            },
          },
        },
      }),
    ),
  );
}
