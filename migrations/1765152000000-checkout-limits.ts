import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

const timestamp = (name: string, isNullable = false) => ({ name, type: 'datetime', precision: 3, isNullable });

/**
 * Abuse defences of checkout and payments, and idempotency claims with an owner:
 * - orders: the client address they were placed from (caps per address) and the payment attempt
 *   in progress (one capture at a time reaches the provider);
 * - unpaid_order_holds: what each client address, email and customer holds in unpaid orders;
 * - idempotency_keys.owner: the request holding a claim, which a heartbeat keeps alive.
 */
export class CheckoutLimits1765152000000 implements MigrationInterface {
  name = 'CheckoutLimits1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('orders', [
      new TableColumn({ name: 'client_address', type: 'varchar', length: '45', isNullable: true }),
      new TableColumn({ name: 'payment_attempt_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn(timestamp('payment_attempt_at', true)),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'unpaid_order_holds',
        columns: [
          { name: 'subject', type: 'varchar', length: '100', isPrimary: true },
          { name: 'orders', type: 'integer' },
          { name: 'units', type: 'integer' },
          timestamp('updated_at'),
        ],
      }),
    );
    await queryRunner.addColumn('idempotency_keys', new TableColumn({ name: 'owner', type: 'varchar', length: '36', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('idempotency_keys', 'owner');
    await queryRunner.dropTable('unpaid_order_holds');
    await queryRunner.dropColumns('orders', ['payment_attempt_at', 'payment_attempt_id', 'client_address']);
  }
}
