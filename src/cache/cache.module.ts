import { Global, Module } from '@nestjs/common';
import { CacheGenerations } from './cache-generations';
import { CacheService } from './cache.service';

/** CacheService for every module: in memory, or in Redis when REDIS_URL is set. */
@Global()
@Module({ providers: [CacheService, CacheGenerations], exports: [CacheService] })
export class CacheModule {}
