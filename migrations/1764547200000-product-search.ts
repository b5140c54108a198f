import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Word search over product names and descriptions (GET /v1/products?q=).
 *
 * The schema builder has no portable full-text API, so this migration is dialect-specific on
 * purpose:
 * - MySQL/MariaDB: a FULLTEXT index (InnoDB) for MATCH ... AGAINST. The entity declares it too
 *   (`ft_products_name_description`, `synchronize: false`): declared so nobody mistakes it for an
 *   orphan, not synchronized because on SQLite the schema builder would turn the fulltext flag into
 *   an ordinary B-tree index over (name, description), which is useless and large. Search tests on
 *   MySQL fail without the index (MATCH needs it), which is what proves it exists.
 * - SQLite: an FTS5 table over the products rows (external content: it stores only the index and
 *   reads the text from `products` by rowid), kept in sync by triggers. A later migration that
 *   recreates the products table (TypeORM does so on SQLite for some column changes) drops these
 *   triggers and renumbers rowids: it must recreate the triggers and run the 'rebuild' below.
 */
export class ProductSearch1764547200000 implements MigrationInterface {
  name = 'ProductSearch1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'better-sqlite3') {
      await queryRunner.query('CREATE FULLTEXT INDEX `ft_products_name_description` ON `products` (`name`, `description`)');
      return;
    }
    await queryRunner.query(
      `CREATE VIRTUAL TABLE "products_fts" USING fts5("name", "description", content='products', tokenize='unicode61 remove_diacritics 2')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "products_fts_ai" AFTER INSERT ON "products" BEGIN
         INSERT INTO "products_fts"(rowid, "name", "description") VALUES (new.rowid, new."name", new."description");
       END`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "products_fts_ad" AFTER DELETE ON "products" BEGIN
         INSERT INTO "products_fts"("products_fts", rowid, "name", "description") VALUES ('delete', old.rowid, old."name", old."description");
       END`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "products_fts_au" AFTER UPDATE OF "name", "description" ON "products" BEGIN
         INSERT INTO "products_fts"("products_fts", rowid, "name", "description") VALUES ('delete', old.rowid, old."name", old."description");
         INSERT INTO "products_fts"(rowid, "name", "description") VALUES (new.rowid, new."name", new."description");
       END`,
    );
    await queryRunner.query(`INSERT INTO "products_fts"("products_fts") VALUES ('rebuild')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'better-sqlite3') {
      await queryRunner.query('DROP INDEX `ft_products_name_description` ON `products`');
      return;
    }
    for (const trigger of ['products_fts_ai', 'products_fts_ad', 'products_fts_au']) await queryRunner.query(`DROP TRIGGER "${trigger}"`);
    await queryRunner.query('DROP TABLE "products_fts"');
  }
}
