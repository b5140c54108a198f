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

/** Inventory: stock locations, stock levels per variant and location, per-variant settings, and the stock ledger. */
export class Inventory1764633600000 implements MigrationInterface {
  name = 'Inventory1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'stock_locations',
        columns: [
          { ...id('id'), isPrimary: true },
          { name: 'code', type: 'varchar', length: '32' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'address_line1', type: 'varchar', length: '200' },
          { name: 'address_city', type: 'varchar', length: '100' },
          { name: 'address_postal_code', type: 'varchar', length: '20' },
          { name: 'address_country', type: 'varchar', length: '2' },
          { name: 'latitude', type: 'decimal', precision: 9, scale: 6, isNullable: true },
          { name: 'longitude', type: 'decimal', precision: 9, scale: 6, isNullable: true },
          { name: 'priority', type: 'integer' },
          { name: 'active', type: 'boolean' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [{ name: 'uq_stock_locations_code', columnNames: ['code'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'stock_levels',
        columns: [
          { ...id('variant_id'), isPrimary: true },
          { ...id('location_id'), isPrimary: true },
          { name: 'on_hand', type: 'integer' },
          { name: 'reserved', type: 'integer' },
          timestamp('updated_at'),
        ],
        indices: [{ name: 'ix_stock_levels_location', columnNames: ['location_id'] }],
        foreignKeys: [
          fk('fk_stock_levels_variant', 'variant_id', 'product_variants', 'RESTRICT'),
          fk('fk_stock_levels_location', 'location_id', 'stock_locations', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inventory_items',
        columns: [
          { ...id('variant_id'), isPrimary: true },
          { name: 'low_stock_threshold', type: 'integer', isNullable: true },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        foreignKeys: [fk('fk_inventory_items_variant', 'variant_id', 'product_variants', 'CASCADE')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'stock_movements',
        columns: [
          { ...id('id'), isPrimary: true },
          id('variant_id'),
          id('location_id'),
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'on_hand_delta', type: 'integer' },
          { name: 'reserved_delta', type: 'integer' },
          { name: 'reason', type: 'varchar', length: '200', isNullable: true },
          { ...id('actor_id'), isNullable: true },
          { ...id('order_id'), isNullable: true },
          timestamp('created_at'),
        ],
        indices: [
          { name: 'ix_stock_movements_variant', columnNames: ['variant_id', 'id'] },
          { name: 'ix_stock_movements_location', columnNames: ['location_id', 'id'] },
          { name: 'ix_stock_movements_order', columnNames: ['order_id'] },
        ],
        foreignKeys: [
          fk('fk_stock_movements_variant', 'variant_id', 'product_variants', 'RESTRICT'),
          fk('fk_stock_movements_location', 'location_id', 'stock_locations', 'RESTRICT'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('stock_movements');
    await queryRunner.dropTable('inventory_items');
    await queryRunner.dropTable('stock_levels');
    await queryRunner.dropTable('stock_locations');
  }
}
