import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { RedisService } from '../redis/redis.service';

/** Tag tokens only need to outlive the entries stamped with them; a missing one is made anew (see cache.service.ts). */
export const TAG_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** Where CacheService keeps serialized entries and tag tokens: this process's memory, or Redis. */
export interface CacheStore {
  /** The entry (or null) and the current token of each tag, making a fresh token for a tag that has none. */
  read(key: string, tags: readonly string[]): Promise<{ entry: string | null; tokens: string[] }>;
  write(key: string, entry: string, ttlMs: number): Promise<void>;
  /** Gives each tag a new token, so every entry stamped with an older one stops matching. */
  renew(tags: readonly string[]): Promise<void>;
}

/** A bounded LRU per process (CACHE_MAX_ENTRIES entries, as many tags). Nothing is shared with other processes. */
export class MemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, string>;
  // An evicted tag gets a new random token on its next read: entries stamped with the old one just miss.
  private readonly tags: LRUCache<string, string>;

  constructor(maxEntries: number) {
    this.entries = new LRUCache({ max: maxEntries });
    this.tags = new LRUCache({ max: maxEntries, ttl: TAG_TOKEN_TTL_MS });
  }

  read(key: string, tags: readonly string[]): Promise<{ entry: string | null; tokens: string[] }> {
    const tokens = tags.map((tag) => {
      let token = this.tags.get(tag);
      if (token === undefined) {
        token = randomUUID();
        this.tags.set(tag, token);
      }
      return token;
    });
    return Promise.resolve({ entry: this.entries.get(key) ?? null, tokens });
  }

  write(key: string, entry: string, ttlMs: number): Promise<void> {
    this.entries.set(key, entry, { ttl: ttlMs });
    return Promise.resolve();
  }

  renew(tags: readonly string[]): Promise<void> {
    for (const tag of tags) this.tags.set(tag, randomUUID());
    return Promise.resolve();
  }
}

// KEYS[1] the entry, KEYS[2..] the tags; ARGV[1] a fresh token, ARGV[2] the tag TTL in ms.
// One round trip, atomic: the entry and the tokens it must match are read at the same instant.
const READ_SCRIPT = `
local out = { redis.call('GET', KEYS[1]) }
for i = 2, #KEYS do
  local token = redis.call('GET', KEYS[i])
  if not token then
    token = ARGV[1] .. ':' .. i
    redis.call('SET', KEYS[i], token, 'PX', ARGV[2])
  end
  out[i] = token
end
return out
`;

interface RedisWithCacheRead extends Redis {
  emporiumCacheRead(numKeys: number, ...keysAndArgs: string[]): Promise<(string | null)[]>;
}

/**
 * Entries and tag tokens in Redis, shared by every process with the same REDIS_URL and
 * REDIS_KEY_PREFIX. Every call goes through the circuit breaker of RedisService.
 */
export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly redis: RedisService,
    private readonly prefix: string,
  ) {
    const client = redis.client as Redis;
    if (!('emporiumCacheRead' in client)) client.defineCommand('emporiumCacheRead', { lua: READ_SCRIPT });
  }

  private entryKey(key: string): string {
    return `${this.prefix}e:${key}`;
  }

  private tagKey(tag: string): string {
    return `${this.prefix}t:${tag}`;
  }

  async read(key: string, tags: readonly string[]): Promise<{ entry: string | null; tokens: string[] }> {
    const keys = [this.entryKey(key), ...tags.map((tag) => this.tagKey(tag))];
    const [entry, ...tokens] = await this.redis.run((client) =>
      (client as RedisWithCacheRead).emporiumCacheRead(keys.length, ...keys, randomUUID(), String(TAG_TOKEN_TTL_MS)),
    );
    return { entry: entry ?? null, tokens: tokens.map(String) };
  }

  async write(key: string, entry: string, ttlMs: number): Promise<void> {
    await this.redis.run((client) => client.set(this.entryKey(key), entry, 'PX', ttlMs));
  }

  async renew(tags: readonly string[]): Promise<void> {
    if (tags.length > 0) await this.redis.run((client) => this.renewOn(client, tags));
  }

  /** renew() on the client itself, bypassing the circuit: for the recovery step that must run before it closes. */
  async renewOn(client: Redis, tags: readonly string[]): Promise<void> {
    const batch = client.multi();
    for (const tag of tags) batch.set(this.tagKey(tag), randomUUID(), 'PX', TAG_TOKEN_TTL_MS);
    const results = await batch.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis aborted the invalidation');
  }
}
