import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export enum PaymentKind {
  Capture = 'capture',
  Refund = 'refund',
}

export enum PaymentStatus {
  Succeeded = 'succeeded',
  Failed = 'failed',
}

/** A money movement at a provider: a capture or a refund, succeeded or failed. One row per provider reference. */
@Entity('payments')
@Index('uq_payments_provider_reference', ['provider', 'reference'], { unique: true })
export class Payment {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The order the money moved for. */
  @Index('ix_payments_order')
  @Column({ name: 'order_id', type: 'varchar', length: 36 })
  orderId: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ type: 'varchar', length: 100 })
  reference: string;

  @Column({ type: 'varchar', length: 16 })
  kind: PaymentKind;

  @Column({ type: 'varchar', length: 16 })
  status: PaymentStatus;

  @Column({ type: 'bigint' })
  amount: number;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ name: 'failure_code', type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
