import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Product images: one row per uploaded image, its files described as JSON text; removed with the product. */
export class ProductImages1764460800000 implements MigrationInterface {
  name = 'ProductImages1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'product_images',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'product_id', type: 'varchar', length: '36' },
          { name: 'position', type: 'integer' },
          { name: 'alt', type: 'varchar', length: '200', isNullable: true },
          { name: 'width', type: 'integer' },
          { name: 'height', type: 'integer' },
          { name: 'original', type: 'text' },
          { name: 'renditions', type: 'text' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'ix_product_images_product_position', columnNames: ['product_id', 'position'] }],
        foreignKeys: [
          {
            name: 'fk_product_images_product',
            columnNames: ['product_id'],
            referencedTableName: 'products',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('product_images');
  }
}
