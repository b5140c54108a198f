import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, UpdateResult } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { v7 as uuidv7 } from 'uuid';
import { Permission } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { cartTokenMatches } from '../carts/cart-access';
import { decodeCursor, encodeCursor, Page, PageQueryDto } from '../common/pagination/pagination';
import { AppError, ConflictError, NotFoundError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { EntitySql, entitySql, execute, quoter, selectRows } from '../database/compiled-sql';
import { forUpdate } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { ListOrdersQueryDto, OrderActionLinkDto, OrderDto, OrderEventDto, OrderLineDto } from './dto/order.dto';
import { ActorKind, OrderEvent } from './entities/order-event.entity';
import { OrderLine } from './entities/order-line.entity';
import { Order } from './entities/order.entity';
import { allowedActions, canApply, OrderAction, OrderStatus, REFUNDABLE_STATES, TRANSITIONS } from './order-state';
import { UnpaidOrderLimits } from './unpaid-order-limits';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who changes an order. */
export interface Actor {
  id: string | null;
  kind: ActorKind;
}

export const SYSTEM: Actor = { id: null, kind: ActorKind.System };
export const PROVIDER: Actor = { id: null, kind: ActorKind.Provider };

/** Who reads or acts on an order: a signed-in caller, and/or a guest holding the cart token. */
export interface OrderCaller {
  principal?: Principal;
  cartToken?: string;
}

/** The stock an order holds, one entry per line: what to release, sell or return. */
export interface OrderAllocation {
  variantId: string;
  locationId: string;
  quantity: number;
  sku: string;
}

const ORDER_COLUMNS = [
  'o.id', 'o.userId', 'o.guestTokenHash', 'o.email', 'o.status', 'o.currency', 'o.subtotalAmount', 'o.shippingAmount', 'o.taxAmount',
  'o.totalAmount', 'o.taxRateBps', 'o.pricesIncludeTax', 'o.paidAmount', 'o.refundedAmount', 'o.shippingAddress', 'o.cartId',
  'o.reservationExpiresAt', 'o.cancelReason', 'o.clientAddress', 'o.paymentAttemptId', 'o.paymentAttemptAt', 'o.version', 'o.createdAt', 'o.updatedAt',
] as const;
export type OrderRow = Omit<Order, 'user' | 'checkoutScope' | 'checkoutKey'>;
/** What an order line shows. */
export type OrderLineFields = Pick<OrderLine, 'variantId' | 'productId' | 'sku' | 'productName' | 'options' | 'unitPriceAmount' | 'quantity' | 'lineTotalAmount'>;

interface OrderStatements {
  order: EntitySql<Order>;
  line: EntitySql<OrderLine>;
  event: EntitySql<OrderEvent>;
  /** Params: scope, key. */
  byCheckoutKey: string;
}

const ACTION_PATHS: Partial<Record<OrderAction, string>> = {
  [OrderAction.Pay]: 'payments',
  [OrderAction.Cancel]: 'cancel',
  [OrderAction.Fulfil]: 'fulfil',
  [OrderAction.Ship]: 'ship',
  [OrderAction.Deliver]: 'deliver',
  [OrderAction.Refund]: 'refunds',
};

export function isOrderStaff(principal: Principal | undefined): boolean {
  return principal?.permissions.has(Permission.OrdersReadAny) === true || principal?.permissions.has(Permission.OrdersWrite) === true;
}

export function canWriteOrders(principal: Principal | undefined): boolean {
  return principal?.permissions.has(Permission.OrdersWrite) === true;
}

/** Whether the caller is the order's customer (by account, or as the guest holding its cart token). */
export function isOwner(row: Pick<Order, 'userId' | 'guestTokenHash'>, caller: OrderCaller): boolean {
  if (caller.principal?.userId && row.userId === caller.principal.userId) return true;
  return cartTokenMatches(caller.cartToken, row.guestTokenHash);
}

/** 409: a payment of the order is being processed; wait for its outcome (read the order again). */
export class PaymentInProgressError extends AppError {
  readonly status = 409;
  readonly type = 'payment-in-progress';
  readonly title = 'Conflict';

  constructor(startedAt: Date) {
    super(
      `A payment for this order is being processed since ${startedAt.toISOString()}; wait for its outcome and read the order ` +
        'again before paying or cancelling.',
      { orderStatus: OrderStatus.PendingPayment, allowed: [], paymentStartedAt: startedAt.toISOString() },
    );
  }
}

export class IllegalTransitionError extends ConflictError {
  constructor(action: OrderAction, current: OrderStatus) {
    const allowed = allowedActions(current).filter((a) => a !== OrderAction.Reinstate);
    super(
      `The order is ${current}: it cannot ${action}. Allowed now: ${allowed.length ? allowed.join(', ') : 'nothing'}.`,
      { orderStatus: current, allowed },
    );
  }
}

@Injectable()
export class OrdersService {
  private compiled?: OrderStatements;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly unpaidLimits: UnpaidOrderLimits,
    private readonly config: AppConfig,
  ) {}

  /**
   * Applies one row of the transition table as a conditional UPDATE and writes the timeline
   * event in the caller's transaction. The state is read, checked against the table, and the
   * UPDATE only succeeds while it is still that state: a concurrent change makes it 409.
   *
   * Leaving `pending_payment` also gives back what the order counted against its client's
   * unpaid-order caps; doing so other than by paying (cancel, expiry) waits for a payment attempt
   * in progress (409 payment-in-progress), so no order is cancelled under a capture.
   */
  async transition(
    manager: EntityManager,
    orderId: string,
    action: OrderAction,
    actor: Actor,
    options: {
      note?: string | null;
      amount?: number | null;
      set?: QueryDeepPartialEntity<Order>;
      params?: Record<string, unknown>;
      /** Only from this state (a narrower condition than the table's). */
      expectFrom?: OrderStatus;
    } = {},
  ): Promise<{ from: OrderStatus; to: OrderStatus }> {
    const current = await this.statusOf(manager, orderId);
    const { to } = TRANSITIONS[action];
    if (!canApply(action, current) || (options.expectFrom && options.expectFrom !== current)) {
      throw new IllegalTransitionError(action, current);
    }
    const now = new Date();
    const leavesPending = current === OrderStatus.PendingPayment && to !== OrderStatus.PendingPayment;
    const waitsForPayment = leavesPending && action !== OrderAction.Pay;
    const attemptStaleBefore = new Date(now.getTime() - this.config.payments.attemptTimeoutSeconds * 1000);
    const result = await manager
      .createQueryBuilder()
      .update(Order)
      .set({ ...options.set, status: to, ...(leavesPending ? { paymentAttemptId: null, paymentAttemptAt: null } : {}), version: () => 'version + 1', updatedAt: now })
      .where(`id = :id AND status = :current${waitsForPayment ? ' AND (payment_attempt_id IS NULL OR payment_attempt_at < :attemptStaleBefore)' : ''}`, {
        ...options.params,
        id: orderId,
        current,
        attemptStaleBefore,
      })
      .execute();
    if (result.affected !== 1) {
      const latest = await this.findRow(orderId, manager);
      if (!latest) throw new NotFoundError('Order', orderId);
      if (waitsForPayment && latest.status === current && latest.paymentAttemptAt) throw new PaymentInProgressError(latest.paymentAttemptAt);
      throw new IllegalTransitionError(action, latest.status);
    }
    if (leavesPending) await this.releaseUnpaidHold(manager, orderId);
    await this.addEvent(manager, orderId, 'status_changed', actor, { from: current, to, note: options.note, amount: options.amount });
    return { from: current, to };
  }

  /**
   * Marks a payment attempt as in progress, before the provider is called: a conditional UPDATE
   * that only one concurrent attempt wins (an attempt whose heartbeat is older than
   * PAYMENTS_ATTEMPT_TIMEOUT_SECONDS was abandoned by a dead process and may be replaced). It also extends the reservation to the
   * full CHECKOUT_RESERVATION_TTL_SECONDS from checkout. The losers get 409 payment-in-progress,
   * or the transition error of the state the order reached.
   */
  async beginPaymentAttempt(row: Pick<OrderRow, 'id' | 'createdAt'>): Promise<string> {
    const attemptId = uuidv7();
    const now = new Date();
    const extended = new Date(row.createdAt.getTime() + this.config.checkout.reservationTtlSeconds * 1000);
    const result = await this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .update(Order)
        .set({
          paymentAttemptId: attemptId,
          paymentAttemptAt: now,
          reservationExpiresAt: () => 'CASE WHEN reservation_expires_at < :extended THEN :extended ELSE reservation_expires_at END',
        })
        .where('id = :id AND status = :pending AND (payment_attempt_id IS NULL OR payment_attempt_at < :staleBefore)', {
          id: row.id,
          pending: OrderStatus.PendingPayment,
          staleBefore: new Date(now.getTime() - this.config.payments.attemptTimeoutSeconds * 1000),
          extended,
        })
        .execute(),
    );
    if (result.affected === 1) return attemptId;
    const latest = await this.findRow(row.id);
    if (!latest) throw new NotFoundError('Order', row.id);
    if (latest.status === OrderStatus.PendingPayment && latest.paymentAttemptAt) throw new PaymentInProgressError(latest.paymentAttemptAt);
    throw new IllegalTransitionError(OrderAction.Pay, latest.status);
  }

  /** Proves the attempt's process is alive while the provider works (see startHeartbeat). */
  beatPaymentAttempt(orderId: string, attemptId: string): Promise<UpdateResult> {
    return this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .update(Order)
        .set({ paymentAttemptAt: new Date() })
        .where('id = :id AND payment_attempt_id = :attemptId', { id: orderId, attemptId })
        .execute(),
    );
  }

  /** Ends a payment attempt that did not pay the order (declined, provider failure), in the caller's transaction, so another may start. */
  async endPaymentAttempt(manager: EntityManager, orderId: string, attemptId: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Order)
      .set({ paymentAttemptId: null, paymentAttemptAt: null })
      .where('id = :id AND payment_attempt_id = :attemptId', { id: orderId, attemptId })
      .execute();
  }

  /** Gives back what a leaving-pending order counted against its client's caps (its address, email, customer; its units). */
  private async releaseUnpaidHold(manager: EntityManager, orderId: string): Promise<void> {
    const row = await manager
      .createQueryBuilder(Order, 'o')
      .innerJoin(OrderLine, 'l', 'l.orderId = o.id')
      .select('o.clientAddress', 'clientAddress')
      .addSelect('o.email', 'email')
      .addSelect('o.userId', 'userId')
      .addSelect('SUM(l.quantity)', 'units')
      .where('o.id = :id', { id: orderId })
      .groupBy('o.id')
      .addGroupBy('o.clientAddress')
      .addGroupBy('o.email')
      .addGroupBy('o.userId')
      .getRawOne<{ clientAddress: string | null; email: string; userId: string | null; units: number | string }>();
    if (row) await this.unpaidLimits.give(manager, { clientAddress: row.clientAddress, email: row.email, userId: row.userId }, Number(row.units));
  }

  async addEvent(
    manager: EntityManager,
    orderId: string,
    type: string,
    actor: Actor,
    details: { from?: OrderStatus | null; to?: OrderStatus | null; note?: string | null; amount?: number | null } = {},
  ): Promise<void> {
    const { sql, params } = this.statements(manager).event.insert([
      {
        id: uuidv7(),
        orderId,
        type,
        fromStatus: details.from ?? null,
        toStatus: details.to ?? null,
        actorId: actor.id,
        actorKind: actor.kind,
        note: details.note ?? null,
        amount: details.amount ?? null,
        createdAt: new Date(),
      },
    ]);
    await execute(manager, sql, params);
  }

  /** The current state; `latest` reads past the transaction's snapshot (a locking read on MySQL). */
  async statusOf(manager: EntityManager, orderId: string, latest = false): Promise<OrderStatus> {
    const query = manager.createQueryBuilder(Order, 'o').select(['o.id', 'o.status']).where('o.id = :id', { id: orderId });
    const row = await (latest ? forUpdate(query) : query).getOne();
    if (!row) throw new NotFoundError('Order', orderId);
    return row.status;
  }

  /** The order row (plain, no DTO), or undefined. */
  async findRow(orderId: string, manager: EntityManager = this.dataSource.manager): Promise<OrderRow | undefined> {
    if (!UUID.test(orderId)) return undefined;
    const row = await manager.createQueryBuilder(Order, 'o').select([...ORDER_COLUMNS]).where('o.id = :id', { id: orderId }).getOne();
    return row ?? undefined;
  }

  /** The order when the caller may see it: its customer, the guest with its cart token, or staff; 404 for everyone else. */
  async rowForCaller(orderId: string, caller: OrderCaller): Promise<OrderRow> {
    const row = await this.findRow(orderId);
    if (!row || !(isOwner(row, caller) || isOrderStaff(caller.principal))) throw new NotFoundError('Order', orderId);
    return row;
  }

  /** Paid and refunded amounts read with a row lock (MySQL), for changes that depend on them. */
  async lockedAmounts(manager: EntityManager, orderId: string): Promise<{ paidAmount: number; refundedAmount: number }> {
    const row = await forUpdate(manager.createQueryBuilder(Order, 'o').select(['o.id', 'o.paidAmount', 'o.refundedAmount']).where('o.id = :id', { id: orderId })).getOne();
    if (!row) throw new NotFoundError('Order', orderId);
    return { paidAmount: row.paidAmount, refundedAmount: row.refundedAmount };
  }

  async findIdByCheckoutKey(scope: string, key: string): Promise<{ id: string; cartId: string } | undefined> {
    const manager = this.dataSource.manager;
    const [row] = await selectRows<{ id: string; cartId: string }>(manager, this.statements(manager).byCheckoutKey, [scope, key]);
    return row;
  }

  /**
   * Inserts a new order, then its lines (one multi-row INSERT), without reading them back: the
   * statements compiled once per dialect from the entities, all columns, values bound.
   */
  async insert(manager: EntityManager, order: Partial<Order>, lines: readonly Partial<OrderLine>[]): Promise<void> {
    const statements = this.statements(manager);
    const insertOrder = statements.order.insert([order]);
    await execute(manager, insertOrder.sql, insertOrder.params);
    if (lines.length === 0) return;
    const insertLines = statements.line.insert(lines);
    await execute(manager, insertLines.sql, insertLines.params);
  }

  async allocationsOf(manager: EntityManager, orderId: string): Promise<OrderAllocation[]> {
    const rows = await manager
      .createQueryBuilder(OrderLine, 'l')
      .select(['l.id', 'l.variantId', 'l.locationId', 'l.quantity', 'l.sku'])
      .where('l.orderId = :orderId', { orderId })
      .orderBy('l.position', 'ASC')
      .getMany();
    return rows.map((row) => ({ variantId: row.variantId, locationId: row.locationId, quantity: row.quantity, sku: row.sku }));
  }

  /** One order as the caller sees it, with its timeline. */
  async get(orderId: string, caller: OrderCaller): Promise<OrderDto> {
    return this.dto(await this.rowForCaller(orderId, caller), caller, true);
  }

  /** The order as DTO for a caller already allowed to see it. */
  async dto(row: OrderRow, caller: OrderCaller, withTimeline: boolean): Promise<OrderDto> {
    const [dto] = await this.dtos([row], caller, withTimeline);
    return dto;
  }

  async dtoById(orderId: string, caller: OrderCaller, withTimeline = true): Promise<OrderDto> {
    const row = await this.findRow(orderId);
    if (!row) throw new NotFoundError('Order', orderId);
    return this.dto(row, caller, withTimeline);
  }

  /** The caller's own orders (none for a service token, which is nobody's customer). */
  async listMine(query: PageQueryDto, principal: Principal): Promise<Page<OrderDto>> {
    if (!principal.userId) return { data: [], nextCursor: null };
    return this.list({ limit: query.limit, cursor: query.cursor, userId: principal.userId }, { principal }, true);
  }

  async list(query: Partial<ListOrdersQueryDto> & PageQueryDto, caller: OrderCaller, own = false): Promise<Page<OrderDto>> {
    const qb = this.dataSource.manager.createQueryBuilder(Order, 'o').select([...ORDER_COLUMNS]);
    if (query.userId) qb.andWhere('o.userId = :userId', { userId: query.userId });
    if (!own) {
      if (query.status) qb.andWhere('o.status = :status', { status: query.status });
      if (query.email) qb.andWhere('o.email = :email', { email: query.email });
      if (query.createdFrom) qb.andWhere('o.createdAt >= :createdFrom', { createdFrom: new Date(query.createdFrom) });
      if (query.createdTo) qb.andWhere('o.createdAt < :createdTo', { createdTo: new Date(query.createdTo) });
    }
    if (query.cursor) {
      const after = decodeCursor(query.cursor, (key): key is { id: string } => typeof key.id === 'string' && UUID.test(key.id));
      qb.andWhere('o.id < :afterId', { afterId: after.id });
    }
    const rows = await qb.orderBy('o.id', 'DESC').limit(query.limit + 1).getMany();
    const page = rows.slice(0, query.limit);
    return {
      data: await this.dtos(page, caller, false),
      nextCursor: rows.length > query.limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
    };
  }

  private statements(manager: EntityManager): OrderStatements {
    if (!this.compiled) {
      const q = quoter(manager);
      const order = entitySql(manager, Order);
      const o = q('o');
      this.compiled = {
        order,
        line: entitySql(manager, OrderLine),
        event: entitySql(manager, OrderEvent),
        byCheckoutKey:
          `SELECT ${o}.${order.col('id')} AS ${q('id')}, ${o}.${order.col('cartId')} AS ${q('cartId')} FROM ${order.table} ${o} ` +
          `WHERE ${o}.${order.col('checkoutScope')} = ? AND ${o}.${order.col('checkoutKey')} = ?`,
      };
    }
    return this.compiled;
  }

  /** The actions the state allows to THIS caller, as links. */
  actionsFor(row: Pick<Order, 'id' | 'status' | 'userId' | 'guestTokenHash' | 'paidAmount' | 'refundedAmount'>, caller: OrderCaller): OrderActionLinkDto[] {
    const owner = isOwner(row, caller);
    const staff = canWriteOrders(caller.principal);
    return allowedActions(row.status)
      .filter((action) => {
        switch (action) {
          case OrderAction.Pay:
            return owner;
          case OrderAction.Cancel:
            return staff || (owner && row.status === OrderStatus.PendingPayment);
          case OrderAction.Fulfil:
          case OrderAction.Ship:
          case OrderAction.Deliver:
            return staff;
          case OrderAction.Refund:
            return staff && REFUNDABLE_STATES.includes(row.status) && row.paidAmount > row.refundedAmount;
          default:
            return false;
        }
      })
      .map((action) => ({ action, method: 'POST' as const, href: `/v1/orders/${row.id}/${ACTION_PATHS[action]}` }));
  }

  private async dtos(rows: OrderRow[], caller: OrderCaller, withTimeline: boolean): Promise<OrderDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const manager = this.dataSource.manager;
    const lines = await manager
      .createQueryBuilder(OrderLine, 'l')
      .select(['l.id', 'l.orderId', 'l.variantId', 'l.productId', 'l.sku', 'l.productName', 'l.options', 'l.unitPriceAmount', 'l.quantity', 'l.lineTotalAmount', 'l.position'])
      .where({ orderId: In(ids) })
      .orderBy('l.position', 'ASC')
      .getMany();
    const events = withTimeline
      ? await manager
          .createQueryBuilder(OrderEvent, 'e')
          .select(['e.id', 'e.orderId', 'e.type', 'e.fromStatus', 'e.toStatus', 'e.actorId', 'e.actorKind', 'e.note', 'e.amount', 'e.createdAt'])
          .where({ orderId: In(ids) })
          .orderBy('e.id', 'ASC')
          .getMany()
      : [];
    return rows.map((row) =>
      this.dtoOf(
        row,
        lines.filter((line) => line.orderId === row.id),
        caller,
        withTimeline ? events.filter((event) => event.orderId === row.id) : undefined,
      ),
    );
  }

  /** The DTO of an order from rows already at hand (checkout builds its answer from what it inserted). */
  dtoOf(row: OrderRow, lines: readonly OrderLineFields[], caller: OrderCaller, events?: OrderEvent[]): OrderDto {
    const dto: OrderDto = {
      id: row.id,
      status: row.status,
      email: row.email,
      currency: row.currency,
      subtotalAmount: row.subtotalAmount,
      shippingAmount: row.shippingAmount,
      taxAmount: row.taxAmount,
      totalAmount: row.totalAmount,
      taxRateBps: row.taxRateBps,
      pricesIncludeTax: Boolean(row.pricesIncludeTax),
      paidAmount: row.paidAmount,
      refundedAmount: row.refundedAmount,
      lines: lines.map(lineDto),
      shippingAddress: row.shippingAddress,
      reservationExpiresAt: row.reservationExpiresAt.toISOString(),
      cancelReason: row.cancelReason,
      actions: this.actionsFor(row, caller),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
    if (events) dto.timeline = events.map(eventDto);
    return dto;
  }
}

function lineDto(line: OrderLineFields): OrderLineDto {
  return {
    variantId: line.variantId,
    productId: line.productId,
    sku: line.sku,
    productName: line.productName,
    options: line.options,
    unitPriceAmount: line.unitPriceAmount,
    quantity: line.quantity,
    lineTotalAmount: line.lineTotalAmount,
  };
}

function eventDto(event: OrderEvent): OrderEventDto {
  return {
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actorId: event.actorId,
    actorKind: event.actorKind,
    note: event.note,
    amount: event.amount,
    createdAt: event.createdAt.toISOString(),
  };
}
