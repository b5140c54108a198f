import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What the unpaid orders of one client subject hold right now: a client address, an email or a
 * customer (see UnpaidOrderLimits). Counted up at checkout and down when an order stops awaiting
 * payment, in the same transactions, so the caps hold under any concurrency.
 */
@Entity('unpaid_order_holds')
export class UnpaidOrderHold {
  /** `address:<ip or IPv6 /64>`, `email:<hash>` or `customer:<user id>`. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  subject: string;

  /** Orders awaiting payment. */
  @Column({ type: 'integer' })
  orders: number;

  /** Units those orders hold. */
  @Column({ type: 'integer' })
  units: number;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
