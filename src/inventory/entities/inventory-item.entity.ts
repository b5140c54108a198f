import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { ProductVariant } from '../../catalog/entities/product-variant.entity';

/** Per-variant inventory settings. */
@Entity('inventory_items')
export class InventoryItem {
  @PrimaryColumn({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  @OneToOne(() => ProductVariant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'variant_id', foreignKeyConstraintName: 'fk_inventory_items_variant' })
  variant?: ProductVariant;

  /** The low-stock event fires when available stock is at or under this; null: never. */
  @Column({ name: 'low_stock_threshold', type: 'integer', nullable: true })
  lowStockThreshold: number | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
