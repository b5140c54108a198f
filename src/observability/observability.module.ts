import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger } from './logger';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger }],
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => ({
        pinoHttp: {
          logger,
          autoLogging: false,
          quietReqLogger: true,
          genReqId: (request) => (request as { id?: string }).id ?? '',
        },
      }),
    }),
  ],
  providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger }, MetricsService],
  controllers: [MetricsController],
  exports: [ROOT_LOGGER, MetricsService],
})
export class ObservabilityModule {}
