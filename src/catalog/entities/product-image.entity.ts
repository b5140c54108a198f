import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Product } from './product.entity';

/** One stored file of an image, as kept in the row (the URL is worked out when answering). */
export interface ProductImageFile {
  /** `original`, or `w<width>` for a WebP rendition. */
  name: string;
  /** Storage key, `products/<productId>/images/<imageId>/<file>`. */
  key: string;
  width: number;
  height: number;
  bytes: number;
  contentType: string;
}

/** An image of a product: its processed original and WebP renditions in storage, described here. */
@Entity('product_images')
@Index('ix_product_images_product_position', ['productId', 'position'])
export class ProductImage {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @ManyToOne(() => Product, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'fk_product_images_product' })
  product?: Product;

  /** Display order within the product, ascending; ties fall back to upload order. */
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  alt: string | null;

  @Column({ type: 'integer' })
  width: number;

  @Column({ type: 'integer' })
  height: number;

  @Column({ type: 'simple-json' })
  original: ProductImageFile;

  /** WebP renditions, narrowest first. */
  @Column({ type: 'simple-json' })
  renditions: ProductImageFile[];

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
