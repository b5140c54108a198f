/** One counted hit: the window's count, and whether the key is blocked (times in whole seconds). */
export interface RateLimitRecord {
  totalHits: number;
  /** Seconds until the current window ends. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until the block ends (0 when not blocked). */
  timeToBlockExpire: number;
}

/**
 * Fixed-window counters: one hit on `key` in a window of `ttl` ms; past `limit` hits the key is
 * blocked for `blockDuration` ms (hits meanwhile are refused, not counted).
 */
export interface RateLimitStorage {
  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<RateLimitRecord>;
}

export const RATE_LIMIT_STORAGE = Symbol('RateLimitStorage');
