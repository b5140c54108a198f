import { EntityManager, EntityTarget, ObjectLiteral, QueryFailedError, SelectQueryBuilder } from 'typeorm';

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

/**
 * Deletes at most `batchSize` rows of `entity` matching `condition` (query-builder syntax on alias
 * `e`, with `params`): their primary keys are read first, then deleted by key, because MySQL
 * refuses LIMIT in an IN subquery and SQLite has no DELETE ... LIMIT. Answers how many went.
 */
export async function deleteBatch<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  condition: string,
  params: ObjectLiteral,
  batchSize: number,
): Promise<number> {
  const [key] = manager.connection.getMetadata(entity).primaryColumns;
  const rows = await manager
    .createQueryBuilder(entity, 'e')
    .select(`e.${key.propertyName}`, 'key')
    .where(condition, params)
    .limit(batchSize)
    .getRawMany<{ key: unknown }>();
  if (rows.length === 0) return 0;
  const result = await manager
    .createQueryBuilder()
    .delete()
    .from(entity)
    .where(`${key.databaseName} IN (:...keys)`, { keys: rows.map((row) => row.key) })
    .execute();
  return result.affected ?? rows.length;
}
