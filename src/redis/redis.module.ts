import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';

/** The shared Redis connection (when REDIS_URL is set), for the cache, rate limits and readiness. */
@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
