import type { OnApplicationShutdown } from '@nestjs/common';
import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage';

interface Window {
  hits: number;
  /** When the current window ends (ms since the epoch). */
  expiresAt: number;
  /** When the block ends (0: not blocked). */
  blockedUntil: number;
}

/** How often windows that have ended (and are not blocked) are dropped. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * Rate-limit counters in process memory: a fixed window per key, counted in O(1), with the same
 * semantics as RedisThrottlerStorage's script: once a window has more hits than the limit, the key
 * stays blocked for the block duration (hits meanwhile are refused and not counted), and
 * Retry-After is the time left of the block.
 *
 * A sliding log (one timestamp per hit, filtered on every request) would copy thousands of entries
 * per request for a busy address with a high limit; the fixed window is O(1).
 */
export class MemoryThrottlerStorage implements RateLimitStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<RateLimitRecord> {
    return Promise.resolve(this.hit(key, ttl, limit, blockDuration));
  }

  /** The counting itself, synchronous. */
  hit(id: string, ttl: number, limit: number, blockDuration: number): RateLimitRecord {
    const now = this.now();
    let window = this.windows.get(id);
    if (window && window.blockedUntil > now) {
      return {
        totalHits: window.hits + 1,
        timeToExpire: Math.max(0, Math.ceil((window.expiresAt - now) / 1000)),
        isBlocked: true,
        timeToBlockExpire: Math.ceil((window.blockedUntil - now) / 1000),
      };
    }
    if (!window) {
      window = { hits: 0, expiresAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
    } else if (window.expiresAt <= now) {
      window.hits = 0;
      window.expiresAt = now + ttl;
    }
    window.hits++;
    const timeToExpire = Math.ceil((window.expiresAt - now) / 1000);
    if (window.hits > limit) {
      window.blockedUntil = now + blockDuration;
      return { totalHits: window.hits, timeToExpire, isBlocked: true, timeToBlockExpire: Math.ceil(blockDuration / 1000) };
    }
    return { totalHits: window.hits, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  /** Drops the windows that have ended and are not blocked, so idle addresses do not pile up. */
  sweep(): void {
    const now = this.now();
    for (const [id, window] of this.windows) {
      if (window.expiresAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }

  /** Keys currently held (for tests). */
  get size(): number {
    return this.windows.size;
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
