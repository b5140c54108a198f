import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Counter } from 'prom-client';
import { MetricsService } from '../observability/metrics.service';

/** Emitted after commit when a variant's available stock is at or under its low-stock threshold. */
export const LOW_STOCK_EVENT = 'inventory.low-stock';

export interface LowStockEvent {
  variantId: string;
  sku: string;
  /** Units that can be sold now (active locations). */
  available: number;
  threshold: number;
}

/** Turns low-stock events into a warning log line and a Prometheus counter. */
@Injectable()
export class LowStockListener {
  private readonly logger = new Logger(LowStockListener.name);
  private readonly counter: Counter;

  constructor(metrics: MetricsService) {
    this.counter = new Counter({
      name: 'inventory_low_stock_events_total',
      help: 'Low-stock events: a change left a variant at or under its low-stock threshold',
      registers: [metrics.registry],
    });
  }

  @OnEvent(LOW_STOCK_EVENT)
  handle(event: LowStockEvent): void {
    this.counter.inc();
    this.logger.warn({ event: LOW_STOCK_EVENT, ...event }, `low stock: ${event.sku} has ${event.available} available (threshold ${event.threshold})`);
  }
}
