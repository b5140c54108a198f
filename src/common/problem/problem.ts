import { HttpException, HttpStatus } from '@nestjs/common';
import { databaseFailureOf } from '../../database/database-errors';
import { isForeignKeyViolation, isUniqueViolation } from '../../database/query-helpers';
import { AppError } from './app-error';
import { problemTitle, problemType, problemTypeOfStatus } from './problem-types';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
/** A validation problem lists this many field errors at most, and counts the rest in `omittedErrors`. */
export const MAX_FIELD_ERRORS = 20;
/** The longest field path and message a field error shows, in code points; longer ones are cut. */
export const MAX_FIELD_LENGTH = 200;
export const MAX_MESSAGE_LENGTH = 1000;

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, the body of every error response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: FieldError[];
  /** How many field errors there were beyond the first MAX_FIELD_ERRORS, when there were. */
  omittedErrors?: number;
  [extension: string]: unknown;
}

/** Thrown by the validation pipe; carries one entry per offending field. */
export class ValidationFailedException extends HttpException {
  constructor(readonly fieldErrors: FieldError[]) {
    super('The request is not valid.', HttpStatus.BAD_REQUEST);
  }
}

function databaseConflict(error: unknown): string | undefined {
  if (isUniqueViolation(error)) return 'A resource with the same unique value already exists.';
  if (isForeignKeyViolation(error)) return 'The change refers to a resource that does not exist or is still referenced.';
  return undefined;
}

function genericProblem(status: number, detail: string): Pick<Problem, 'type' | 'title' | 'status' | 'detail'> {
  const slug = problemTypeOfStatus(status);
  return { type: problemType(slug), title: problemTitle(slug, status), status, detail };
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * The first MAX_FIELD_ERRORS field errors, and how many more there were: one body with 50,000
 * unknown members made a 3 MB answer. Fields and messages repeat member and parameter names,
 * which a client chooses, so they are cut to their documented lengths.
 */
function listed(fieldErrors: FieldError[]): Pick<Problem, 'errors' | 'omittedErrors'> {
  const errors = fieldErrors
    .slice(0, MAX_FIELD_ERRORS)
    .map(({ field, message }) => ({ field: cut(field, MAX_FIELD_LENGTH), message: cut(message, MAX_MESSAGE_LENGTH) }));
  return fieldErrors.length > MAX_FIELD_ERRORS ? { errors, omittedErrors: fieldErrors.length - MAX_FIELD_ERRORS } : { errors };
}

/** `text` cut to at most `max` code points (never between the halves of a surrogate pair), marked with an ellipsis. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const codePoints = [...text];
  return codePoints.length <= max ? text : `${codePoints.slice(0, max - 1).join('')}…`;
}

type FastifyClientError = Error & { statusCode: number; code: string };

/**
 * Fastify's own client errors (bad URLs, body parsing, media type, size limits) carry an FST_ code
 * and a 4xx status. Nest's Fastify adapter wraps them in an HttpException, keeping the original as
 * `cause`, so look there too.
 */
function fastifyClientError(error: unknown): FastifyClientError | undefined {
  const candidate = error instanceof HttpException ? error.cause : error;
  if (!(candidate instanceof Error)) return undefined;
  const { code, statusCode = 0 } = candidate as Partial<FastifyClientError>;
  const isFastifyError = typeof code === 'string' && code.startsWith('FST_');
  return isFastifyError && statusCode >= 400 && statusCode < 500 ? (candidate as FastifyClientError) : undefined;
}

const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL is not validly percent-encoded.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than the server accepts.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the server accepts.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the request body as application/json.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request declares a JSON body but sends none.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body does not match its Content-Length header.',
};

/**
 * The AppError a failure stands for: itself, or the 503 a database failure means (lock timeout,
 * deadlock, unreachable database; see databaseFailureOf). Undefined for anything else.
 */
export function appErrorOf(error: unknown): AppError | undefined {
  return error instanceof AppError ? error : databaseFailureOf(error);
}

/**
 * Maps anything thrown while handling a request to a problem document. Unexpected errors become
 * a 500 whose detail never shows a stack trace or SQL; `unexpected` tells the caller to log it.
 */
export function toProblem(
  error: unknown,
  instance: string,
  requestId: string,
): { problem: Problem; unexpected: boolean } {
  const base = { instance, requestId };
  error = appErrorOf(error) ?? error;
  if (error instanceof AppError) {
    return {
      problem: { ...error.extensions, type: problemType(error.type), title: error.title, status: error.status, detail: error.message, ...base },
      unexpected: false,
    };
  }
  if (error instanceof ValidationFailedException) {
    return { problem: { ...genericProblem(400, error.message), type: problemType('validation'), ...base, ...listed(error.fieldErrors) }, unexpected: false };
  }
  const fastifyError = fastifyClientError(error);
  if (fastifyError) {
    const detail = FASTIFY_DETAILS[fastifyError.code] ?? fastifyError.message;
    return { problem: { ...genericProblem(fastifyError.statusCode, detail), ...base }, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { problem: { ...genericProblem(status, httpExceptionDetail(error)), ...base }, unexpected: status >= 500 };
  }
  const conflict = databaseConflict(error);
  if (conflict) return { problem: { ...genericProblem(409, conflict), ...base }, unexpected: false };
  return { problem: { ...genericProblem(500, 'An unexpected error occurred. Quote the request id when reporting it.'), ...base }, unexpected: true };
}
