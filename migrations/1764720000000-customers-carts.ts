import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const id = (name: string) => ({ name, type: 'varchar', length: '36' });
const timestamp = (name: string, nullable = false) => ({ name, type: 'datetime', precision: 3, isNullable: nullable });
const fk = (name: string, column: string, table: string) => ({
  name,
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
  onUpdate: 'NO ACTION',
});

/** Customer profiles and addresses; carts (guest and customer) and their lines. */
export class CustomersCarts1764720000000 implements MigrationInterface {
  name = 'CustomersCarts1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'customer_profiles',
        columns: [
          { ...id('user_id'), isPrimary: true },
          { name: 'first_name', type: 'varchar', length: '100' },
          { name: 'last_name', type: 'varchar', length: '100' },
          { name: 'phone', type: 'varchar', length: '40', isNullable: true },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        foreignKeys: [fk('fk_customer_profiles_user', 'user_id', 'users')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'addresses',
        columns: [
          { ...id('id'), isPrimary: true },
          id('user_id'),
          { name: 'label', type: 'varchar', length: '50', isNullable: true },
          { name: 'full_name', type: 'varchar', length: '200' },
          { name: 'line1', type: 'varchar', length: '200' },
          { name: 'line2', type: 'varchar', length: '200', isNullable: true },
          { name: 'city', type: 'varchar', length: '100' },
          { name: 'region', type: 'varchar', length: '100', isNullable: true },
          { name: 'postal_code', type: 'varchar', length: '20' },
          { name: 'country', type: 'varchar', length: '2' },
          { name: 'phone', type: 'varchar', length: '40', isNullable: true },
          { name: 'is_default_shipping', type: 'boolean' },
          { name: 'is_default_billing', type: 'boolean' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [{ name: 'ix_addresses_user', columnNames: ['user_id'] }],
        foreignKeys: [fk('fk_addresses_user', 'user_id', 'users')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'carts',
        columns: [
          { ...id('id'), isPrimary: true },
          { ...id('user_id'), isNullable: true },
          { ...id('open_user_id'), isNullable: true },
          { name: 'guest_token_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'currency', type: 'varchar', length: '3', isNullable: true },
          { name: 'version', type: 'integer' },
          timestamp('expires_at', true),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_carts_user', columnNames: ['user_id'] },
          { name: 'uq_carts_open_user', columnNames: ['open_user_id'], isUnique: true },
          { name: 'uq_carts_guest_token_hash', columnNames: ['guest_token_hash'], isUnique: true },
        ],
        foreignKeys: [fk('fk_carts_user', 'user_id', 'users')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'cart_lines',
        columns: [
          { ...id('id'), isPrimary: true },
          id('cart_id'),
          id('variant_id'),
          { name: 'quantity', type: 'integer' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'uq_cart_lines_cart_variant', columnNames: ['cart_id', 'variant_id'], isUnique: true },
          { name: 'ix_cart_lines_variant', columnNames: ['variant_id'] },
        ],
        foreignKeys: [fk('fk_cart_lines_cart', 'cart_id', 'carts'), fk('fk_cart_lines_variant', 'variant_id', 'product_variants')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cart_lines');
    await queryRunner.dropTable('carts');
    await queryRunner.dropTable('addresses');
    await queryRunner.dropTable('customer_profiles');
  }
}
