import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ProductVariant } from '../../catalog/entities/product-variant.entity';
import { StockLocation } from './stock-location.entity';

/**
 * Stock of one variant at one location. Only ever changed by atomic conditional UPDATEs that keep
 * 0 <= reserved <= on_hand, each with its movement row in the same transaction, so that per
 * (variant, location) SUM(on_hand_delta) = on_hand and SUM(reserved_delta) = reserved.
 */
@Entity('stock_levels')
export class StockLevel {
  @PrimaryColumn({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  @Index('ix_stock_levels_location')
  @PrimaryColumn({ name: 'location_id', type: 'varchar', length: 36 })
  locationId: string;

  @ManyToOne(() => ProductVariant, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'variant_id', foreignKeyConstraintName: 'fk_stock_levels_variant' })
  variant?: ProductVariant;

  @ManyToOne(() => StockLocation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'location_id', foreignKeyConstraintName: 'fk_stock_levels_location' })
  location?: StockLocation;

  /** Units physically at the location. */
  @Column({ name: 'on_hand', type: 'integer' })
  onHand: number;

  /** Units promised to orders not yet shipped; part of on_hand. */
  @Column({ type: 'integer' })
  reserved: number;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
