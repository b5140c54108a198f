import { ObjectLiteral, QueryFailedError, SelectQueryBuilder } from 'typeorm';

/** `SELECT ... FOR UPDATE` where the database has row locks; SQLite's transactions are already serial. */
export function forUpdate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return query.connection.driver.options.type === 'better-sqlite3' ? query : query.setLock('pessimistic_write');
}

const MYSQL_DUPLICATE_KEY = 1062;
const MYSQL_FOREIGN_KEY_ERRORS = new Set([1451, 1452]);

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { errno, code } = error.driverError as { errno?: number; code?: string };
  return errno === MYSQL_DUPLICATE_KEY || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { errno, code } = error.driverError as { errno?: number; code?: string };
  return MYSQL_FOREIGN_KEY_ERRORS.has(errno ?? -1) || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
