import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const timestamp = (name: string) => ({ name, type: 'datetime', precision: 3 });

/** Idempotency keys of money-moving POSTs, and the shipping and tax rates checkout charges by country. */
export class IdempotencyPricing1764806400000 implements MigrationInterface {
  name = 'IdempotencyPricing1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'scope', type: 'varchar', length: '80' },
          { name: 'idem_key', type: 'varchar', length: '255' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'response_status', type: 'integer', isNullable: true },
          // JSON: LONGTEXT on MariaDB, a JSON column on MySQL (answers can outgrow TEXT's 64 KiB), text on SQLite.
          { name: 'response_body', type: 'json', isNullable: true },
          { name: 'response_headers', type: 'text', isNullable: true },
          timestamp('locked_at'),
          timestamp('created_at'),
          timestamp('expires_at'),
        ],
        indices: [
          { name: 'uq_idempotency_keys_scope_key', columnNames: ['scope', 'idem_key'], isUnique: true },
          { name: 'ix_idempotency_keys_expires', columnNames: ['expires_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'shipping_rates',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'country', type: 'varchar', length: '2' },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'amount', type: 'integer' },
        ],
        indices: [{ name: 'uq_shipping_rates_country_currency', columnNames: ['country', 'currency'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tax_rates',
        columns: [
          { name: 'country', type: 'varchar', length: '2', isPrimary: true },
          { name: 'rate_bps', type: 'integer' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tax_rates');
    await queryRunner.dropTable('shipping_rates');
    await queryRunner.dropTable('idempotency_keys');
  }
}
