import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, NotFoundError, RuleViolationError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { isUniqueViolation } from '../database/query-helpers';
import { retryInBackground, startHeartbeat } from '../database/retry-in-background';
import { TransactionService } from '../database/transaction.service';
import { InventoryService } from '../inventory/inventory.service';
import { OutOfStockError } from '../inventory/inventory.errors';
import { OrderDto } from '../orders/dto/order.dto';
import { ActorKind } from '../orders/entities/order-event.entity';
import { OrderLine } from '../orders/entities/order-line.entity';
import { Order } from '../orders/entities/order.entity';
import { OrderAction, OrderStatus, REFUNDABLE_STATES } from '../orders/order-state';
import { Actor, IllegalTransitionError, isOwner, OrderCaller, OrdersService, PROVIDER, SYSTEM } from '../orders/orders.service';
import { Payment, PaymentKind, PaymentStatus } from './entities/payment.entity';
import { PaymentWebhookEvent } from './entities/payment-webhook-event.entity';
import { PaymentFailedError, PaymentProviderError } from './payment.errors';
import { MetricsService } from '../observability/metrics.service';
import type { CaptureResult, PaymentProvider } from './providers/payment-provider';
import { PaymentProviders } from './providers/payment-providers';

/** Why an expired order's late payment was given back. */
export const REFUNDED_OUT_OF_STOCK = 'payment_refunded_out_of_stock';
export const RESERVATION_EXPIRED = 'reservation_expired';

interface Capture {
  orderId: string;
  provider: string;
  reference: string;
  amount: number;
  currency: string;
}

type CaptureOutcome = 'paid' | 'reinstated' | 'duplicate' | 'refunded';

/** What the customer still owes: the total less what was kept of earlier payments (paid and not refunded). */
function amountDue(row: Pick<Order, 'totalAmount' | 'paidAmount' | 'refundedAmount'>): number {
  return row.totalAmount - (row.paidAmount - row.refundedAmount);
}

/** Raised inside the capture transaction when the payment cannot be applied to the order; rolls it back. */
class UnusablePayment extends Error {
  constructor(readonly note: string) {
    super(note);
  }
}

