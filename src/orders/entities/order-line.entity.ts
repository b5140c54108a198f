import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Order } from './order.entity';

/** A line of an order: a snapshot of the variant and price at checkout, and where its stock is reserved. */
@Entity('order_lines')
export class OrderLine {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_order_lines_order')
  @Column({ name: 'order_id', type: 'varchar', length: 36 })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'fk_order_lines_order' })
  order?: Order;

  @Column({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @Column({ type: 'varchar', length: 64 })
  sku: string;

  @Column({ name: 'product_name', type: 'varchar', length: 200 })
  productName: string;

  @Column({ type: 'simple-json' })
  options: Record<string, string>;

  @Column({ name: 'unit_price_amount', type: 'integer' })
  unitPriceAmount: number;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ name: 'line_total_amount', type: 'bigint' })
  lineTotalAmount: number;

  /** The stock location the line's units are reserved at. */
  @Column({ name: 'location_id', type: 'varchar', length: 36 })
  locationId: string;

  @Column({ type: 'integer' })
  position: number;
}
