import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Webhook events already handled, so a replayed event id has no second effect. */
@Entity('payment_webhook_events')
@Index('uq_payment_webhook_events_event', ['provider', 'eventId'], { unique: true })
export class PaymentWebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ name: 'event_id', type: 'varchar', length: 100 })
  eventId: string;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt: Date;
}
