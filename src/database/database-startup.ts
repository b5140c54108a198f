import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from './data-source-options';

/** The start-up could not reach its database in time; the message says what to check. */
export class DatabaseUnavailableAtStartup extends Error {
  override name = 'DatabaseUnavailableAtStartup';
}

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 5_000;

/** host:port of a database URL, without credentials, for log lines. */
function serverOf(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || 3306}`;
}

/**
 * Waits until the MySQL/MariaDB server of DATABASE_URL answers, retrying with growing delays (0.5 s
 * doubling to 5 s, with jitter) and logging each failed attempt, for at most
 * DATABASE_STARTUP_TIMEOUT_SECONDS; then gives up with a message saying what to check. A database
 * that starts together with the app (compose, Kubernetes) is simply waited for.
 */
export async function waitForDatabase(config: DatabaseConfig, logger: Logger): Promise<void> {
  if (!config.url) return;
  const startedAt = Date.now();
  const deadline = startedAt + config.startupTimeoutSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await createConnection({ uri: config.url.replace(/^mariadb:/, 'mysql:'), connectTimeout: LONGEST_RETRY_MS });
      await connection.query('SELECT 1');
      await connection.end();
      if (attempt > 1) logger.info({ event: 'db.reachable', attempt, waitedMs: Date.now() - startedAt }, 'the database answers');
      return;
    } catch (error) {
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      const delayMs = Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), LONGEST_RETRY_MS) * (0.8 + Math.random() * 0.4);
      if (Date.now() + delayMs > deadline) {
        throw new DatabaseUnavailableAtStartup(
          `The database at ${serverOf(config.url)} did not answer within ${config.startupTimeoutSeconds} s ` +
            `(${attempt} attempts, last: ${reason}). Check DATABASE_URL and that the server is up; ` +
            'DATABASE_STARTUP_TIMEOUT_SECONDS sets how long to wait.',
        );
      }
      logger.warn(
        { event: 'db.unreachable', attempt, reason, retryInMs: Math.round(delayMs) },
        `the database at ${serverOf(config.url)} does not answer yet (${reason}); retrying in ${Math.round(delayMs)} ms`,
      );
      await sleep(delayMs);
    }
  }
}

/** MySQL lock names are server-wide (at most 64 characters): one per database. */
function migrationLockName(dataSource: DataSource): string {
  const database = String((dataSource.driver as { database?: string }).database ?? '');
  return `emporium:migrations:${createHash('sha256').update(database).digest('hex').slice(0, 32)}`;
}

/**
 * Applies pending migrations while holding a database-wide lock, so that several instances
 * starting at once on an empty database take turns: the first migrates, the others then find
 * nothing pending. MySQL/MariaDB: GET_LOCK on a connection of its own (released by the server
 * if the process dies). SQLite: an exclusive transaction on a lock file beside the database,
 * which the OS releases with the process, polled without blocking the event loop.
 */
export async function runMigrationsExclusively(dataSource: DataSource, config: DatabaseConfig, logger: Logger): Promise<void> {
  const waitSeconds = config.startupTimeoutSeconds;
  if (dataSource.options.type === 'better-sqlite3') {
    if (config.sqlitePath === ':memory:') {
      await dataSource.runMigrations({ transaction: 'each' });
      return;
    }
    await withSqliteLock(`${config.sqlitePath}.migrations-lock`, waitSeconds, () => dataSource.runMigrations({ transaction: 'each' }));
    return;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const name = migrationLockName(dataSource);
  try {
    const [{ acquired }] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [name, waitSeconds])) as { acquired: number | string | null }[];
    if (Number(acquired) !== 1) {
      throw new DatabaseUnavailableAtStartup(`Another instance held the migration lock for over ${waitSeconds} s; is a migration stuck?`);
    }
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) logger.info({ event: 'db.migrated', migrations: applied.map((migration) => migration.name) }, `applied ${applied.length} migrations`);
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [name]);
    }
  } finally {
    await runner.release();
  }
}

async function withSqliteLock<T>(lockPath: string, waitSeconds: number, work: () => Promise<T>): Promise<T> {
  const lock = new Database(lockPath, { timeout: 0 });
  const deadline = Date.now() + waitSeconds * 1000;
  try {
    for (;;) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        if (Date.now() > deadline) throw new DatabaseUnavailableAtStartup(`Another process held the migration lock ${lockPath} for over ${waitSeconds} s.`);
        await sleep(50);
      }
    }
    try {
      return await work();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
