import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isForeignKeyViolation, isUniqueViolation } from '../../database/query-helpers';
import { AppError } from './app-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
const PROBLEM_TYPE_BASE = 'urn:emporium:problem:';

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
  [extension: string]: unknown;
}

/** Thrown by the validation pipe; carries one entry per offending field. */
export class ValidationFailedException extends HttpException {
  constructor(readonly fieldErrors: FieldError[]) {
    super('The request is not valid.', HttpStatus.BAD_REQUEST);
  }
}

export const STATUS_TYPES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'rule-violation',
  428: 'precondition-required',
  429: 'too-many-requests',
  500: 'internal',
  503: 'unavailable',
};

export function problemType(slug: string): string {
  return PROBLEM_TYPE_BASE + slug;
}

function databaseConflict(error: unknown): string | undefined {
  if (isUniqueViolation(error)) return 'A resource with the same unique value already exists.';
  if (isForeignKeyViolation(error)) return 'The change refers to a resource that does not exist or is still referenced.';
  return undefined;
}

function genericProblem(status: number, detail: string): Pick<Problem, 'type' | 'title' | 'status' | 'detail'> {
  return {
    type: problemType(STATUS_TYPES[status] ?? (status >= 500 ? 'internal' : 'bad-request')),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
  };
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Fastify's own errors (body parsing, limits) carry a 4xx statusCode and an FST_ code. */
function isClientErrorWithStatus(error: unknown): error is Error & { statusCode: number } {
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return error instanceof Error && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the server accepts.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the request body as application/json.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request declares a JSON body but sends none.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
};

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
  if (error instanceof AppError) {
    return {
      problem: { ...error.extensions, type: problemType(error.type), title: error.title, status: error.status, detail: error.message, ...base },
      unexpected: false,
    };
  }
  if (error instanceof ValidationFailedException) {
    return { problem: { ...genericProblem(400, error.message), type: problemType('validation'), ...base, errors: error.fieldErrors }, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { problem: { ...genericProblem(status, httpExceptionDetail(error)), ...base }, unexpected: status >= 500 };
  }
  const conflict = databaseConflict(error);
  if (conflict) return { problem: { ...genericProblem(409, conflict), ...base }, unexpected: false };
  if (isClientErrorWithStatus(error)) {
    const code = (error as { code?: string }).code ?? '';
    const detail = FASTIFY_DETAILS[code] ?? (error instanceof SyntaxError ? FASTIFY_DETAILS.FST_ERR_CTP_INVALID_JSON_BODY : error.message);
    return { problem: { ...genericProblem(error.statusCode, detail), ...base }, unexpected: false };
  }
  return { problem: { ...genericProblem(500, 'An unexpected error occurred. Quote the request id when reporting it.'), ...base }, unexpected: true };
}
