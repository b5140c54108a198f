import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { parseArgs } from 'node:util';
import { AppModule } from '../../app.module';
import { ConfigError, loadConfig, readEnvFile } from '../../config/app-config';
import { TransactionService } from '../../database/transaction.service';
import { DEMO_STOCK_QUANTITY, stockAllVariants } from '../../inventory/inventory.seeder';
import { DemoPricingBootstrap } from '../../pricing/pricing.seeder';
import { CatalogSeeder } from '../catalog.seeder';

const USAGE = `Usage: npm run seed -- [count] [--force] [--seed <n>] [--stock <n>]

Writes a demo catalog (category tree, products with variants, brands and attributes) to the
configured database (DATABASE_URL, or the SQLite file at DATABASE_SQLITE_PATH), stocks every
variant in the location "main" and adds the demo shipping and tax rates when there are no rates
yet, so the catalog can be checked out. Pending migrations are applied first unless
DATABASE_MIGRATIONS_RUN=false.

  count     products to create (default 200)
  --force   add them even when the catalog already has products (otherwise nothing is written)
  --seed    PRNG seed; the same seed gives the same catalog (default fixed)
  --stock   units of every variant received into "main" after the products are written
            (default ${DEMO_STOCK_QUANTITY}, at most 1000000; 0 writes no stock)`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      seed: { type: 'string' },
      stock: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const count = Number(positionals[0] ?? 200);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const stock = values.stock === undefined ? DEMO_STOCK_QUANTITY : Number(values.stock);
  if (
    !Number.isInteger(count) ||
    count < 0 ||
    count > 1_000_000 ||
    (seed !== undefined && !Number.isInteger(seed)) ||
    !Number.isInteger(stock) ||
    stock < 0 ||
    stock > 1_000_000
  ) {
    console.error(`seed: count, --seed and --stock must be whole numbers (count and --stock up to 1000000)\n\n${USAGE}`);
    process.exit(2);
  }
  readEnvFile();
  // The start-up demo seed would otherwise fill an empty catalog first and this run would skip.
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, SEED_DEMO_DATA: 'false', ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  try {
    app.useLogger(app.get(Logger));
    const result = await app.get(CatalogSeeder).seed(count, { force: values.force, seed });
    const where = config.database.url ? 'the MySQL database' : config.database.sqlitePath;
    if (result.skipped) {
      console.log(`the catalog in ${where} already has products; nothing written (use --force to add more)`);
    } else {
      console.log(
        `seeded ${result.products} products, ${result.variants} variants and ${result.categoriesCreated} new categories in ${where} (${result.durationMs} ms)`,
      );
      if (stock > 0) {
        const stocked = await app.get(TransactionService).run((manager) => stockAllVariants(manager, stock));
        console.log(`stocked ${stocked.variants} variants with ${stock} units each in location "main"`);
      }
      if (await app.get(DemoPricingBootstrap).seed()) console.log('added the demo shipping and tax rates');
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
