import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Category } from './category.entity';
import { Product } from './product.entity';

@Entity('product_categories')
export class ProductCategory {
  @PrimaryColumn({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @Index('ix_product_categories_category')
  @PrimaryColumn({ name: 'category_id', type: 'varchar', length: 36 })
  categoryId: string;

  @ManyToOne(() => Product, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'fk_product_categories_product' })
  product?: Product;

  @ManyToOne(() => Category, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'category_id', foreignKeyConstraintName: 'fk_product_categories_category' })
  category?: Category;
}