/**
 * Money in and out. Providers are called OUTSIDE transactions; every record of what a provider
 * did is unique by (provider, reference), so a capture answer and a webhook for the same charge
 * record one payment, whichever comes first.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);
  private readonly providerRequests: Counter<'provider' | 'operation' | 'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly orders: OrdersService,
    private readonly inventory: InventoryService,
    private readonly providers: PaymentProviders,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.providerRequests = new Counter({
      name: 'payment_provider_requests_total',
      help: 'Requests to payment providers by provider, operation (capture, refund) and outcome (succeeded, failed, error)',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      registers: [metrics.registry],
    });
  }

  /**
   * The customer (or guest with the cart token) pays a pending order. The order is claimed for
   * this attempt before the provider is called (OrdersService.beginPaymentAttempt), so however
   * many payments arrive at once only one capture reaches the provider; the others get 409.
   * The claim ends with the attempt: paid, declined, or the provider failing.
   */
  async pay(orderId: string, input: { provider: string; source: string }, caller: OrderCaller, key: string): Promise<OrderDto> {
    const row = await this.orders.findRow(orderId);
    if (!row || !isOwner(row, caller)) throw new NotFoundError('Order', orderId);
    if (row.status !== OrderStatus.PendingPayment) throw new IllegalTransitionError(OrderAction.Pay, row.status);
    const provider = this.providers.get(input.provider);
    const amount = amountDue(row);
    const actor: Actor = { id: caller.principal?.userId ?? null, kind: ActorKind.Customer };
    const attemptId = await this.orders.beginPaymentAttempt(row);
    const stopHeartbeat = startHeartbeat((this.config.payments.attemptTimeoutSeconds * 1000) / 4, () => this.orders.beatPaymentAttempt(orderId, attemptId));
    let result: CaptureResult;
    try {
      result = await this.callProvider(provider, 'capture', () => provider.capture({ orderId, amount, currency: row.currency, source: input.source, idempotencyKey: key }));
    } catch (error) {
      stopHeartbeat();
      await this.endAttempt(orderId, attemptId);
      throw error;
    }
    stopHeartbeat();
    if (result.status !== 'succeeded') {
      const failureCode = result.failureCode ?? 'payment_failed';
      try {
        await this.tx.run(async (manager) => {
          await this.orders.endPaymentAttempt(manager, orderId, attemptId);
          const recorded = await this.insertPayment(manager, {
            orderId, provider: provider.name, reference: result.reference, amount, currency: row.currency,
          }, PaymentKind.Capture, PaymentStatus.Failed, failureCode);
          if (recorded) await this.orders.addEvent(manager, orderId, 'payment_failed', actor, { note: `${provider.name}: ${failureCode}`, amount });
        });
      } catch (error) {
        await this.endAttempt(orderId, attemptId);
        throw error;
      }
      throw new PaymentFailedError(failureCode, result.failureMessage ?? `The payment was refused (${failureCode}); the order still awaits payment.`);
    }
    const outcome = await this.recordCapture({ orderId, provider: provider.name, reference: result.reference, amount, currency: row.currency }, actor);
    if (outcome === 'refunded') {
      // Say what really happened to the order, whatever it is now.
      const now = await this.orders.findRow(orderId);
      const status = now?.status ?? OrderStatus.Cancelled;
      throw new ConflictError(
        now?.cancelReason === REFUNDED_OUT_OF_STOCK
          ? 'The order was cancelled when its reservation expired and the stock is gone; the payment was refunded.'
          : `The order is ${status} and could not take this payment; the payment was refunded.`,
        { orderStatus: status, allowed: [] },
      );
    }
    return this.orders.dtoById(orderId, caller, true);
  }

  /** A provider webhook: verified by the provider, deduplicated by event id, then recorded like a capture. */
  async webhook(providerName: string, rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<{ received: true; duplicate: boolean }> {
    const provider = this.providers.forWebhook(providerName);
    const event = provider.parseWebhook(rawBody, headers);
    const seen = await this.dataSource.manager
      .createQueryBuilder(PaymentWebhookEvent, 'w')
      .select(['w.id'])
      .where('w.provider = :provider AND w.eventId = :eventId', { provider: provider.name, eventId: event.id })
      .getOne();
    if (seen) return { received: true, duplicate: true };

    const capture: Capture = { orderId: event.orderId, provider: provider.name, reference: event.reference, amount: event.amount, currency: event.currency };
    if (event.type === 'payment.succeeded') {
      await this.recordCapture(capture, PROVIDER);
    } else if (event.type === 'payment.failed') {
      await this.tx.run(async (manager) => {
        if (!(await this.orders.findRow(event.orderId, manager))) return;
        if (await this.insertPayment(manager, capture, PaymentKind.Capture, PaymentStatus.Failed, 'payment_failed')) {
          await this.orders.addEvent(manager, event.orderId, 'payment_failed', PROVIDER, { note: provider.name, amount: event.amount });
        }
      });
    }
    // refund.succeeded: refunds are recorded when they are made; nothing to do.

    try {
      await this.dataSource.manager
        .createQueryBuilder()
        .insert()
        .into(PaymentWebhookEvent)
        .values({ id: uuidv7(), provider: provider.name, eventId: event.id, receivedAt: new Date() })
        .updateEntity(false)
        .execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return { received: true, duplicate: true };
    }
    return { received: true, duplicate: false };
  }

  /**
   * Records a successful capture once (by reference) and applies it: a pending order becomes paid
   * and its reserved stock sold; an order cancelled because its reservation expired is reserved
   * again and reinstated, or, when the stock is gone, the payment is refunded automatically.
   */
  async recordCapture(capture: Capture, actor: Actor): Promise<CaptureOutcome> {
    // The order can change state between the read and the conditional UPDATE (the sweeper
    // cancelling it, say); the money is taken already, so look again rather than give up.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyCapture(capture, actor);
      } catch (error) {
        if (!(error instanceof IllegalTransitionError) || attempt >= 3) throw error;
      }
    }
  }

  private async applyCapture(capture: Capture, actor: Actor): Promise<CaptureOutcome> {
    try {
      return await this.tx.run(async (manager) => {
        const row = await this.orders.findRow(capture.orderId, manager);
        if (!row) throw new NotFoundError('Order', capture.orderId);
        if (!(await this.insertPayment(manager, capture, PaymentKind.Capture, PaymentStatus.Succeeded))) return 'duplicate';
        const note = `${capture.provider} ${capture.reference}`;
        const paid = { set: { paidAmount: () => 'paid_amount + :paid' }, params: { paid: capture.amount }, amount: capture.amount, note };
        if (capture.currency !== row.currency || capture.amount !== amountDue(row)) {
          throw new UnusablePayment(
            `A payment of ${capture.amount} ${capture.currency} arrived where ${amountDue(row)} ${row.currency} was due; it was refunded.`,
          );
        }
        if (row.status === OrderStatus.PendingPayment) {
          await this.orders.transition(manager, capture.orderId, OrderAction.Pay, actor, paid);
          await this.inventory.commitSale(manager, await this.orders.allocationsOf(manager, capture.orderId), {
            orderId: capture.orderId, actorId: actor.id, reason: 'payment',
          });
          return 'paid';
        }
        if (row.status === OrderStatus.Cancelled && row.cancelReason === RESERVATION_EXPIRED) {
          const previous = await this.orders.allocationsOf(manager, capture.orderId);
          const allocations = await this.inventory.reserve(
            manager,
            previous.map((line) => ({ variantId: line.variantId, sku: line.sku, quantity: line.quantity })),
            { orderId: capture.orderId, actorId: null, reason: 'late payment' },
          );
          for (const allocation of allocations) {
            await manager
              .createQueryBuilder()
              .update(OrderLine)
              .set({ locationId: allocation.locationId })
              .where('order_id = :orderId AND variant_id = :variantId', { orderId: capture.orderId, variantId: allocation.variantId })
              .execute();
          }
          await this.orders.transition(manager, capture.orderId, OrderAction.Reinstate, SYSTEM, {
            ...paid,
            set: { ...paid.set, cancelReason: null },
            note: `late payment ${note}: stock reserved again`,
          });
          await this.inventory.commitSale(manager, allocations, { orderId: capture.orderId, actorId: null, reason: 'payment' });
          return 'reinstated';
        }
        throw new UnusablePayment(`A payment arrived for an order that is ${row.status}; it was refunded.`);
      });
    } catch (error) {
      if (error instanceof OutOfStockError) {
        await this.refundUnusable(capture, REFUNDED_OUT_OF_STOCK, 'The payment arrived after the reservation expired and the stock is gone; it was refunded.');
        return 'refunded';
      }
      if (error instanceof UnusablePayment) {
        await this.refundUnusable(capture, null, error.note);
        return 'refunded';
      }
      throw error;
    }
  }

  /**
   * Gives back a captured payment the order cannot use, and records both movements once. Only a
   * payment in the order's own currency is added to its paid and refunded amounts; one in
   * another currency is recorded as a payment and refund of its own, and named in the timeline.
   */
  private async refundUnusable(capture: Capture, cancelReason: string | null, note: string): Promise<void> {
    const provider = this.providers.get(capture.provider);
    const refund = await this.callProvider(provider, 'refund', () =>
      provider.refund({ reference: capture.reference, amount: capture.amount, currency: capture.currency, idempotencyKey: `auto-refund:${capture.reference}` }),
    );
    await this.tx.run(async (manager) => {
      if (!(await this.insertPayment(manager, capture, PaymentKind.Capture, PaymentStatus.Succeeded))) return;
      const refunded = refund.status === 'succeeded';
      await this.insertPayment(manager, { ...capture, reference: refund.reference }, PaymentKind.Refund, refunded ? PaymentStatus.Succeeded : PaymentStatus.Failed);
      const order = await this.orders.findRow(capture.orderId, manager);
      const ownCurrency = order?.currency === capture.currency;
      await manager
        .createQueryBuilder()
        .update(Order)
        .set({
          ...(ownCurrency
            ? { paidAmount: () => 'paid_amount + :amount', refundedAmount: () => (refunded ? 'refunded_amount + :amount' : 'refunded_amount') }
            : {}),
          ...(cancelReason ? { cancelReason } : {}),
          version: () => 'version + 1',
          updatedAt: new Date(),
        })
        .where('id = :id', { id: capture.orderId, amount: capture.amount })
        .execute();
      await this.orders.addEvent(manager, capture.orderId, refunded ? 'payment_refunded' : 'refund_failed', SYSTEM, {
        note: refunded ? note : `${note} The refund FAILED at the provider; refund by hand.`,
        // The timeline's amounts are in the order's currency; a foreign one is only in the note.
        amount: ownCurrency ? capture.amount : null,
      });
    });
  }

  /**
   * Ends an attempt that took no money, in the background until the database takes it (it may be
   * what just failed), so the customer's next attempt is not refused until the attempt times out.
   */
  private async endAttempt(orderId: string, attemptId: string): Promise<void> {
    const end = () => this.tx.run((manager) => this.orders.endPaymentAttempt(manager, orderId, attemptId));
    try {
      await end();
      return;
    } catch {
      // The database is what failed: keep trying without holding up the answer.
    }
    void retryInBackground(end, this.config.payments.attemptTimeoutSeconds * 1000, {
      retrying: (error) => this.logger.warn({ event: 'payment.attempt_end_retrying', orderId, err: error }, 'could not end a payment attempt; retrying in the background'),
      landed: () => this.logger.log({ event: 'payment.attempt_ended_late', orderId }, 'payment attempt ended once the database answered'),
      gaveUp: (error) => this.logger.error({ event: 'payment.attempt_end_failed', orderId, err: error }, 'could not end a payment attempt; it times out by itself'),
    });
  }

  /** Calls a provider, counting the call by outcome in payment_provider_requests_total. */
  private async callProvider<T extends { status: string }>(provider: PaymentProvider, operation: 'capture' | 'refund', call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.providerRequests.inc({ provider: provider.name, operation, outcome: result.status });
      return result;
    } catch (error) {
      this.providerRequests.inc({ provider: provider.name, operation, outcome: 'error' });
      throw error;
    }
  }

  /** Staff refund part or all of what was paid; reaching the full amount makes the order `refunded`. */
  async refund(orderId: string, input: { amount: number; reason: string }, caller: OrderCaller, key: string): Promise<OrderDto> {
    const actor: Actor = { id: caller.principal?.userId ?? null, kind: ActorKind.Staff };
    const row = await this.orders.findRow(orderId);
    if (!row) throw new NotFoundError('Order', orderId);
    if (!REFUNDABLE_STATES.includes(row.status)) throw new IllegalTransitionError(OrderAction.Refund, row.status);
    const refundable = row.paidAmount - row.refundedAmount;
    if (input.amount > refundable) {
      throw new RuleViolationError(`At most ${refundable} ${row.currency} can be refunded (paid ${row.paidAmount}, refunded ${row.refundedAmount}).`);
    }
    // Claim the amount first, so concurrent refunds can never give back more than was paid.
    await this.tx.run(async (manager) => {
      const claimed = await manager
        .createQueryBuilder()
        .update(Order)
        .set({ refundedAmount: () => 'refunded_amount + :amount', version: () => 'version + 1', updatedAt: new Date() })
        .where('id = :id AND refunded_amount + :amount <= paid_amount AND status IN (:...states)', {
          id: orderId, amount: input.amount, states: [...REFUNDABLE_STATES],
        })
        .execute();
      if (claimed.affected !== 1) throw new RuleViolationError('The refund exceeds what is left to refund; read the order again.');
      const after = await this.orders.findRow(orderId, manager);
      await this.orders.addEvent(manager, orderId, 'refund', actor, { note: input.reason, amount: input.amount });
      if (after && after.refundedAmount >= after.paidAmount) {
        await this.orders.transition(manager, orderId, OrderAction.Refund, actor, { note: input.reason });
      }
    });
    await this.refundAtProvider(orderId, input.amount, row.currency, `refund:${orderId}:${key}`, actor);
    return this.orders.dtoById(orderId, caller, true);
  }

  /**
   * Refunds money already claimed on the order (refunded_amount raised) at the provider of its
   * capture and records it; a failed refund gives the claim back and answers 502.
   */
  async refundAtProvider(orderId: string, amount: number, currency: string, idempotencyKey: string, actor: Actor): Promise<void> {
    if (amount <= 0) return;
    const capture = await this.dataSource.manager
      .createQueryBuilder(Payment, 'p')
      .select(['p.id', 'p.provider', 'p.reference'])
      .where('p.orderId = :orderId AND p.kind = :kind AND p.status = :status', { orderId, kind: PaymentKind.Capture, status: PaymentStatus.Succeeded })
      .orderBy('p.id', 'ASC')
      .getOne();
    if (!capture) throw new RuleViolationError('The order has no captured payment to refund.');
    const provider = this.providers.get(capture.provider);
    const refund = await this.callProvider(provider, 'refund', () => provider.refund({ reference: capture.reference, amount, currency, idempotencyKey }));
    const succeeded = refund.status === 'succeeded';
    await this.tx.run(async (manager) => {
      await this.insertPayment(manager, { orderId, provider: provider.name, reference: refund.reference, amount, currency },
        PaymentKind.Refund, succeeded ? PaymentStatus.Succeeded : PaymentStatus.Failed);
      if (!succeeded) {
        await manager
          .createQueryBuilder()
          .update(Order)
          .set({ refundedAmount: () => 'refunded_amount - :amount', version: () => 'version + 1', updatedAt: new Date() })
          .where('id = :id', { id: orderId, amount })
          .execute();
        await this.orders.addEvent(manager, orderId, 'refund_failed', actor, { note: provider.name, amount });
      }
    });
    if (!succeeded) throw new PaymentProviderError(`The provider refused the refund of ${amount} ${currency}.`);
  }

  /** Inserts a payment record; false when (provider, reference) is already recorded. */
  private async insertPayment(
    manager: EntityManager,
    capture: Capture,
    kind: PaymentKind,
    status: PaymentStatus,
    failureCode: string | null = null,
  ): Promise<boolean> {
    const exists = await manager
      .createQueryBuilder(Payment, 'p')
      .select(['p.id'])
      .where('p.provider = :provider AND p.reference = :reference', { provider: capture.provider, reference: capture.reference })
      .getOne();
    if (exists) return false;
    try {
      await manager
        .createQueryBuilder()
        .insert()
        .into(Payment)
        .values({
          id: uuidv7(),
          orderId: capture.orderId,
          provider: capture.provider,
          reference: capture.reference,
          kind,
          status,
          amount: capture.amount,
          currency: capture.currency,
          failureCode,
          createdAt: new Date(),
        })
        .updateEntity(false)
        .execute();
    } catch (error) {
      // A concurrent transaction (the webhook, or the capture answer) recorded it first.
      if (isUniqueViolation(error)) return false;
      throw error;
    }
    return true;
  }
}
