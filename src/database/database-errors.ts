import { QueryFailedError } from 'typeorm';
import { AppError } from '../common/problem/app-error';

/** 503: a row lock was not granted within DATABASE_LOCK_TIMEOUT_SECONDS, even after the retries. */
export class DatabaseLockTimeoutError extends AppError {
  readonly status = 503;
  readonly type = 'database-lock-timeout';
  readonly title = 'Service Unavailable';
  override readonly retryAfterSeconds = 1;

  constructor() {
    super('The data this request needs is locked by other work right now; retry shortly.');
  }
}

/** 503: the transaction kept deadlocking with concurrent ones, even after the retries. */
export class DatabaseDeadlockError extends AppError {
  readonly status = 503;
  readonly type = 'database-deadlock';
  readonly title = 'Service Unavailable';
  override readonly retryAfterSeconds = 1;

  constructor() {
    super('The request collided with concurrent changes and was rolled back; retry it.');
  }
}

/** 503: the database cannot be reached (down, restarting, connection lost or refused, pool exhausted). */
export class DatabaseUnavailableError extends AppError {
  readonly status = 503;
  readonly type = 'database-unavailable';
  readonly title = 'Service Unavailable';
  override readonly retryAfterSeconds = 5;

  constructor() {
    super('The database cannot be reached right now; nothing was changed unless the request said so. Retry shortly.');
  }
}

const LOCK_WAIT_TIMEOUT = 1205;
const DEADLOCK = 1213;
/** MySQL/MariaDB server and client errors that mean the connection, not the statement, failed. */
const CONNECTION_ERRNOS = new Set([
  1040 /* too many connections */, 1053 /* server shutdown */, 1927 /* MariaDB: connection killed */, 2002, 2003 /* cannot connect */,
  2006 /* server has gone away */, 2013 /* lost connection during query */, 4031 /* MySQL 8: client disconnected by server */,
]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS',
  'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_READONLY',
]);
const SQLITE_LOCK_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED']);
/** mysql2 and TypeORM say these in words only. */
const CONNECTION_MESSAGES = /Pool is closed|connection is in closed state|Connection lost|Connection is not established|Driver not Connected|database connection is not open/i;

type DriverError = { errno?: unknown; code?: unknown; message?: unknown } | null;

function driverErrorOf(error: unknown): DriverError {
  return (error instanceof QueryFailedError ? error.driverError : error) as DriverError;
}

/**
 * A lock conflict that running the whole transaction again may resolve: a deadlock, or a lock
 * wait past its timeout (SQLite: the database busy or locked); undefined for any other error.
 */
export function lockConflictOf(error: unknown): 'deadlock' | 'lock_timeout' | undefined {
  const driverError = driverErrorOf(error);
  if (typeof driverError !== 'object' || driverError === null) return undefined;
  if (driverError.errno === DEADLOCK) return 'deadlock';
  if (driverError.errno === LOCK_WAIT_TIMEOUT || (typeof driverError.code === 'string' && SQLITE_LOCK_CODES.has(driverError.code))) return 'lock_timeout';
  return undefined;
}

/**
 * What a database failure means for the client, or undefined when it is not one of these (a
 * constraint violation, a bug in a statement). Query errors come wrapped in TypeORM's
 * QueryFailedError; failures to get a connection come as the driver's own errors.
 */
export function databaseFailureOf(error: unknown): AppError | undefined {
  const conflict = lockConflictOf(error);
  if (conflict) return conflict === 'deadlock' ? new DatabaseDeadlockError() : new DatabaseLockTimeoutError();
  const driverError = driverErrorOf(error);
  if (typeof driverError !== 'object' || driverError === null) return undefined;
  const code = typeof driverError.code === 'string' ? driverError.code : '';
  const errno = typeof driverError.errno === 'number' ? driverError.errno : -1;
  if (CONNECTION_ERRNOS.has(errno) || CONNECTION_CODES.has(code) || code.startsWith('SQLITE_IOERR')) return new DatabaseUnavailableError();
  if (typeof driverError.message === 'string' && CONNECTION_MESSAGES.test(driverError.message)) return new DatabaseUnavailableError();
  return undefined;
}
