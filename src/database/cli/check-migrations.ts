import { DataSource } from 'typeorm';
import { loadConfigFromProcess } from '../../config/app-config';
import { buildDataSourceOptions } from '../data-source-options';

/**
 * Applies every migration to the configured database, then asks TypeORM's schema builder what
 * it would still change to match the entities. Any statement means entities and migrations
 * have drifted apart: print them and fail.
 */
async function main(): Promise<void> {
  const dataSource = new DataSource(await buildDataSourceOptions(loadConfigFromProcess().database));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const pending = await dataSource.driver.createSchemaBuilder().log();
    if (pending.upQueries.length > 0) {
      console.error(`Entities and migrations differ (${dataSource.options.type}); missing statements:`);
      for (const query of pending.upQueries) console.error(`  ${query.query};`);
      process.exitCode = 1;
      return;
    }
    console.log(`migration:check ok on ${dataSource.options.type}: entities and migrations agree`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
