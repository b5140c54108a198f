import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { lockConflictOf } from './database-errors';

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
  private readonly retries: Counter<'reason'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.sqliteQueue = dataSource.options.type === 'better-sqlite3' ? new Mutex() : undefined;
    this.retries = new Counter({
      name: 'db_transaction_retries_total',
      help: 'Transactions run again after a deadlock or a lock wait timeout (SQLite: busy), by reason',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const maxRetries = this.config.database.transactionRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.runOnce(work);
      } catch (error) {
        const reason = lockConflictOf(error);
        if (attempt >= maxRetries || !reason) throw error;
        this.retries.inc({ reason });
        const delayMs = 10 * 2 ** attempt + Math.random() * 10;
        this.logger.warn(`transaction retry ${attempt + 1}/${maxRetries} in ${Math.round(delayMs)} ms: ${String(error)}`);
        await sleep(delayMs);
      }
    }
  }

  /**
   * Runs statements outside any transaction, each committed on its own: for work that must not
   * hold locks until a longer transaction ends. On SQLite still one at a time with the transactions.
   */
  autocommit<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.sqliteQueue) return work(this.dataSource.manager);
    return this.sqliteQueue.runExclusive(() => work(this.dataSource.manager));
  }

  private runOnce<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.sqliteQueue) return this.dataSource.transaction(work);
    return this.sqliteQueue.runExclusive(() => this.dataSource.transaction(work));
  }
}
