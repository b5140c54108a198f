import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const id = (name: string) => ({ name, type: 'varchar', length: '36' });
const timestamp = (name: string) => ({ name, type: 'datetime', precision: 3 });
const fk = (name: string, column: string, table: string, onDelete: 'CASCADE' | 'RESTRICT') => ({
  name,
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete,
  onUpdate: 'NO ACTION',
});

/** The catalog core: the category tree, products, their variants and category links. */
export class Catalog1764374400000 implements MigrationInterface {
  name = 'Catalog1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The path holds only hex ids and slashes. On MySQL, ASCII keeps its index within InnoDB's
    // 3072-byte key limit (utf8mb4 would need 4000 bytes) and binary comparison suits LIKE 'prefix%'.
    const asciiPath = queryRunner.connection.driver.options.type === 'better-sqlite3' ? {} : { charset: 'ascii', collation: 'ascii_bin' };
    await queryRunner.createTable(
      new Table({
        name: 'categories',
        columns: [
          { ...id('id'), isPrimary: true },
          { ...id('parent_id'), isNullable: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'slug', type: 'varchar', length: '120' },
          { name: 'path', type: 'varchar', length: '1000', ...asciiPath },
          { name: 'position', type: 'integer' },
          { name: 'version', type: 'integer' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_categories_parent', columnNames: ['parent_id'] },
          { name: 'uq_categories_slug', columnNames: ['slug'], isUnique: true },
          { name: 'ix_categories_path', columnNames: ['path'] },
        ],
        foreignKeys: [fk('fk_categories_parent', 'parent_id', 'categories', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'products',
        columns: [
          { ...id('id'), isPrimary: true },
          { name: 'slug', type: 'varchar', length: '120' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'brand', type: 'varchar', length: '100', isNullable: true },
          { name: 'attributes', type: 'text' },
          { name: 'version', type: 'integer' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'uq_products_slug', columnNames: ['slug'], isUnique: true },
          { name: 'ix_products_name', columnNames: ['name'] },
          { name: 'ix_products_status', columnNames: ['status'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'product_variants',
        columns: [
          { ...id('id'), isPrimary: true },
          id('product_id'),
          { name: 'sku', type: 'varchar', length: '64' },
          { name: 'options', type: 'text' },
          { name: 'price_amount', type: 'integer' },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'compare_at_amount', type: 'integer', isNullable: true },
          { name: 'weight_grams', type: 'integer', isNullable: true },
          { name: 'barcode', type: 'varchar', length: '64', isNullable: true },
          { name: 'version', type: 'integer' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_product_variants_product', columnNames: ['product_id'] },
          { name: 'uq_product_variants_sku', columnNames: ['sku'], isUnique: true },
          { name: 'ix_product_variants_price', columnNames: ['price_amount'] },
        ],
        foreignKeys: [fk('fk_product_variants_product', 'product_id', 'products', 'CASCADE')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'product_categories',
        columns: [
          { ...id('product_id'), isPrimary: true },
          { ...id('category_id'), isPrimary: true },
        ],
        indices: [{ name: 'ix_product_categories_category', columnNames: ['category_id'] }],
        foreignKeys: [
          fk('fk_product_categories_product', 'product_id', 'products', 'CASCADE'),
          fk('fk_product_categories_category', 'category_id', 'categories', 'CASCADE'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('product_categories');
    await queryRunner.dropTable('product_variants');
    await queryRunner.dropTable('products');
    await queryRunner.dropTable('categories');
  }
}
