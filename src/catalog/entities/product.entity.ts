import { Column, Entity, Index, IndexOptions, PrimaryColumn } from 'typeorm';

export enum ProductStatus {
  Draft = 'draft',
  Active = 'active',
  Archived = 'archived',
}

/** MySQL/MariaDB FULLTEXT index for word search; created by the ProductSearch migration (on SQLite: an FTS5 table instead), see there for why it is not synchronized. */
@Index('ft_products_name_description', ['name', 'description'], { fulltext: true, synchronize: false } as IndexOptions) // the typings offer synchronize only without columns; Index() honours it here too
@Entity('products')
export class Product {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('uq_products_slug', { unique: true })
  @Column({ type: 'varchar', length: 120 })
  slug: string;

  @Index('ix_products_name')
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Index('ix_products_status')
  @Column({ type: 'varchar', length: 16 })
  status: ProductStatus;

  @Column({ type: 'varchar', length: 100, nullable: true })
  brand: string | null;

  /** Free-form key → value map (validated in the DTO), stored as JSON text. */
  @Column({ type: 'simple-json' })
  attributes: Record<string, string>;

  /** Bumped on every change of the product or of one of its variants; the ETag carries it. */
  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
