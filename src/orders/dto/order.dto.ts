import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

import { IsEmail, IsEnum, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { ShippingAddressDto } from '../../customers/dto/address.dto';
import { PageQueryDto } from '../../common/pagination/pagination';
import { MAX_ORDER_AMOUNT } from '../../pricing/pricing.math';
import { ActorKind } from '../entities/order-event.entity';
import { OrderAction, OrderStatus } from '../order-state';

const UUID_EXAMPLE = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';
/** The catalog's largest price. */
const MAX_UNIT_PRICE = 2_147_483_647;
/** An amount of the order itself: none exceeds its total, which checkout caps at MAX_ORDER_AMOUNT. */
const orderAmount = (example: number, description: string) => ({
  description,
  type: 'integer' as const,
  format: 'int64',
  minimum: 0,
  maximum: MAX_ORDER_AMOUNT,
  example,
});
/** Money moved over the order's life: every capture adds up, those given back too, so only exactness bounds it. */
const movedAmount = (example: number, description: string) => ({ ...orderAmount(example, description), maximum: Number.MAX_SAFE_INTEGER });
const dateTime = (description: string) => ({ description, format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' });

@ApiSchema({ description: 'One line of an order: what was bought, at the price it had at checkout.' })
export class OrderLineDto {
  @ApiProperty({ description: 'The variant bought.', format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  variantId: string;

  @ApiProperty({ description: 'Its product.', format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  productId: string;

  @ApiProperty({ description: 'The SKU at checkout.', minLength: 1, maxLength: 64, example: 'TSHIRT-RED-M' })
  sku: string;

  @ApiProperty({ description: 'The product name at checkout.', minLength: 1, maxLength: 200, example: 'Classic T-shirt' })
  productName: string;

  @ApiProperty({
    description: 'The variant options at checkout.',
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 100 },
    maxProperties: 10,
    example: { size: 'M', colour: 'red' },
  })
  options: Record<string, string>;

  @ApiProperty({ description: 'Unit price in minor units of the order currency, as at checkout.', type: 'integer', format: 'int32', minimum: 0, maximum: MAX_UNIT_PRICE, example: 1999 })
  unitPriceAmount: number;

  @ApiProperty({ description: 'Units bought.', type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000, example: 2 })
  quantity: number;

  @ApiProperty(orderAmount(3998, 'Unit price times quantity.'))
  lineTotalAmount: number;
}

@ApiSchema({ description: 'Something the caller may do with the order now (hypermedia).' })
export class OrderActionLinkDto {
  @ApiProperty({ description: 'The action.', enum: OrderAction, enumName: 'OrderAction', example: OrderAction.Pay })
  action: OrderAction;

  @ApiProperty({ description: 'HTTP method to use.', enum: ['POST'], example: 'POST' })
  method: 'POST';

  @ApiProperty({ description: 'Where to send it.', minLength: 1, maxLength: 200, example: `/v1/orders/${UUID_EXAMPLE}/payments` })
  href: string;
}

@ApiSchema({ description: 'One entry of an order timeline.' })
export class OrderEventDto {
  @ApiProperty({ description: 'What happened.', minLength: 1, maxLength: 40, example: 'status_changed' })
  type: string;

  @ApiProperty({ description: 'State before.', enum: OrderStatus, enumName: 'OrderStatus', nullable: true, example: OrderStatus.PendingPayment })
  fromStatus: OrderStatus | null;

  @ApiProperty({ description: 'State after.', enum: OrderStatus, enumName: 'OrderStatus', nullable: true, example: OrderStatus.Paid })
  toStatus: OrderStatus | null;

  @ApiProperty({ description: 'Who did it (user id); null for the system and providers.', type: String, format: 'uuid', nullable: true, minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  actorId: string | null;

  @ApiProperty({ description: 'What kind of actor.', enum: ActorKind, enumName: 'OrderActorKind', example: ActorKind.Customer })
  actorKind: ActorKind;

  @ApiProperty({ description: 'Why, or details.', type: String, nullable: true, maxLength: 500, example: 'reservation_expired' })
  note: string | null;

  @ApiProperty({ ...movedAmount(1999, 'Money moved by this change, if any.'), nullable: true })
  amount: number | null;

  @ApiProperty(dateTime('When (UTC).'))
  createdAt: string;
}

@ApiSchema({ description: 'An order.' })
export class OrderDto {
  @ApiProperty({ description: 'Public id (UUIDv7).', format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  id: string;

  @ApiProperty({ description: 'Where the order is in its life.', enum: OrderStatus, enumName: 'OrderStatus', example: OrderStatus.PendingPayment })
  status: OrderStatus;

  @ApiProperty({ description: 'Where order mail goes.', format: 'idn-email', minLength: 3, maxLength: 254, example: 'ada@example.com' })
  email: string;

  @ApiProperty({ description: 'ISO 4217 currency of every amount.', minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', example: 'EUR' })
  currency: string;

  @ApiProperty(orderAmount(3998, 'Sum of the line totals.'))
  subtotalAmount: number;

  @ApiProperty(orderAmount(495, 'Shipping.'))
  shippingAmount: number;

  @ApiProperty(orderAmount(760, 'Tax: added on top, or contained in the prices when `pricesIncludeTax`.'))
  taxAmount: number;

  @ApiProperty(orderAmount(5253, `What the customer pays; at most ${MAX_ORDER_AMOUNT} (checkout refuses a larger cart).`))
  totalAmount: number;

  @ApiProperty({ description: 'Tax rate in basis points (1900 = 19 %).', type: 'integer', format: 'int32', minimum: 0, maximum: 100_000, example: 1900 })
  taxRateBps: number;

  @ApiProperty({ description: 'Whether the prices contain the tax (gross) or it was added (net).', example: false })
  pricesIncludeTax: boolean;

  @ApiProperty(movedAmount(0, 'Captured so far, including payments that could not be used and were given back.'))
  paidAmount: number;

  @ApiProperty(movedAmount(0, 'Refunded so far.'))
  refundedAmount: number;

  @ApiProperty({ description: 'The lines, in cart order.', type: [OrderLineDto], minItems: 1, maxItems: 1000 })
  lines: OrderLineDto[];

  @ApiProperty({ description: 'Where it ships.', type: ShippingAddressDto })
  shippingAddress: ShippingAddressDto;

  @ApiProperty(dateTime('Until when the stock is reserved; an unpaid order is cancelled after it.'))
  reservationExpiresAt: string;

  @ApiProperty({ description: 'Why it was cancelled (or a refund note).', type: String, nullable: true, maxLength: 100, example: null })
  cancelReason: string | null;

  @ApiProperty({ description: 'What the caller may do now.', type: [OrderActionLinkDto], maxItems: 10 })
  actions: OrderActionLinkDto[];

  @ApiPropertyOptional({ description: 'Every change, oldest first (single-order answers only).', type: [OrderEventDto], maxItems: 10_000 })
  timeline?: OrderEventDto[];

  @ApiProperty(dateTime('When it was placed (UTC).'))
  createdAt: string;

  @ApiProperty(dateTime('When it last changed (UTC).'))
  updatedAt: string;
}

export class ListOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only orders in this state.', enum: OrderStatus, enumName: 'OrderStatus' })
  @IsOptional()
  @IsEnum(OrderStatus)
  status?: OrderStatus;

  @ApiPropertyOptional({ description: 'Only orders with this email (exact).', maxLength: 254, example: 'ada@example.com' })
  @IsOptional()
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ description: 'Only orders of this customer.', format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ description: 'Placed at or after (UTC).', format: 'date-time', maxLength: 30, example: '2026-11-01T00:00:00.000Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdFrom?: string;

  @ApiPropertyOptional({ description: 'Placed before (UTC).', format: 'date-time', maxLength: 30, example: '2026-12-01T00:00:00.000Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdTo?: string;
}

/** The `limit` member of an `unpaid-order-limit` problem. */
@ApiSchema({ description: 'A cap on what one client may hold in unpaid orders at once.' })
export class UnpaidOrderLimitDto {
  @ApiProperty({ description: 'Whom the cap counts: one client network address, one email, or one customer account.', enum: ['address', 'email', 'customer'], example: 'address' })
  kind: 'address' | 'email' | 'customer';

  @ApiProperty({ description: 'What it counts: unpaid orders, or the units they hold.', enum: ['orders', 'units'], example: 'orders' })
  counts: 'orders' | 'units';

  @ApiProperty({ description: 'The cap (CHECKOUT_MAX_*).', type: 'integer', format: 'int32', minimum: 1, maximum: 100_000_000, example: 10 })
  max: number;
}

