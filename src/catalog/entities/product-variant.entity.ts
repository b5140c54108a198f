import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Product } from './product.entity';

@Entity('product_variants')
export class ProductVariant {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_product_variants_product')
  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @ManyToOne(() => Product, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'fk_product_variants_product' })
  product?: Product;

  @Index('uq_product_variants_sku', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  sku: string;

  /** Option name → value, e.g. { size: 'M', colour: 'red' }, stored as JSON text. */
  @Column({ type: 'simple-json' })
  options: Record<string, string>;

  /** Price in minor units of `currency`. */
  @Index('ix_product_variants_price')
  @Column({ name: 'price_amount', type: 'integer' })
  priceAmount: number;

  /** ISO 4217 code; VARCHAR(3) rather than CHAR(3) because SQLite has no portable CHAR type name. */
  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ name: 'compare_at_amount', type: 'integer', nullable: true })
  compareAtAmount: number | null;

  @Column({ name: 'weight_grams', type: 'integer', nullable: true })
  weightGrams: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  barcode: string | null;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
