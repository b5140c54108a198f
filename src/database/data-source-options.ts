import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import type { AppConfig } from '../config/app-config';
import { ALL_ENTITIES } from './entities';

export type DatabaseConfig = AppConfig['database'];

export function isMysql(config: DatabaseConfig): boolean {
  return Boolean(config.url);
}

/**
 * TypeORM reads MariaDB's information schema differently from MySQL's, so it must know which
 * one it talks to; a `mysql://` URL may point at either, so ask the server.
 */
async function detectMysqlFlavour(url: string): Promise<'mysql' | 'mariadb'> {
  if (url.startsWith('mariadb:')) return 'mariadb';
  const connection = await createConnection({ uri: url, connectTimeout: 10_000 });
  try {
    const [rows] = await connection.query<{ version: string }[] & import('mysql2').RowDataPacket[]>(
      'SELECT VERSION() AS version',
    );
    return /mariadb/i.test(rows[0].version) ? 'mariadb' : 'mysql';
  } finally {
    await connection.end();
  }
}

/** The one place that turns configuration into TypeORM options, for the app and the CLI alike. */
export async function buildDataSourceOptions(config: DatabaseConfig): Promise<DataSourceOptions> {
  const common = {
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each' as const,
    maxQueryExecutionTime: config.slowQueryMs,
    logging: ['error', 'warn', 'migration'] as ('error' | 'warn' | 'migration')[],
  };
  if (config.url) {
    return {
      ...common,
      type: await detectMysqlFlavour(config.url),
      url: config.url.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: config.poolSize,
      extra: { connectionLimit: config.poolSize, enableKeepAlive: true, connectTimeout: 10_000 },
    };
  }
  if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.sqlitePath,
    enableWAL: config.sqlitePath !== ':memory:',
    timeout: 5_000,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
    },
  };
}
