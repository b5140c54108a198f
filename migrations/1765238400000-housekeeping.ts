import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Leases of scheduled jobs (one instance per tick), and the indexes the purges select by. */
export class Housekeeping1765238400000 implements MigrationInterface {
  name = 'Housekeeping1765238400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'job_leases',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '64' },
          { name: 'lease_until', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await queryRunner.createIndex('carts', new TableIndex({ name: 'ix_carts_expires', columnNames: ['expires_at'] }));
    await queryRunner.createIndex('refresh_tokens', new TableIndex({ name: 'ix_refresh_tokens_expires', columnNames: ['expires_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('refresh_tokens', 'ix_refresh_tokens_expires');
    await queryRunner.dropIndex('carts', 'ix_carts_expires');
    await queryRunner.dropTable('job_leases');
  }
}
