import type { Redis } from 'ioredis';
import type { RedisService } from '../../redis/redis.service';
import { MemoryThrottlerStorage } from './memory-throttler-storage';
import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage';

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
 * Rate-limit counters in Redis, so the limits hold across every instance sharing it. While Redis
 * fails (RedisService's circuit is open, which it logs), this process counts on its own in memory
 * rather than failing or delaying every request; readiness reports the outage meanwhile.
 */
export class RedisThrottlerStorage implements RateLimitStorage {
  private readonly fallback = new MemoryThrottlerStorage();

  constructor(
    private readonly redis: RedisService,
    private readonly prefix: string,
  ) {
    const client = redis.client as Redis;
    if (!('emporiumThrottle' in client)) client.defineCommand('emporiumThrottle', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<RateLimitRecord> {
    const base = `${this.prefix}${key}`;
    let reply: [number, number, number, number];
    try {
      reply = await this.redis.run((client) => (client as RedisWithIncrement).emporiumThrottle(`${base}:hits`, `${base}:blocked`, ttl, limit, blockDuration));
    } catch {
      return this.fallback.increment(key, ttl, limit, blockDuration);
    }
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
