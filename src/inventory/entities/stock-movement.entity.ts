import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ProductVariant } from '../../catalog/entities/product-variant.entity';
import { StockLocation } from './stock-location.entity';

export enum StockMovementKind {
  /** Goods in (POST /v1/inventory/receipts): on_hand up. */
  Received = 'received',
  /** Staff correction (count, damage, loss): on_hand up or down. */
  Adjusted = 'adjusted',
  /** Promised to an order at checkout: reserved up. */
  Reserved = 'reserved',
  /** A reservation given back (expired or cancelled order): reserved down. */
  Released = 'released',
  /** A paid order takes its reserved units: on_hand and reserved down. */
  Sold = 'sold',
  /** Units back into stock (cancelled paid order, return): on_hand up. */
  Returned = 'returned',
}

/** The append-only stock ledger: one row per change of a stock level, never updated or deleted. */
@Entity('stock_movements')
@Index('ix_stock_movements_variant', ['variantId', 'id'])
@Index('ix_stock_movements_location', ['locationId', 'id'])
export class StockMovement {
  /** UUIDv7: sorts by creation. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  @ManyToOne(() => ProductVariant, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'variant_id', foreignKeyConstraintName: 'fk_stock_movements_variant' })
  variant?: ProductVariant;

  @Column({ name: 'location_id', type: 'varchar', length: 36 })
  locationId: string;

  @ManyToOne(() => StockLocation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'location_id', foreignKeyConstraintName: 'fk_stock_movements_location' })
  location?: StockLocation;

  @Column({ type: 'varchar', length: 16 })
  kind: StockMovementKind;

  @Column({ name: 'on_hand_delta', type: 'integer' })
  onHandDelta: number;

  @Column({ name: 'reserved_delta', type: 'integer' })
  reservedDelta: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason: string | null;

  /** The user who made the change; null for the system (checkout, the sweeper, seeding). No FK: the ledger outlives accounts. */
  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  /** The order the change belongs to; a plain id without FK (orders come later in the module graph). */
  @Index('ix_stock_movements_order')
  @Column({ name: 'order_id', type: 'varchar', length: 36, nullable: true })
  orderId: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
