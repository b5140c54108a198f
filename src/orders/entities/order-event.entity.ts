import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrderStatus } from '../order-state';
import { Order } from './order.entity';

export enum ActorKind {
  Customer = 'customer',
  Staff = 'staff',
  System = 'system',
  Provider = 'provider',
}

/** One entry of an order's timeline: every change, with who made it and when. */
@Entity('order_events')
export class OrderEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_order_events_order')
  @Column({ name: 'order_id', type: 'varchar', length: 36 })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'fk_order_events_order' })
  order?: Order;

  @Column({ type: 'varchar', length: 40 })
  type: string;

  @Column({ name: 'from_status', type: 'varchar', length: 20, nullable: true })
  fromStatus: OrderStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 20, nullable: true })
  toStatus: OrderStatus | null;

  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_kind', type: 'varchar', length: 16 })
  actorKind: ActorKind;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ type: 'bigint', nullable: true })
  amount: number | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
