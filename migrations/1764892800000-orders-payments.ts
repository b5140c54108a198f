import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const id = (name: string) => ({ name, type: 'varchar', length: '36' });
const timestamp = (name: string) => ({ name, type: 'datetime', precision: 3 });
const integer = (name: string) => ({ name, type: 'integer' });

/** Orders with their lines and timeline, payments at providers and the webhook events already handled. */
export class OrdersPayments1764892800000 implements MigrationInterface {
  name = 'OrdersPayments1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          { ...id('id'), isPrimary: true },
          { ...id('user_id'), isNullable: true },
          { name: 'guest_token_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'currency', type: 'varchar', length: '3' },
          integer('subtotal_amount'),
          integer('shipping_amount'),
          integer('tax_amount'),
          integer('total_amount'),
          integer('tax_rate_bps'),
          { name: 'prices_include_tax', type: 'boolean' },
          integer('paid_amount'),
          integer('refunded_amount'),
          { name: 'shipping_address', type: 'text' },
          { name: 'checkout_scope', type: 'varchar', length: '100' },
          { name: 'checkout_key', type: 'varchar', length: '255' },
          id('cart_id'),
          timestamp('reservation_expires_at'),
          { name: 'cancel_reason', type: 'varchar', length: '100', isNullable: true },
          integer('version'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_orders_user', columnNames: ['user_id'] },
          { name: 'ix_orders_guest_token', columnNames: ['guest_token_hash'] },
          { name: 'ix_orders_email', columnNames: ['email'] },
          { name: 'ix_orders_created_at', columnNames: ['created_at'] },
          { name: 'ix_orders_status_expires', columnNames: ['status', 'reservation_expires_at'] },
          { name: 'uq_orders_checkout_key', columnNames: ['checkout_scope', 'checkout_key'], isUnique: true },
          { name: 'uq_orders_cart', columnNames: ['cart_id'], isUnique: true },
        ],
        foreignKeys: [
          { name: 'fk_orders_user', columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'order_lines',
        columns: [
          { ...id('id'), isPrimary: true },
          id('order_id'),
          id('variant_id'),
          id('product_id'),
          { name: 'sku', type: 'varchar', length: '64' },
          { name: 'product_name', type: 'varchar', length: '200' },
          { name: 'options', type: 'text' },
          integer('unit_price_amount'),
          integer('quantity'),
          integer('line_total_amount'),
          id('location_id'),
          integer('position'),
        ],
        indices: [{ name: 'ix_order_lines_order', columnNames: ['order_id'] }],
        foreignKeys: [
          { name: 'fk_order_lines_order', columnNames: ['order_id'], referencedTableName: 'orders', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'order_events',
        columns: [
          { ...id('id'), isPrimary: true },
          id('order_id'),
          { name: 'type', type: 'varchar', length: '40' },
          { name: 'from_status', type: 'varchar', length: '20', isNullable: true },
          { name: 'to_status', type: 'varchar', length: '20', isNullable: true },
          { ...id('actor_id'), isNullable: true },
          { name: 'actor_kind', type: 'varchar', length: '16' },
          { name: 'note', type: 'varchar', length: '500', isNullable: true },
          { ...integer('amount'), isNullable: true },
          timestamp('created_at'),
        ],
        indices: [{ name: 'ix_order_events_order', columnNames: ['order_id'] }],
        foreignKeys: [
          { name: 'fk_order_events_order', columnNames: ['order_id'], referencedTableName: 'orders', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'payments',
        columns: [
          { ...id('id'), isPrimary: true },
          id('order_id'),
          { name: 'provider', type: 'varchar', length: '32' },
          { name: 'reference', type: 'varchar', length: '100' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          integer('amount'),
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'failure_code', type: 'varchar', length: '64', isNullable: true },
          timestamp('created_at'),
        ],
        indices: [
          { name: 'ix_payments_order', columnNames: ['order_id'] },
          { name: 'uq_payments_provider_reference', columnNames: ['provider', 'reference'], isUnique: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'payment_webhook_events',
        columns: [
          { ...id('id'), isPrimary: true },
          { name: 'provider', type: 'varchar', length: '32' },
          { name: 'event_id', type: 'varchar', length: '100' },
          timestamp('received_at'),
        ],
        indices: [{ name: 'uq_payment_webhook_events_event', columnNames: ['provider', 'event_id'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('payment_webhook_events');
    await queryRunner.dropTable('payments');
    await queryRunner.dropTable('order_events');
    await queryRunner.dropTable('order_lines');
    await queryRunner.dropTable('orders');
  }
}
