import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const timestamp = (name: string) => ({ name, type: 'datetime', precision: 3 });

/** Revoked access tokens (signed-out sessions, accounts whose roles changed), read by every instance. */
export class AccessRevocations1765065600000 implements MigrationInterface {
  name = 'AccessRevocations1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'access_revocations',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'user_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'min_user_version', type: 'integer', isNullable: true },
          timestamp('created_at'),
          timestamp('expires_at'),
        ],
        indices: [
          { name: 'ix_access_revocations_created', columnNames: ['created_at'] },
          { name: 'ix_access_revocations_expires', columnNames: ['expires_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('access_revocations');
  }
}
