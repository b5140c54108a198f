import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { InventoryService } from '../inventory/inventory.service';
import { RESERVATION_EXPIRED } from '../payments/payments.service';
import { Order } from './entities/order.entity';
import { OrderAction, OrderStatus } from './order-state';
import { IllegalTransitionError, OrdersService, PaymentInProgressError, SYSTEM } from './orders.service';

const BATCH = 100;

/**
 * Cancels unpaid orders whose reservation expired and releases their stock, every
 * ORDER_SWEEP_INTERVAL_MS (0: not in this process). One transaction per order with a conditional
 * transition, so several instances sweeping at once cancel each order once; a payment that
 * arrives later is reconciled by the payments service.
 */
@Injectable()
export class OrderSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly orders: OrdersService,
    private readonly inventory: InventoryService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.checkout.sweepIntervalMs;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error({ err: error }, 'order sweep failed'))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: cancels every due order (in batches); answers how many it cancelled. */
  async sweep(now: Date = new Date()): Promise<number> {
    let cancelled = 0;
    for (;;) {
      const due = await this.dataSource.manager.getRepository(Order).find({
        select: { id: true },
        where: { status: OrderStatus.PendingPayment, reservationExpiresAt: LessThanOrEqual(now) },
        order: { reservationExpiresAt: 'ASC' },
        take: BATCH,
      });
      let progressed = 0;
      for (const { id } of due) {
        if (await this.expire(id)) progressed++;
      }
      cancelled += progressed;
      if (due.length < BATCH || progressed === 0) return cancelled;
    }
  }

  private async expire(orderId: string): Promise<boolean> {
    try {
      await this.tx.run(async (manager) => {
        await this.orders.transition(manager, orderId, OrderAction.Cancel, SYSTEM, {
          expectFrom: OrderStatus.PendingPayment,
          note: RESERVATION_EXPIRED,
          set: { cancelReason: RESERVATION_EXPIRED },
        });
        await this.inventory.release(manager, await this.orders.allocationsOf(manager, orderId), {
          orderId, actorId: null, reason: RESERVATION_EXPIRED,
        });
      });
      return true;
    } catch (error) {
      // Paid or cancelled meanwhile (another instance), or a payment is being captured: it decides.
      if (error instanceof IllegalTransitionError || error instanceof PaymentInProgressError) return false;
      throw error;
    }
  }
}
