import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

type IntegerType = 'integer' | 'bigint';

/** The columns holding sums of money, by table. Unit prices stay INT, the catalog's bound. */
const MONEY_SUMS: Record<string, string[]> = {
  orders: ['subtotal_amount', 'shipping_amount', 'tax_amount', 'total_amount', 'paid_amount', 'refunded_amount'],
  order_lines: ['line_total_amount'],
  order_events: ['amount'],
  payments: ['amount'],
};

/**
 * Sums of money become BIGINT: INT stops at 2^31 − 1 minor units, which one line of the largest
 * catalog price already passes at quantity 2; an order may now come to MAX_ORDER_AMOUNT.
 *
 * Dialect-specific on purpose, and keeping every stored amount:
 * - MySQL/MariaDB: one ALTER TABLE ... MODIFY per table (InnoDB copies the table; writes to it wait
 *   meanwhile). The schema builder's changeColumn would DROP each column and ADD it again, which
 *   resets every amount to 0.
 * - SQLite: the schema builder's changeColumns, which recreates each table and copies its rows.
 * Down fails on MySQL/MariaDB (out of range) while any amount is beyond INT, rather than cut it.
 */
export class MoneyBigint1764979200000 implements MigrationInterface {
  name = 'MoneyBigint1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await retypeMoneySums(queryRunner, 'bigint');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await retypeMoneySums(queryRunner, 'integer');
  }
}

async function retypeMoneySums(queryRunner: QueryRunner, type: IntegerType): Promise<void> {
  if (queryRunner.connection.driver.options.type === 'better-sqlite3') {
    await retypeOnSqlite(queryRunner, type);
    return;
  }
  const { driver } = queryRunner.connection;
  const sqlType = type === 'bigint' ? 'BIGINT' : 'INT';
  for (const [tableName, columnNames] of Object.entries(MONEY_SUMS)) {
    const table = await tableNamed(queryRunner, tableName);
    const modify = columnNames.map((name) => {
      const column = columnNamed(table, name);
      return `MODIFY ${driver.escape(column.name)} ${sqlType} ${column.isNullable ? 'NULL' : 'NOT NULL'}`;
    });
    await queryRunner.query(`ALTER TABLE ${driver.escape(tableName)} ${modify.join(', ')}`);
  }
}

/**
 * Recreating a table drops the old one, and dropping `orders` where foreign keys are enforced
 * deletes its lines and events (ON DELETE CASCADE). TypeORM turns enforcement off before `up`, but
 * a revert opens its transaction first, where SQLite ignores the switch. So the foreign keys
 * pointing at the recreated tables are taken off for the change and put back after, which checks
 * every row again.
 */
async function retypeOnSqlite(queryRunner: QueryRunner, type: IntegerType): Promise<void> {
  const retyped = new Set(Object.keys(MONEY_SUMS));
  const pointingAtRetyped = (await queryRunner.getTables()).flatMap((table) =>
    table.foreignKeys.filter((foreignKey) => retyped.has(foreignKey.referencedTableName)).map((foreignKey) => ({ tableName: table.name, foreignKey })),
  );
  for (const { tableName, foreignKey } of pointingAtRetyped) await queryRunner.dropForeignKey(tableName, foreignKey);
  for (const [tableName, columnNames] of Object.entries(MONEY_SUMS)) {
    const table = await tableNamed(queryRunner, tableName);
    await queryRunner.changeColumns(
      table,
      columnNames.map((name) => {
        const oldColumn = columnNamed(table, name);
        return { oldColumn, newColumn: Object.assign(oldColumn.clone(), { type }) };
      }),
    );
  }
  for (const { tableName, foreignKey } of pointingAtRetyped) await queryRunner.createForeignKey(tableName, foreignKey);
}

async function tableNamed(queryRunner: QueryRunner, name: string): Promise<Table> {
  const table = await queryRunner.getTable(name);
  if (!table) throw new Error(`table ${name} does not exist`);
  return table;
}

function columnNamed(table: Table, name: string): TableColumn {
  const column = table.findColumnByName(name);
  if (!column) throw new Error(`column ${table.name}.${name} does not exist`);
  return column;
}
