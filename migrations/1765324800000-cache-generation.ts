import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** The count of cache-invalidating writes, one row (see src/cache/cache-generations.ts). */
export class CacheGeneration1765324800000 implements MigrationInterface {
  name = 'CacheGeneration1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'cache_generation',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'generation', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO cache_generation (id, generation) VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cache_generation');
  }
}
