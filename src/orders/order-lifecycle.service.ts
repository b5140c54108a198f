import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError } from '../common/problem/app-error';
import { TransactionService } from '../database/transaction.service';
import { InventoryService } from '../inventory/inventory.service';
import { PaymentsService } from '../payments/payments.service';
import { OrderDto } from './dto/order.dto';
import { ActorKind } from './entities/order-event.entity';
import { OrderAction, OrderStatus } from './order-state';
import { Actor, canWriteOrders, IllegalTransitionError, isOwner, OrderCaller, OrdersService } from './orders.service';

/** Cancelling and moving orders through fulfilment; the rules of who may do what live here. */
@Injectable()
export class OrderLifecycleService {
  constructor(
    private readonly tx: TransactionService,
    private readonly orders: OrdersService,
    private readonly inventory: InventoryService,
    private readonly payments: PaymentsService,
  ) {}

  /**
   * The customer cancels while the order awaits payment (its reserved stock is released); staff
   * (orders:write) also after payment: the stock comes back on hand and the payment is refunded.
   */
  async cancel(orderId: string, caller: OrderCaller, reason: string | undefined): Promise<OrderDto> {
    const row = await this.orders.rowForCaller(orderId, caller);
    const staff = canWriteOrders(caller.principal);
    if (!staff) {
      if (!isOwner(row, caller)) throw new ForbiddenError('Cancelling another customer\'s order needs orders:write.');
      if (row.status !== OrderStatus.PendingPayment) {
        throw new IllegalTransitionError(OrderAction.Cancel, row.status);
      }
    }
    const actor: Actor = { id: caller.principal?.userId ?? null, kind: staff ? ActorKind.Staff : ActorKind.Customer };
    const toRefund = await this.tx.run(async (manager) => {
      const amounts = await this.orders.lockedAmounts(manager, orderId);
      const { from } = await this.orders.transition(manager, orderId, OrderAction.Cancel, actor, {
        note: reason ?? null,
        set: { cancelReason: staff ? 'cancelled_by_staff' : 'cancelled_by_customer', refundedAmount: () => 'paid_amount' },
      });
      const allocations = await this.orders.allocationsOf(manager, orderId);
      const ref = { orderId, actorId: actor.id, reason: reason ?? 'order cancelled' };
      if (from === OrderStatus.PendingPayment) {
        await this.inventory.release(manager, allocations, ref);
        return 0;
      }
      await this.inventory.restock(manager, allocations, ref);
      // refunded_amount was raised to paid_amount by the UPDATE: refund what was not refunded before.
      return amounts.paidAmount - amounts.refundedAmount;
    });
    if (toRefund > 0) await this.payments.refundAtProvider(orderId, toRefund, row.currency, `cancel:${orderId}`, actor);
    return this.orders.dtoById(orderId, caller, true);
  }

  /** fulfil, ship, deliver: staff moves a paid order along. */
  async advance(orderId: string, action: OrderAction.Fulfil | OrderAction.Ship | OrderAction.Deliver, caller: OrderCaller): Promise<OrderDto> {
    if (!(await this.orders.findRow(orderId))) throw new NotFoundError('Order', orderId);
    const actor: Actor = { id: caller.principal?.userId ?? null, kind: ActorKind.Staff };
    await this.tx.run((manager) => this.orders.transition(manager, orderId, action, actor));
    return this.orders.dtoById(orderId, caller, true);
  }
}
