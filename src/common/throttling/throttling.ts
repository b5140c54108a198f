import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { RedisService } from '../../redis/redis.service';
import { MemoryThrottlerStorage } from './memory-throttler-storage';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/** Metadata that puts a controller or handler under the stricter `auth` limit as well. */
export const STRICT_THROTTLE = 'emporium:strictThrottle';

const isStrict = (context: ExecutionContext): boolean =>
  Boolean(Reflect.getMetadata(STRICT_THROTTLE, context.getHandler()) ?? Reflect.getMetadata(STRICT_THROTTLE, context.getClass()));

/**
 * Rate limits per client address: a general one on every route, and a stricter one on the routes
 * marked STRICT_THROTTLE (sign-in, registration, token refresh). Counters are fixed windows kept in
 * memory, or in Redis when REDIS_URL is set, so that every instance counts against the same limit.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService) => {
        const ttl = config.throttle.ttlSeconds * 1000;
        return {
          storage: redis.client ? new RedisThrottlerStorage(redis.client, redis.key('throttle', '')) : new MemoryThrottlerStorage(),
          errorMessage: 'Too many requests; wait for the number of seconds in Retry-After, then try again.',
          throttlers: [
            { name: 'default', ttl, limit: config.throttle.limit },
            { name: 'auth', ttl, limit: config.throttle.authLimit, skipIf: (context) => !isStrict(context) },
          ],
        };
      },
    }),
  ],
  exports: [ThrottlerModule],
})
export class ThrottlingModule {}

/**
 * ThrottlerGuard names the header after the throttler (`Retry-After-auth`); clients expect `Retry-After`.
 * Keys are the route, throttler and address in plain text: the default hashes them with SHA-256 on
 * every request, which buys nothing for a key that only ever reaches this process or Redis.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${throttlerName}-${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', Math.max(1, Math.ceil(detail.timeToBlockExpire)));
    return super.throwThrottlingException(context, detail);
  }
}
