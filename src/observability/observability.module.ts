import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger } from './logger';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Global()
@Module({})
export class ObservabilityModule {
  /** `logDestination` replaces stdout, so tests can read the log lines. */
  static forRoot(logDestination?: DestinationStream): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [ROOT_LOGGER],
          useFactory: (logger: Logger) => ({
            // No per-request middleware: the request line is written by http-observability, and every
            // other line gets requestId and userId from the request context (the logger's mixin).
            pinoHttp: { logger, autoLogging: false },
            forRoutes: [],
          }),
        }),
      ],
      providers: [
        { provide: ROOT_LOGGER, inject: [AppConfig], useFactory: (config: AppConfig) => createRootLogger(config, logDestination) },
        MetricsService,
      ],
      controllers: [MetricsController],
      exports: [ROOT_LOGGER, MetricsService],
    };
  }
}
