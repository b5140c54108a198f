import type { ProblemTypeSlug } from './problem-types';

/**
 * Errors the services throw on purpose. Each maps to one HTTP status and one problem type of the
 * registry (problem-types.ts, whose status and title it repeats); the problem+json filter turns
 * them into responses, so services never deal with HTTP.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly type: ProblemTypeSlug;
  abstract readonly title: string;
  /** Seconds the client should wait before trying again; sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;

  constructor(
    detail: string,
    /** Extra members of the problem document (RFC 9457 extensions), for example `allowed`. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not Found';

  constructor(resource: string, id?: string) {
    super(id ? `${resource} ${id} does not exist.` : `${resource} does not exist.`);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict';
}

export class RuleViolationError extends AppError {
  readonly status = 422;
  readonly type = 'rule-violation';
  readonly title = 'Unprocessable Content';
}

export class PreconditionFailedError extends AppError {
  readonly status = 412;
  readonly type = 'precondition-failed';
  readonly title = 'Precondition Failed';
}

/** 428: the operation needs an If-Match header and none was sent. */
export class PreconditionRequiredError extends AppError {
  readonly status = 428;
  readonly type = 'precondition-required';
  readonly title = 'Precondition Required';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Unauthorized';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Forbidden';
}

/** The request body is larger than the operation accepts (for example an image over IMAGE_MAX_BYTES). */
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'Content Too Large';
}

/** The content is of a type the operation does not accept, judged by its bytes (for example a non-image upload). */
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'Unsupported Media Type';
}

/** 429: the caller sent too much; `Retry-After` says when to try again. */
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  readonly title = 'Too Many Requests';

  constructor(
    detail: string,
    override readonly retryAfterSeconds: number,
    extensions: Record<string, unknown> = {},
  ) {
    super(detail, extensions);
  }
}
