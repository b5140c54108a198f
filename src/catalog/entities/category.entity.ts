import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** A node of the category tree. `path` lists the ids from the root down to this category. */
@Entity('categories')
export class Category {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_categories_parent')
  @Column({ name: 'parent_id', type: 'varchar', length: 36, nullable: true })
  parentId: string | null;

  @ManyToOne(() => Category, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_categories_parent' })
  parent?: Category | null;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Index('uq_categories_slug', { unique: true })
  @Column({ type: 'varchar', length: 120 })
  slug: string;

  /**
   * Materialized path `/<root id>/<child id>/.../<own id>/`: the category and its descendants are
   * exactly the rows whose path starts with this one (LIKE 'prefix%', served by the index).
   */
  @Index('ix_categories_path')
  @Column({ type: 'varchar', length: 1000 })
  path: string;

  /** Order among siblings, ascending. */
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
