import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { OrderStatus } from '../order-state';

/** A shipping address snapshot, as given at checkout. */
export interface OrderAddress {
  fullName: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  country: string;
  phone?: string | null;
}

@Entity('orders')
@Index('uq_orders_checkout_key', ['checkoutScope', 'checkoutKey'], { unique: true })
@Index('ix_orders_status_expires', ['status', 'reservationExpiresAt'])
export class Order {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_orders_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_orders_user' })
  user?: User;

  /** SHA-256 of the guest cart's token: a guest reaches their order with the same X-Cart-Token. */
  @Index('ix_orders_guest_token')
  @Column({ name: 'guest_token_hash', type: 'varchar', length: 64, nullable: true })
  guestTokenHash: string | null;

  @Index('ix_orders_email')
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 20 })
  status: OrderStatus;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  // Sums of money are BIGINT: an order may come to MAX_ORDER_AMOUNT (pricing.math), far past INT. They
  // are read back as numbers (mysql2's bigNumberStrings is off, see database/data-source-options).
  @Column({ name: 'subtotal_amount', type: 'bigint' })
  subtotalAmount: number;

  @Column({ name: 'shipping_amount', type: 'bigint' })
  shippingAmount: number;

  @Column({ name: 'tax_amount', type: 'bigint' })
  taxAmount: number;

  @Column({ name: 'total_amount', type: 'bigint' })
  totalAmount: number;

  @Column({ name: 'tax_rate_bps', type: 'integer' })
  taxRateBps: number;

  @Column({ name: 'prices_include_tax', type: 'boolean' })
  pricesIncludeTax: boolean;

  @Column({ name: 'paid_amount', type: 'bigint' })
  paidAmount: number;

  @Column({ name: 'refunded_amount', type: 'bigint' })
  refundedAmount: number;

  @Column({ name: 'shipping_address', type: 'simple-json' })
  shippingAddress: OrderAddress;

  /** The caller scope of the Idempotency-Key the order was created with. */
  @Column({ name: 'checkout_scope', type: 'varchar', length: 100 })
  checkoutScope: string;

  @Column({ name: 'checkout_key', type: 'varchar', length: 255 })
  checkoutKey: string;

  /** One order per cart. */
  @Index('uq_orders_cart', { unique: true })
  @Column({ name: 'cart_id', type: 'varchar', length: 36 })
  cartId: string;

  @Column({ name: 'reservation_expires_at', type: 'datetime', precision: 3 })
  reservationExpiresAt: Date;

  @Column({ name: 'cancel_reason', type: 'varchar', length: 100, nullable: true })
  cancelReason: string | null;

  /** The client address the order was placed from (what its unpaid-order hold counts against); never shown to clients. */
  @Column({ name: 'client_address', type: 'varchar', length: 45, nullable: true })
  clientAddress: string | null;

  /** The payment attempt in progress: set by a conditional UPDATE before the provider is called, so one capture at a time reaches it. */
  @Column({ name: 'payment_attempt_id', type: 'varchar', length: 36, nullable: true })
  paymentAttemptId: string | null;

  /** When that attempt started; after PAYMENTS_ATTEMPT_TIMEOUT_SECONDS (its process died) another may start. */
  @Column({ name: 'payment_attempt_at', type: 'datetime', precision: 3, nullable: true })
  paymentAttemptAt: Date | null;

  @Column({ type: 'integer' })
  version: number;

  @Index('ix_orders_created_at')
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
