import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { RedisService, RedisUnavailableError } from '../redis/redis.service';
import { CacheGenerations } from './cache-generations';
import { CacheStore, MemoryCacheStore, RedisCacheStore } from './cache.store';

/**
 * What get() saw: pass it to set() after loading the value, so the entry is stamped with the tag
 * tokens read *before* the load (see the class comment).
 */
export interface CacheLookup<T> {
  hit: boolean;
  value: T | undefined;
  stamp: CacheStamp;
}

/**
 * Opaque: the key and the tag tokens current when get() ran (none when the store failed), or,
 * while Redis is unreachable, the database's cache generation.
 */
export interface CacheStamp {
  readonly key: string;
  readonly tokens: readonly string[] | undefined;
  readonly generation?: number;
}

/** A value kept in this process while Redis is unreachable, with the generation read before it was loaded. */
interface OutageEntry {
  generation: number;
  value: unknown;
}

interface Envelope {
  /** The tag tokens the entry was stamped with. */
  t: readonly string[];
  v: unknown;
}

/**
 * A cache of JSON values with tag-based invalidation, in this process (a bounded LRU) or, with
 * REDIS_URL set, in Redis shared by every instance.
 *
 * Invalidation by tag tokens (versioned namespaces): each tag (`product:42`, `catalog:products`)
 * has a random token. An entry stores the tokens of its tags *as read before its value was
 * loaded*, and a read counts as a hit only while every token still matches. `invalidate(tags)`
 * gives those tags new tokens: one atomic Redis transaction, whatever the number of entries, after
 * which no process can get a hit on anything stamped before it; the dead entries just expire.
 * Why this and not deleting keys:
 * - a reader that loaded the old value before a write and stores it after the write's
 *   invalidation stamps it with the old token, so it never hits (deleting keys loses this race);
 * - no SCAN/KEYS over a shared Redis, and no list of keys per tag to keep consistent;
 * - a tag token that expires or is evicted comes back as a new random token, which can only
 *   cause misses, never stale hits.
 * The contract for writers: change the data and `recordChange(manager)` in one transaction, then
 * `await invalidate(tags)` before answering; a read that starts after that never sees the old
 * value, on any instance sharing the Redis or the database.
 *
 * While Redis is unreachable (RedisService's circuit is open) entries are kept in this process
 * instead, stamped with the database's cache generation, which every invalidating write bumps in
 * its transaction (`recordChange`), and served only while it is unchanged (CacheGenerations): no
 * waiting for Redis, no stale read on any instance, and a cached read costs a share of one small
 * query instead of the handler's. An invalidation that cannot reach Redis never fails the write
 * it follows (that is committed): its tags are kept, the circuit is opened, and before Redis is
 * used again the tags are renewed together with the EPOCH tag that every entry carries, which ends
 * every entry stored before the outage, whichever instance could not invalidate what.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);
  private readonly store: CacheStore;
  private readonly defaultTtlMs: number;
  /** Entries kept in this process while Redis is unreachable (with Redis configured only). */
  private readonly duringOutage: LRUCache<string, OutageEntry> | undefined;

  /** Tags whose invalidation could not reach Redis yet. */
  private readonly pendingTags = new Set<string>();

  constructor(
    config: AppConfig,
    private readonly redis: RedisService,
    private readonly generations: CacheGenerations,
  ) {
    this.defaultTtlMs = config.cache.ttlSeconds * 1000;
    if (redis.client) {
      const store = new RedisCacheStore(redis, redis.key('cache', ''));
      redis.onRecovery((client) => this.renewAfterOutage(store, client));
      this.store = store;
      this.duringOutage = new LRUCache({ max: config.cache.maxEntries, ttl: this.defaultTtlMs });
    } else {
      this.store = new MemoryCacheStore(config.cache.maxEntries);
    }
  }

  /** Whether entries live in Redis (shared) or in this process. */
  get shared(): boolean {
    return this.store instanceof RedisCacheStore;
  }

  /** Looks `key` up; a hit needs every tag unchanged since the entry was stored. */
  async get<T>(key: string, tags: readonly string[] = []): Promise<CacheLookup<T>> {
    const sortedTags = normalize(tags);
    try {
      const { entry, tokens } = await this.store.read(key, sortedTags);
      const stamp = { key, tokens };
      if (entry === null) return { hit: false, value: undefined, stamp };
      const envelope = JSON.parse(entry) as Envelope;
      const fresh = envelope.t.length === tokens.length && envelope.t.every((token, i) => token === tokens[i]);
      return fresh ? { hit: true, value: envelope.v as T, stamp } : { hit: false, value: undefined, stamp };
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) this.logger.warn({ event: 'cache.read_failed', err: error, key }, 'cache read failed; using this process\'s memory');
      return this.getDuringOutage(key);
    }
  }

  private async getDuringOutage<T>(key: string): Promise<CacheLookup<T>> {
    let generation: number;
    try {
      if (!this.duringOutage) throw new Error('no Redis configured');
      generation = await this.generations.current();
    } catch {
      return { hit: false, value: undefined, stamp: { key, tokens: undefined } };
    }
    const kept = this.duringOutage.get(key);
    const stamp = { key, tokens: undefined, generation };
    return kept?.generation === generation ? { hit: true, value: kept.value as T, stamp } : { hit: false, value: undefined, stamp };
  }

  /** Stores a value loaded after `get()` returned `stamp`. JSON values only; `undefined` is not stored. */
  async set(stamp: CacheStamp, value: unknown, ttlSeconds?: number): Promise<void> {
    if (value === undefined) return;
    if (stamp.generation !== undefined) {
      this.duringOutage?.set(stamp.key, { generation: stamp.generation, value }, { ttl: ttlSeconds ? ttlSeconds * 1000 : this.defaultTtlMs });
      return;
    }
    if (!stamp.tokens) return;
    const envelope: Envelope = { t: stamp.tokens, v: value };
    try {
      await this.store.write(stamp.key, JSON.stringify(envelope), ttlSeconds ? ttlSeconds * 1000 : this.defaultTtlMs);
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) this.logger.warn({ event: 'cache.write_failed', err: error, key: stamp.key }, 'cache write failed');
    }
  }

  /** get(), and on a miss load() and set(): the race-safe way to fill the cache. */
  async wrap<T>(key: string, tags: readonly string[], load: () => Promise<T>, ttlSeconds?: number): Promise<T> {
    const lookup = await this.get<T>(key, tags);
    if (lookup.hit) return lookup.value as T;
    const value = await load();
    await this.set(lookup.stamp, value, ttlSeconds);
    return value;
  }

  /**
   * In the transaction of a write whose tags are invalidated after it commits: ends every entry
   * kept in memory during a Redis outage, on every instance, atomically with the write.
   */
  recordChange(manager: EntityManager): Promise<void> {
    return this.generations.bump(manager);
  }

  /**
   * Ends every entry carrying one of these tags, on every instance sharing the store. Never throws:
   * when Redis cannot be reached the tags are renewed on recovery, and no entry is served meanwhile.
   */
  async invalidate(tags: readonly string[]): Promise<void> {
    const sorted = [...new Set(tags)].sort();
    try {
      await this.store.renew(sorted);
    } catch (error) {
      for (const tag of sorted) this.pendingTags.add(tag);
      this.redis.trip(error);
      this.logger.warn({ event: 'cache.invalidation_deferred', err: error, tags: sorted }, 'cache invalidation deferred until Redis answers; no entries are served meanwhile');
    }
  }

  /** Before Redis is used again: every entry from before the outage ends, and the deferred tags are renewed. */
  private async renewAfterOutage(store: RedisCacheStore, client: Redis): Promise<void> {
    const tags = [EPOCH_TAG, ...this.pendingTags];
    await store.renewOn(client, tags);
    for (const tag of tags) this.pendingTags.delete(tag);
  }
}

/** A tag on every entry: renewing it ends them all (after a Redis outage). */
const EPOCH_TAG = '#epoch';

function normalize(tags: readonly string[]): string[] {
  return [...new Set([EPOCH_TAG, ...tags])].sort();
}
