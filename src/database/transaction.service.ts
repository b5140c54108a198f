import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AppConfig } from '../config/app-config';

/** MySQL/MariaDB errors after which the whole transaction may simply be run again. */
const RETRYABLE_MYSQL_ERRORS = new Set([1213 /* ER_LOCK_DEADLOCK */, 1205 /* ER_LOCK_WAIT_TIMEOUT */]);
const RETRYABLE_SQLITE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);

export function isRetryableTransactionError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { errno?: number; code?: string };
  return (
    RETRYABLE_MYSQL_ERRORS.has(driverError.errno ?? -1) || RETRYABLE_SQLITE_CODES.has(driverError.code ?? '')
  );
}

/**
 * Runs a unit of work in one database transaction. Services get an EntityManager and never
 * touch query runners. Deadlocks and lock timeouts are retried a bounded number of times.
 *
 * SQLite through better-sqlite3 has a single connection that every query shares, so two
 * transactions open at once would interleave on it; transactions are therefore queued one at
 * a time there. MySQL gives each transaction its own pooled connection.
 */
@Injectable()
export class TransactionService {
  private readonly logger = new Logger(TransactionService.name);
  private readonly sqliteQueue: Mutex | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.sqliteQueue = dataSource.options.type === 'better-sqlite3' ? new Mutex() : undefined;
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const maxRetries = this.config.database.transactionRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.runOnce(work);
      } catch (error) {
        if (attempt >= maxRetries || !isRetryableTransactionError(error)) throw error;
        const delayMs = 10 * 2 ** attempt + Math.random() * 10;
        this.logger.warn(`transaction retry ${attempt + 1}/${maxRetries} in ${Math.round(delayMs)} ms: ${String(error)}`);
        await sleep(delayMs);
      }
    }
  }

  private runOnce<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.sqliteQueue) return this.dataSource.transaction(work);
    return this.sqliteQueue.runExclusive(() => this.dataSource.transaction(work));
  }
}
