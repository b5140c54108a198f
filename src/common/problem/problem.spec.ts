import { BadRequestException, ForbiddenException, HttpException, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { NotFoundError, RuleViolationError, TooManyRequestsError } from './app-error';
import { appErrorOf, toProblem, ValidationFailedException } from './problem';

const map = (error: unknown) => toProblem(error, '/v1/things/1', 'req-1');

const fastifyError = (code: string, statusCode: number, message = 'fastify says no') =>
  Object.assign(new Error(message), { name: 'FastifyError', code, statusCode });

const queryFailed = (driverError: Record<string, unknown>) =>
  new QueryFailedError('INSERT INTO "users" ("email") VALUES (?)', ['ada@example.com'], Object.assign(new Error('driver message'), driverError));

describe('toProblem', () => {
  it('maps an AppError to its status, type and detail, with its extensions', () => {
    expect(map(new NotFoundError('Product', 'p-1'))).toEqual({
      problem: {
        type: 'urn:emporium:problem:not-found',
        title: 'Not Found',
        status: 404,
        detail: 'Product p-1 does not exist.',
        instance: '/v1/things/1',
        requestId: 'req-1',
      },
      unexpected: false,
    });
    const { problem } = map(new RuleViolationError('Cannot ship a cancelled order.', { allowed: ['refund'], status: 200 }));
    expect(problem).toMatchObject({ status: 422, type: 'urn:emporium:problem:rule-violation', allowed: ['refund'] });
  });

  it('maps a TooManyRequestsError to 429, keeping when to retry for the Retry-After header', () => {
    const error = new TooManyRequestsError('Slow down.', 30);
    expect(map(error)).toMatchObject({ problem: { status: 429, type: 'urn:emporium:problem:too-many-requests', detail: 'Slow down.' }, unexpected: false });
    expect(error.retryAfterSeconds).toBe(30);
  });

  it('maps a failed validation to 400 with one entry per field', () => {
    const errors = [{ field: 'email', message: 'email must be an email' }];
    expect(map(new ValidationFailedException(errors))).toEqual({
      problem: {
        type: 'urn:emporium:problem:validation',
        title: 'Bad Request',
        status: 400,
        detail: 'The request is not valid.',
        instance: '/v1/things/1',
        requestId: 'req-1',
        errors,
      },
      unexpected: false,
    });
  });

  it('lists the first 20 field errors and counts the rest', () => {
    const errors = Array.from({ length: 25 }, (_, i) => ({ field: `field${i}`, message: 'is wrong' }));
    const { problem } = map(new ValidationFailedException(errors));
    expect(problem.errors).toEqual(errors.slice(0, 20));
    expect(problem.omittedErrors).toBe(5);
    expect(map(new ValidationFailedException(errors.slice(0, 20))).problem).not.toHaveProperty('omittedErrors');
  });

  it('cuts field paths and messages to their documented lengths, never inside a surrogate pair', () => {
    const { problem } = map(new ValidationFailedException([{ field: '😀'.repeat(300), message: `property ${'k'.repeat(2000)} should not exist` }]));
    expect(problem.errors).toEqual([{ field: `${'😀'.repeat(199)}…`, message: `property ${'k'.repeat(990)}…` }]);
  });

  it.each([
    [new ForbiddenException(), 403, 'forbidden', 'Forbidden'],
    [new NotFoundException('Cannot GET /v1/nowhere'), 404, 'not-found', 'Cannot GET /v1/nowhere'],
    [new BadRequestException(['a is wrong', 'b is wrong']), 400, 'bad-request', 'a is wrong; b is wrong'],
    [new HttpException('I am a teapot', 418), 418, 'bad-request', 'I am a teapot'],
  ])('maps %o to its HTTP status', (exception, status, type, detail) => {
    expect(map(exception)).toMatchObject({ problem: { status, type: `urn:emporium:problem:${type}`, detail }, unexpected: false });
  });

  it('reports a 5xx HttpException as unexpected', () => {
    expect(map(new InternalServerErrorException())).toMatchObject({ problem: { status: 500 }, unexpected: true });
  });

  it.each([
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Send the request body as application/json.'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'The request body is larger than the server accepts.'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'The request body is not valid JSON.'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'The request declares a JSON body but sends none.'],
    ['FST_ERR_SOMETHING_NEW', 400, 'fastify says no'],
  ])('explains Fastify client error %s, whether or not Nest wrapped it', (code, status, detail) => {
    const original = fastifyError(code, status);
    const wrapped = new HttpException(original.message, status, { cause: original });
    for (const error of [original, wrapped]) {
      expect(map(error)).toMatchObject({ problem: { status, detail }, unexpected: false });
    }
  });

  it.each([
    ['MySQL duplicate key', { errno: 1062, code: 'ER_DUP_ENTRY' }],
    ['SQLite unique constraint', { code: 'SQLITE_CONSTRAINT_UNIQUE' }],
    ['SQLite primary key', { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }],
    ['MySQL foreign key', { errno: 1452, code: 'ER_NO_REFERENCED_ROW_2' }],
    ['SQLite foreign key', { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }],
  ])('maps a %s violation to 409 without SQL or values', (_, driverError) => {
    const { problem, unexpected } = map(queryFailed(driverError));
    expect(problem).toMatchObject({ status: 409, type: 'urn:emporium:problem:conflict' });
    expect(unexpected).toBe(false);
    expect(JSON.stringify(problem)).not.toMatch(/INSERT|ada@example\.com|driver message/);
  });

  it.each([
    ['a MySQL lock wait timeout', queryFailed({ errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT' }), 'database-lock-timeout', 1],
    ['a SQLite busy database', queryFailed({ code: 'SQLITE_BUSY' }), 'database-lock-timeout', 1],
    ['a MySQL deadlock', queryFailed({ errno: 1213, code: 'ER_LOCK_DEADLOCK' }), 'database-deadlock', 1],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED', errno: -111 }), 'database-unavailable', 5],
    ['a lost connection', queryFailed({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'database-unavailable', 5],
    ['a server gone away', queryFailed({ errno: 2006 }), 'database-unavailable', 5],
    ['a closed pool', new Error('Pool is closed.'), 'database-unavailable', 5],
  ])('maps %s to a 503 of its own type, with when to retry', (_, error, type, retryAfter) => {
    const { problem, unexpected } = map(error);
    expect(problem).toMatchObject({ status: 503, type: `urn:emporium:problem:${type}`, title: 'Service Unavailable' });
    expect(unexpected).toBe(false);
    expect(appErrorOf(error)?.retryAfterSeconds).toBe(retryAfter);
    expect(JSON.stringify(problem)).not.toMatch(/INSERT|ada@example\.com|driver message|127\.0\.0\.1/);
  });

  it.each([
    ['an unknown error', new Error('SELECT * FROM users failed at line 3')],
    ['another query failure', queryFailed({ errno: 1146, code: 'ER_NO_SUCH_TABLE' })],
    ['a 5xx Fastify error', fastifyError('FST_ERR_HANDLER_TIMEOUT', 503)],
    ['a thrown string', 'boom'],
  ])('maps %s to a generic 500 and reports it as unexpected', (_, error) => {
    const { problem, unexpected } = map(error);
    expect(problem).toEqual({
      type: 'urn:emporium:problem:internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred. Quote the request id when reporting it.',
      instance: '/v1/things/1',
      requestId: 'req-1',
    });
    expect(unexpected).toBe(true);
  });
});
