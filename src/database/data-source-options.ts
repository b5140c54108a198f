import { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import mysql2, { type PoolOptions } from 'mysql2';
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

/**
 * mysql2 with a session set-up on every new pooled connection, queued ahead of its first query:
 * a lock wait gives up after the configured time (TransactionService retries it) rather than
 * InnoDB's default 50 seconds. TypeORM calls `connection.promise()` before every query, which
 * builds a new wrapper each time; each connection keeps one instead.
 */
function mysqlDriverWithSessionSetup(lockTimeoutSeconds: number) {
  return {
    ...mysql2,
    createPool(options: PoolOptions) {
      const pool = mysql2.createPool(options);
      pool.on('connection', (connection) => {
        const promiseConnection = connection.promise();
        connection.promise = () => promiseConnection;
        connection.query('SET SESSION innodb_lock_wait_timeout = ?', [lockTimeoutSeconds], (error) => {
          if (error) new Logger('Database').warn(`could not set innodb_lock_wait_timeout: ${error.message}`);
        });
      });
      return pool;
    },
  };
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
      driver: mysqlDriverWithSessionSetup(config.lockTimeoutSeconds),
      url: config.url.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: config.poolSize,
      // BIGINT values (sums of money, COUNT(*)) as numbers while they are safe integers, for entity
      // reads and raw statements alike, as better-sqlite3 returns them. TypeORM's default turns every
      // BIGINT into a string. Beyond 2^53 they still arrive as exact strings, never rounded numbers.
      supportBigNumbers: true,
      bigNumberStrings: false,
      // trace: mysql2 would capture a stack trace for every query, to decorate errors that the
      // problem filter never shows; under load that cost up to 7% of the CPU of a checkout.
      extra: { connectionLimit: config.poolSize, enableKeepAlive: true, connectTimeout: 10_000, trace: false },
    };
  }
  if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.sqlitePath,
    enableWAL: config.sqlitePath !== ':memory:',
    // better-sqlite3's busy timeout: how long a write waits for the database lock.
    timeout: config.lockTimeoutSeconds * 1000,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
    },
  };
}
