import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, type ResponseObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { MAX_FIELD_ERRORS, MAX_FIELD_LENGTH, MAX_MESSAGE_LENGTH } from './problem';
import { problemTitle, problemType, problemTypeOfStatus, problemTypesOfStatus, type ProblemTypeSlug } from './problem-types';

/** Caller-chosen request ids are kept when they match this; otherwise the server makes a UUID. */
export const REQUEST_ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';
export const EXAMPLE_REQUEST_ID = '0b4f6c1e-7a0d-4c41-9d1c-5f0c2c8e9a10';

@ApiSchema({ description: 'One invalid field of a request, in a validation problem.' })
export class FieldErrorDto {
  /** Path of the offending field, dotted for nested ones. */
  @ApiProperty({ description: 'Path of the offending field, dotted for nested ones.', example: 'email', minLength: 1, maxLength: MAX_FIELD_LENGTH })
  field: string;

  /** What is wrong with it. */
  @ApiProperty({ description: 'What is wrong with it.', example: 'email must be an email', minLength: 1, maxLength: MAX_MESSAGE_LENGTH })
  message: string;
}

/** RFC 9457 problem details: the body of every error response. */
@ApiSchema({ description: 'RFC 9457 problem details: the body of every error response (`application/problem+json`).' })
export class ProblemDto {
  /** URI identifying the kind of problem; stable, meant for programs. */
  @ApiProperty({
    description:
      'URI identifying the kind of problem; stable, meant for programs. One of `ProblemType`, whose schemas (`<Type>Problem`) say ' +
      'which members each carries; types may be added, so treat one you do not know by its `status`.',
    example: problemType('validation'),
    maxLength: 200,
    pattern: '^urn:emporium:problem:[a-z-]+$',
  })
  type: string;

  /** Short human summary of the kind of problem. */
  @ApiProperty({ description: 'Short human summary of the kind of problem.', example: 'Bad Request', minLength: 1, maxLength: 200 })
  title: string;

  /** The HTTP status code. */
  @ApiProperty({ description: 'The HTTP status code.', type: 'integer', format: 'int32', example: 400, minimum: 400, maximum: 599 })
  status: number;

  /** What went wrong this time, for humans. */
  @ApiProperty({ description: 'What went wrong this time, for humans.', example: 'The request is not valid.', maxLength: 2000 })
  detail: string;

  /** The path that was requested. */
  @ApiProperty({ description: 'The path that was requested.', example: '/v1/auth/register', minLength: 1, maxLength: 2000 })
  instance: string;

  /** The request id, also sent as the X-Request-Id header; quote it when reporting a problem. */
  @ApiProperty({ description: 'The request id, also sent as the X-Request-Id header; quote it when reporting a problem.', example: EXAMPLE_REQUEST_ID, minLength: 1, maxLength: 128, pattern: REQUEST_ID_PATTERN })
  requestId: string;

  /** One entry per invalid field (validation problems, status 400, only), the first MAX_FIELD_ERRORS of them. */
  @ApiPropertyOptional({
    description: `One entry per invalid field (validation problems, status 400, only), the first ${MAX_FIELD_ERRORS} of them.`,
    type: [FieldErrorDto],
    // Not MAX_FIELD_ERRORS: the breaking-change gate (scripts/check-breaking-changes.mjs) counts any narrowing as breaking.
    maxItems: 1000,
    example: [{ field: 'email', message: 'email must be an email' }],
  })
  errors?: FieldErrorDto[];

  /** How many more invalid fields there were than `errors` lists; present only when there were more. */
  @ApiPropertyOptional({
    description: 'How many more invalid fields there were than `errors` lists; present only when there were more.',
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    example: 3,
  })
  omittedErrors?: number;
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
  503:
    'The server cannot answer now (the database is locked, deadlocked or unreachable, the request took longer than the server ' +
    'allows, or the instance is shutting down); retry after Retry-After seconds.',
};

/** `payment-in-progress` → `PaymentInProgressProblem`: the schema of one problem type. */
export function problemTypeSchemaName(slug: ProblemTypeSlug): string {
  return `${slug.replace(/(?:^|-)([a-z])/g, (_match, letter: string) => letter.toUpperCase())}Problem`;
}

/** The schema of the problems an answer with this status can carry: its one type's, or `Status409Problem`, the union of them. */
export function problemStatusSchemaName(status: number): string {
  const slugs = problemTypesOfStatus(status);
  if (slugs.length === 0) throw new Error(`No problem type has status ${status}; register one in problem-types.ts`);
  return slugs.length === 1 ? problemTypeSchemaName(slugs[0]) : `Status${status}Problem`;
}

/** The OpenAPI response object for an error status: problem+json of the problem types of that status, with an example. */
export function problemResponse(status: number, options: { description?: string; example?: Record<string, unknown> } = {}): ResponseObject {
  const slugs = problemTypesOfStatus(status);
  const generic = problemTypeOfStatus(status);
  const slug = status === 400 ? 'validation' : slugs.includes(generic) ? generic : slugs[0];
  return {
    description: options.description ?? DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error',
    content: {
      'application/problem+json': {
        schema: { $ref: `#/components/schemas/${problemStatusSchemaName(status)}` },
        example: {
          type: problemType(slug),
          title: problemTitle(slug, status),
          status,
          detail: DESCRIPTIONS[status] ?? STATUS_CODES[status],
          instance: '/v1/example',
          requestId: EXAMPLE_REQUEST_ID,
          ...(slug === 'validation' ? { errors: [{ field: 'email', message: 'email must be an email' }] } : {}),
          ...options.example,
        },
      },
    },
  };
}

/** Documents error answers as problem+json, with an example each. */
export function ApiProblemResponses(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) => {
      const { description, content } = problemResponse(status);
      return ApiResponse({ status, description, content });
    }),
  );
}

/** Documents one error answer with a description and an example of its own (showing the extension members of its problem type, say). */
export function ApiProblemResponse(status: number, description: string, example: Record<string, unknown>) {
  const { content } = problemResponse(status, { description, example });
  return ApiResponse({ status, description, content });
}
