import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const id = (name: string) => ({ name, type: 'varchar', length: '36' });
const timestamp = (name: string, isNullable = false) => ({ name, type: 'datetime', precision: 3, isNullable });

export class Identity1764288000000 implements MigrationInterface {
  name = 'Identity1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // MySQL's default collation folds accents ('jose' = 'josé'); uniqueness of the lower-cased
    // email must compare exact characters, as SQLite's default BINARY collation does.
    const exactCollation = queryRunner.connection.driver.options.type === 'better-sqlite3' ? {} : { collation: 'utf8mb4_bin' };
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { ...id('id'), isPrimary: true },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'email_normalized', type: 'varchar', length: '254', ...exactCollation },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'name', type: 'varchar', length: '100', isNullable: true },
          { name: 'version', type: 'integer' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'uq_users_email_normalized', columnNames: ['email_normalized'], isUnique: true },
          { name: 'ix_users_created_at', columnNames: ['created_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'user_roles',
        columns: [
          { ...id('user_id'), isPrimary: true },
          { name: 'role', type: 'varchar', length: '32', isPrimary: true },
        ],
        foreignKeys: [
          {
            name: 'fk_user_roles_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { ...id('id'), isPrimary: true },
          id('family_id'),
          id('user_id'),
          { name: 'token_hash', type: 'varchar', length: '64' },
          timestamp('expires_at'),
          timestamp('used_at', true),
          timestamp('revoked_at', true),
          timestamp('created_at'),
        ],
        indices: [
          { name: 'ix_refresh_tokens_family', columnNames: ['family_id'] },
          { name: 'ix_refresh_tokens_user', columnNames: ['user_id'] },
          { name: 'uq_refresh_tokens_hash', columnNames: ['token_hash'], isUnique: true },
        ],
        foreignKeys: [
          {
            name: 'fk_refresh_tokens_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('user_roles');
    await queryRunner.dropTable('users');
  }
}
