import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { MemoryThrottlerStorage, type ThrottlerStorageRecord } from './memory-throttler-storage';

// KEYS[1] the hit counter, KEYS[2] the block marker; ARGV: window ms, limit, block ms.
// A fixed window per key, counted atomically in Redis so every instance shares it; once the
// limit is passed the key stays blocked for the block duration (the throttler's default: the window).
const INCREMENT_SCRIPT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return { hits + 1, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked }
end
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return { hits, ttl, 1, tonumber(ARGV[3]) }
end
return { hits, ttl, 0, 0 }
`;

interface RedisWithIncrement extends Redis {
  emporiumThrottle(...keysAndArgs: (string | number)[]): Promise<[number, number, number, number]>;
}

/**
 * @nestjs/throttler storage in Redis, so the limits hold across every instance sharing it. While
 * Redis fails, this process counts on its own (in memory) rather than failing every request;
 * readiness reports the outage meanwhile.
 * (@nest-lab/throttler-storage-redis does the same but declares peers up to Nest 11 only, which
 * `npm ci` refuses next to Nest 12.)
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: RedisWithIncrement;
  private readonly fallback = new MemoryThrottlerStorage();
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private failing = false;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('emporiumThrottle' in redis)) redis.defineCommand('emporiumThrottle', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    this.redis = redis as RedisWithIncrement;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}${throttlerName}:${key}`;
    let reply: [number, number, number, number];
    try {
      reply = await this.redis.emporiumThrottle(`${base}:hits`, `${base}:blocked`, ttl, limit, blockDuration);
    } catch (error) {
      if (!this.failing) this.logger.warn({ event: 'throttle.redis_failed', err: error }, 'rate limits fall back to this process while Redis fails');
      this.failing = true;
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    this.failing = false;
    const [totalHits, ttlMs, blocked, blockMs] = reply;
    return {
      totalHits,
      timeToExpire: Math.ceil(ttlMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockMs / 1000),
    };
  }

  onApplicationShutdown(): void {
    this.fallback.onApplicationShutdown();
  }
}
