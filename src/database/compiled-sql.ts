import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Hot-path statements without a query builder per request: the SQL text is compiled once from the
 * entity metadata (names quoted by the driver for the dialect), every value is a bound `?`
 * parameter (the same placeholder on mysql2 and better-sqlite3), and rows come back raw. Values go
 * through the driver's own conversion for their column (dates as UTC text and booleans as 0/1 on
 * SQLite, JSON as text), and raw values back through its hydration, exactly as the query builder
 * would do them.
 */
export interface EntitySql<T extends ObjectLiteral> {
  /** The quoted table name. */
  readonly table: string;
  /** The quoted column name of a property. */
  col(property: keyof T & string): string;
  /** The (unquoted) column name of a property. */
  column(property: keyof T & string): string;
  /** A value as the driver stores it in that property's column. */
  value<K extends keyof T & string>(property: K, value: T[K] | null | undefined): unknown;
  /** A raw value read from that property's column, as the entity holds it (Date, boolean, parsed JSON). */
  hydrate<K extends keyof T & string>(property: K, raw: unknown): T[K];
  /**
   * `INSERT INTO table(all columns) VALUES (?, ...)[, (?, ...)]` for `count` rows (compiled once per
   * count), and its parameters: each row's properties in column order, converted for the driver
   * (a property left out is NULL, never the column's default).
   */
  insert(rows: readonly Partial<T>[]): { sql: string; params: unknown[] };
}

/** The quoting function of the manager's dialect. */
export function quoter(manager: EntityManager): (name: string) => string {
  const { driver } = manager.connection;
  return (name) => driver.escape(name);
}

export function entitySql<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>): EntitySql<T> {
  const { driver } = manager.connection;
  const q = quoter(manager);
  const metadata = manager.connection.getMetadata(entity);
  const byProperty = new Map<string, ColumnMetadata>();
  for (const column of metadata.columns) byProperty.set(column.propertyName, column);
  const columnOf = (property: string): ColumnMetadata => {
    const column = byProperty.get(property);
    if (!column) throw new Error(`${metadata.name} has no column for property ${property}`);
    return column;
  };
  const insertColumns = metadata.columns.filter((column) => !column.isVirtual);
  const head = `INSERT INTO ${q(metadata.tableName)}(${insertColumns.map((column) => q(column.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${insertColumns.map(() => '?').join(', ')})`;
  const inserts = new Map<number, string>();
  return {
    table: q(metadata.tableName),
    col: (property) => q(columnOf(property).databaseName),
    column: (property) => columnOf(property).databaseName,
    value: (property, value): unknown => driver.preparePersistentValue(value, columnOf(property)) as unknown,
    hydrate: (property, raw) => driver.prepareHydratedValue(raw, columnOf(property)) as T[typeof property],
    insert(rows) {
      let sql = inserts.get(rows.length);
      if (!sql) {
        sql = head + Array.from({ length: rows.length }, () => tuple).join(', ');
        if (rows.length <= 1000) inserts.set(rows.length, sql);
      }
      const params: unknown[] = [];
      for (const row of rows) {
        for (const column of insertColumns) params.push(driver.preparePersistentValue((row as ObjectLiteral)[column.propertyName] ?? null, column));
      }
      return { sql, params };
    },
  };
}

/**
 * A statement whose `IN` list holds a varying number of parameters: `head (?, ...) tail`, compiled
 * once per count (counts above 1000 are built each time, not kept).
 */
export function inListStatement(head: string, tail = ''): (count: number) => string {
  const compiled = new Map<number, string>();
  return (count) => {
    let sql = compiled.get(count);
    if (!sql) {
      sql = `${head}(${Array.from({ length: count }, () => '?').join(', ')})${tail}`;
      if (count <= 1000) compiled.set(count, sql);
    }
    return sql;
  };
}

/** Runs a compiled SELECT; its raw rows. */
export async function selectRows<R>(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<R[]> {
  return manager.query<R[]>(sql, [...params]);
}

/**
 * Runs a compiled INSERT, UPDATE or DELETE; the number of rows it changed. `manager.query` alone
 * does not say (mysql2 answers a header with `affectedRows`, better-sqlite3 the last row id), so
 * this asks the query runner for its structured result, which has `affected` on both.
 */
export async function execute(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<number> {
  const own = manager.queryRunner ? undefined : manager.connection.createQueryRunner();
  const runner = manager.queryRunner ?? own!;
  try {
    const result = await runner.query(sql, [...params], true);
    return result.affected ?? 0;
  } finally {
    await own?.release();
  }
}
