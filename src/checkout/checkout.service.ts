import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../auth/principal';
import { CartsService } from '../carts/carts.service';
import { CustomersService } from '../customers/customers.service';
import { ShippingAddressDto } from '../customers/dto/address.dto';
import { ConflictError, RuleViolationError } from '../common/problem/app-error';
import { ValidationFailedException } from '../common/problem/problem';
import { AppConfig } from '../config/app-config';
import { isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { InventoryService } from '../inventory/inventory.service';
import { OrderDto } from '../orders/dto/order.dto';
import { ActorKind } from '../orders/entities/order-event.entity';
import { Order } from '../orders/entities/order.entity';
import { OrderStatus } from '../orders/order-state';
import { OrderCaller, OrderLineFields, OrderRow, OrdersService } from '../orders/orders.service';
import { UnpaidOrderLimits } from '../orders/unpaid-order-limits';
import { PricingService } from '../pricing/pricing.service';
import { UsersService } from '../users/users.service';
import { CheckoutDto } from './dto/checkout.dto';

export interface CheckoutRequest {
  principal?: Principal;
  cartToken?: string;
  /** The client's address (Fastify's request.ip, behind the proxies TRUST_PROXY names): unpaid orders are capped per address. */
  clientAddress: string;
  /** The caller scope and Idempotency-Key, stored on the order so a retry after a crash finds it. */
  scope: string;
  key: string;
}

/**
 * Cart -> order in ONE transaction: the cart is claimed (open -> checked_out), the unpaid order
 * is counted against its client's caps, stock for every line is reserved or none is, prices are
 * snapshotted and the totals quoted, and the order, its lines and its first timeline entry are
 * inserted without reloads. The reservation first lasts CHECKOUT_INITIAL_RESERVATION_SECONDS;
 * a payment attempt extends it to CHECKOUT_RESERVATION_TTL_SECONDS.
 */
@Injectable()
export class CheckoutService {
  private readonly logger = new Logger(CheckoutService.name);

  constructor(
    private readonly tx: TransactionService,
    private readonly orders: OrdersService,
    private readonly carts: CartsService,
    private readonly inventory: InventoryService,
    private readonly pricing: PricingService,
    private readonly users: UsersService,
    private readonly customers: CustomersService,
    private readonly unpaidLimits: UnpaidOrderLimits,
    private readonly config: AppConfig,
  ) {}

  async checkout(body: CheckoutDto, request: CheckoutRequest): Promise<OrderDto> {
    const caller: OrderCaller = { principal: request.principal, cartToken: request.cartToken };
    const userId = request.principal?.userId;
    let email: string;
    if (userId) email = (await this.users.get(userId)).user.email;
    else if (body.email) email = body.email;
    else throw new ValidationFailedException([{ field: 'email', message: 'email is required when checking out as a guest' }]);
    const shippingAddress = await this.shippingAddressOf(body, userId);

    const now = new Date();
    const order: OrderRow & Pick<Order, 'checkoutScope' | 'checkoutKey'> = {
      id: uuidv7(),
      userId: null,
      guestTokenHash: null,
      email,
      status: OrderStatus.PendingPayment,
      currency: '',
      subtotalAmount: 0,
      shippingAmount: 0,
      taxAmount: 0,
      totalAmount: 0,
      taxRateBps: 0,
      pricesIncludeTax: false,
      paidAmount: 0,
      refundedAmount: 0,
      shippingAddress,
      checkoutScope: request.scope,
      checkoutKey: request.key,
      cartId: body.cartId,
      reservationExpiresAt: new Date(now.getTime() + this.config.checkout.initialReservationSeconds * 1000),
      cancelReason: null,
      clientAddress: request.clientAddress,
      paymentAttemptId: null,
      paymentAttemptAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.unpaidLimits.prepare({ clientAddress: request.clientAddress, email, userId: userId ?? null });
    let lines: OrderLineFields[];
    try {
      lines = await this.tx.run(async (manager) => {
        const cart = await this.carts.loadForCheckout(manager, body.cartId, { userId, cartToken: request.cartToken });
        await this.carts.markCheckedOut(manager, cart.id);
        this.assertUnitsPerVariant(cart.lines);
        // Before the stock: every transaction that touches both locks holds rows first, so they never deadlock on them.
        await this.unpaidLimits.take(
          manager,
          { clientAddress: request.clientAddress, email, userId: cart.userId },
          cart.lines.reduce((units, line) => units + line.quantity, 0),
        );
        const allocations = await this.inventory.reserve(
          manager,
          cart.lines.map((line) => ({ variantId: line.variantId, sku: line.sku, quantity: line.quantity })),
          { orderId: order.id, actorId: userId ?? null, reason: 'checkout' },
        );
        const quote = await this.pricing.quote(manager, {
          country: shippingAddress.country,
          currency: cart.currency,
          lines: cart.lines.map((line) => ({ unitPriceAmount: line.unitPriceAmount, quantity: line.quantity })),
        });
        Object.assign(order, { userId: cart.userId, guestTokenHash: cart.guestTokenHash, currency: cart.currency, ...quote });
        const locationOf = new Map(allocations.map((allocation) => [allocation.variantId, allocation.locationId]));
        const rows = cart.lines.map((line, position) => ({
          id: uuidv7(),
          orderId: order.id,
          variantId: line.variantId,
          productId: line.productId,
          sku: line.sku,
          productName: line.productName,
          options: line.options,
          unitPriceAmount: line.unitPriceAmount,
          quantity: line.quantity,
          lineTotalAmount: line.unitPriceAmount * line.quantity,
          locationId: locationOf.get(line.variantId) as string,
          position,
        }));
        await this.orders.insert(manager, order, rows);
        await this.orders.addEvent(manager, order.id, 'created', { id: userId ?? null, kind: ActorKind.Customer }, {
          to: OrderStatus.PendingPayment,
          amount: quote.totalAmount,
        });
        return rows;
      });
    } catch (error) {
      // The cart is no longer open, or the key is on an order already: a retry of a checkout that
      // committed (its answer lost in a crash) gets that order. Only failures pay for this lookup.
      if (error instanceof ConflictError || isUniqueViolation(error)) {
        const existing = await this.orders.findIdByCheckoutKey(request.scope, request.key);
        if (existing && existing.cartId !== body.cartId) {
          throw new RuleViolationError('This Idempotency-Key was already used to check out another cart; use a new key.');
        }
        if (existing) return this.orders.dtoById(existing.id, caller, false);
      }
      throw error;
    }

    this.inventory.notifyIfLow(lines.map((line) => line.variantId)).catch((error: unknown) => this.logger.warn({ err: error }, 'low-stock notification failed'));
    return this.orders.dtoOf(order, lines, caller);
  }

  /**
   * No order holds more than CART_MAX_LINE_QUANTITY units of one variant. Carts refuse more when a
   * line is added; this catches lines added before the limit was lowered.
   */
  private assertUnitsPerVariant(lines: readonly { sku: string; quantity: number }[]): void {
    const max = this.config.carts.maxLineQuantity;
    const over = lines.filter((line) => line.quantity > max).map((line) => line.sku);
    if (over.length > 0) {
      throw new RuleViolationError(`One order may hold at most ${max} units of each variant; lower the quantity of ${over.join(', ')}.`, { skus: over });
    }
  }

  /** The address typed into the checkout, or a copy of the customer's saved one (another's is 404). */
  private async shippingAddressOf(body: CheckoutDto, userId: string | undefined): Promise<ShippingAddressDto> {
    if (body.shippingAddress && body.shippingAddressId) {
      throw new ValidationFailedException([{ field: 'shippingAddressId', message: 'give shippingAddress or shippingAddressId, not both' }]);
    }
    if (body.shippingAddress) return { ...body.shippingAddress };
    if (!userId) {
      throw new ValidationFailedException([{ field: 'shippingAddressId', message: 'saved addresses are for signed-in customers; guests send shippingAddress' }]);
    }
    const saved = await this.customers.getAddress(userId, body.shippingAddressId as string);
    return {
      fullName: saved.fullName,
      line1: saved.line1,
      line2: saved.line2,
      city: saved.city,
      region: saved.region,
      postalCode: saved.postalCode,
      country: saved.country,
      phone: saved.phone,
    };
  }
}
