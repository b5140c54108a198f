import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { JobLeases } from './job-leases';

/** A table that only grows unless its dead rows are deleted: one batch per call, the number deleted. */
export interface Purge {
  /** The table, for logs and metrics. */
  table: string;
  deleteBatch(batchSize: number): Promise<number>;
}

/** A purge stops after this many batches in one tick, so a huge backlog is worked off over several ticks. */
const MAX_BATCHES_PER_TICK = 100;
const LEASE = 'purge';

/**
 * Deletes what is no longer needed (expired guest carts, refresh tokens, idempotency keys and
 * access revocations; empty unpaid-order holds) every PURGE_INTERVAL_MS, in batches of
 * PURGE_BATCH_SIZE rows (short transactions, never one huge DELETE). Every instance ticks, but a
 * database lease lets one of them run each tick. Modules register their purges at start-up.
 * Metrics: purged_rows_total{table}, purge_runs_total{outcome}, purge_last_success_timestamp_seconds.
 */
@Injectable()
export class Purges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Purges.name);
  private readonly purges: Purge[] = [];
  private readonly rows: Counter<'table'>;
  private readonly runs: Counter<'outcome'>;
  private readonly lastSuccess: Gauge;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly leases: JobLeases,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.rows = new Counter({ name: 'purged_rows_total', help: 'Rows deleted by the periodic purges, by table', labelNames: ['table'] as const, registers: [metrics.registry] });
    this.runs = new Counter({ name: 'purge_runs_total', help: 'Purge ticks by outcome: ran, skipped (another instance held the lease) or failed', labelNames: ['outcome'] as const, registers: [metrics.registry] });
    this.lastSuccess = new Gauge({ name: 'purge_last_success_timestamp_seconds', help: 'When this instance last completed the purges', registers: [metrics.registry] });
  }

  register(purge: Purge): void {
    this.purges.push(purge);
  }

  onApplicationBootstrap(): void {
    const interval = this.config.housekeeping.purgeIntervalMs;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch((error: unknown) => {
          this.runs.inc({ outcome: 'failed' });
          this.logger.warn({ event: 'purge.failed', err: error }, 'purge failed; the next tick tries again');
        })
        .finally(() => (this.running = undefined));
    }, interval).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One tick: runs every purge if this instance wins the tick's lease; answers rows deleted per table, or undefined when skipped. */
  async tick(now = new Date()): Promise<Record<string, number> | undefined> {
    // A little shorter than the interval, so the next tick's lease is free whichever instance ticks first.
    const until = new Date(now.getTime() + this.config.housekeeping.purgeIntervalMs * 0.9);
    if (!(await this.leases.acquire(LEASE, until, now))) {
      this.runs.inc({ outcome: 'skipped' });
      return undefined;
    }
    const deleted: Record<string, number> = {};
    for (const purge of this.purges) deleted[purge.table] = await this.runPurge(purge);
    this.runs.inc({ outcome: 'ran' });
    this.lastSuccess.setToCurrentTime();
    const total = Object.values(deleted).reduce((sum, count) => sum + count, 0);
    if (total > 0) this.logger.log({ event: 'purge.done', deleted }, `purged ${total} rows`);
    return deleted;
  }

  private async runPurge(purge: Purge): Promise<number> {
    const batchSize = this.config.housekeeping.purgeBatchSize;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
      const deleted = await purge.deleteBatch(batchSize);
      total += deleted;
      this.rows.inc({ table: purge.table }, deleted);
      if (deleted < batchSize) break;
    }
    return total;
  }
}
