import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ProductVariant } from '../../catalog/entities/product-variant.entity';
import { Cart } from './cart.entity';

/** One variant in a cart with its quantity. No price: prices are read from the catalog whenever the cart is. */
@Entity('cart_lines')
@Index('uq_cart_lines_cart_variant', ['cartId', 'variantId'], { unique: true })
export class CartLine {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'cart_id', type: 'varchar', length: 36 })
  cartId: string;

  @ManyToOne(() => Cart, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cart_id', foreignKeyConstraintName: 'fk_cart_lines_cart' })
  cart?: Cart;

  @Index('ix_cart_lines_variant')
  @Column({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  @ManyToOne(() => ProductVariant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'variant_id', foreignKeyConstraintName: 'fk_cart_lines_variant' })
  variant?: ProductVariant;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
