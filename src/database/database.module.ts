import { DynamicModule, Global, Logger as NestLogger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ROOT_LOGGER } from '../observability/observability.module';
import { buildDataSourceOptions } from './data-source-options';
import { runMigrationsExclusively } from './database-startup';
import { TransactionService } from './transaction.service';

/** Routes TypeORM's messages into the application log; slow queries are warnings with their SQL (never parameters). */
class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug({ event: 'db.query_failed', query, error: String(error) }, 'query failed');
  }

  logQuerySlow(durationMs: number, query: string): void {
    this.logger.warn({ event: 'db.slow_query', durationMs, query }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

/**
 * The data source. Migrations run right after it connects and before any other module starts, under
 * a database-wide lock (runMigrationsExclusively) so that instances starting together take turns.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    let logger: Logger;
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ROOT_LOGGER],
          useFactory: async (root: Logger) => {
            logger = root.child({ context: 'Database' });
            return {
              ...(await buildDataSourceOptions(config.database)),
              migrationsRun: false,
              logger: new DatabaseLogger(),
              retryAttempts: config.isProduction ? 10 : 1,
              retryDelay: 2_000,
            };
          },
          dataSourceFactory: async (options?: DataSourceOptions) => {
            const dataSource = await new DataSource(options as DataSourceOptions).initialize();
            if (config.database.migrationsRun) await runMigrationsExclusively(dataSource, config.database, logger);
            return dataSource;
          },
        }),
      ],
      providers: [TransactionService],
      exports: [TransactionService],
    };
  }
}
