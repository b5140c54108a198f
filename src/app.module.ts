import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { AccessGuard } from './auth/access.guard';
import { AuthModule } from './auth/auth.module';
import { CartsModule } from './carts/carts.module';
import { CatalogModule } from './catalog/catalog.module';
import { CacheModule } from './cache/cache.module';
import { Draining, TrackHandlersInterceptor } from './common/http/draining';
import { TimeoutInterceptor } from './common/http/timeout.interceptor';
import { ProblemDetailsFilter } from './common/problem/problem-details.filter';
import { AccountRateLimitGuard, AddressRateLimitGuard, ThrottlingModule } from './common/throttling/throttling';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CustomersModule } from './customers/customers.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { HousekeepingModule } from './housekeeping/housekeeping.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { InventoryModule } from './inventory/inventory.module';
import { MediaModule } from './media/media.module';
import { ObservabilityModule } from './observability/observability.module';
import { OrdersModule } from './orders/orders.module';
import { PricingModule } from './pricing/pricing.module';
import { RedisModule } from './redis/redis.module';
import { StorageModule } from './storage/storage.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logDestination?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(logDestination),
        DatabaseModule.forRoot(config),
        RedisModule,
        HousekeepingModule,
        CacheModule,
        ThrottlingModule,
        HealthModule,
        AuthModule,
        UsersModule,
        StorageModule,
        MediaModule,
        CatalogModule,
        CustomersModule,
        CartsModule,
        IdempotencyModule,
        PricingModule,
        InventoryModule,
        OrdersModule,
      ],
      providers: [
        // Guards run in this order: the address budget first, so rejected credentials still count;
        // the account budget once the caller is known.
        { provide: APP_GUARD, useExisting: AddressRateLimitGuard },
        { provide: APP_GUARD, useExisting: AccessGuard },
        { provide: APP_GUARD, useExisting: AccountRateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // Interceptors run outermost first: the timeout answers 503, while the tracker keeps counting the handler until it ends.
        { provide: APP_INTERCEPTOR, useClass: TimeoutInterceptor },
        { provide: APP_INTERCEPTOR, useClass: TrackHandlersInterceptor },
        Draining,
      ],
    };
  }
}
