import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

/** Prometheus metrics, one registry per application instance. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    const pool = () => (dataSource.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
    const sqlite = dataSource.options.type === 'better-sqlite3';
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (SQLite has one shared connection)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        const all = sqlite ? 1 : (p?._allConnections?.length ?? 0);
        const idle = sqlite ? 0 : (p?._freeConnections?.length ?? 0);
        this.set({ state: 'total' }, all);
        this.set({ state: 'idle' }, idle);
        this.set({ state: 'in_use' }, all - idle);
        this.set({ state: 'waiting' }, sqlite ? 0 : (p?._connectionQueue?.length ?? 0));
        this.set({ state: 'max' }, sqlite ? 1 : (p?.config?.connectionLimit ?? 0));
      },
    });
  }
}
