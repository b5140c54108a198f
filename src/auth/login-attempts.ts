import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { TooManyRequestsError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { normalizeEmail } from '../users/users.service';

/** The longest wait imposed between two attempts before the lock itself. */
const MAX_DELAY_MS = 60_000;
/** How long an address that signed in successfully stays exempt from the account-wide lock. */
const KNOWN_ADDRESS_MS = 30 * 86_400_000;
/** In-process bookkeeping: at most this many counters (least recently used go first). */
const MEMORY_MAX_KEYS = 100_000;

/** When the next attempt on a counter is allowed, given its failures so far and the time of the last one. */
export interface AttemptPolicy {
  /** After this many failures, each further attempt waits 1 s, 2 s, 4 s, ... (at most MAX_DELAY_MS) after the previous one. */
  delayAfter: number;
  /** After this many failures, attempts wait lockMs after the last one. */
  lockAfter: number;
  lockMs: number;
}

/** Milliseconds until the policy allows another attempt (0: now). */
export function waitBeforeAttempt(failures: number, lastAt: number, now: number, policy: AttemptPolicy): number {
  let wait = 0;
  if (failures >= policy.lockAfter) wait = policy.lockMs;
  else if (failures >= policy.delayAfter) wait = Math.min(2 ** (failures - policy.delayAfter) * 1000, MAX_DELAY_MS);
  return Math.max(0, lastAt + wait - now);
}

interface Counter {
  failures: number;
  lastAt: number;
}

/**
 * Where the counters live. `attempt` is atomic: it checks every counter against its policy and,
 * only if all allow it, counts the attempt on each (as a failure until `clear` says otherwise),
 * so a burst of parallel guesses cannot all slip past the check.
 */
interface AttemptStore {
  /** 0 when counted; otherwise the milliseconds to wait, and nothing was counted. */
  attempt(counters: { key: string; policy: AttemptPolicy }[], now: number, windowMs: number): Promise<number>;
  clear(keys: string[]): Promise<void>;
  mark(key: string, ttlMs: number): Promise<void>;
  isMarked(key: string): Promise<boolean>;
}

class MemoryAttemptStore implements AttemptStore {
  private readonly counters = new LRUCache<string, Counter>({ max: MEMORY_MAX_KEYS, ttlAutopurge: false });

  attempt(counters: { key: string; policy: AttemptPolicy }[], now: number, windowMs: number): Promise<number> {
    const current = counters.map(({ key }) => this.counters.get(key) ?? { failures: 0, lastAt: 0 });
    const wait = Math.max(0, ...counters.map(({ policy }, i) => waitBeforeAttempt(current[i].failures, current[i].lastAt, now, policy)));
    if (wait > 0) return Promise.resolve(wait);
    counters.forEach(({ key }, i) => this.counters.set(key, { failures: current[i].failures + 1, lastAt: now }, { ttl: windowMs }));
    return Promise.resolve(0);
  }

  clear(keys: string[]): Promise<void> {
    for (const key of keys) this.counters.delete(key);
    return Promise.resolve();
  }

  mark(key: string, ttlMs: number): Promise<void> {
    this.counters.set(key, { failures: 0, lastAt: 0 }, { ttl: ttlMs });
    return Promise.resolve();
  }

  isMarked(key: string): Promise<boolean> {
    return Promise.resolve(this.counters.has(key));
  }
}

// KEYS: the counters (hashes f = failures, t = last attempt ms). ARGV[1] now, ARGV[2] window ms,
// then per key: delayAfter, lockAfter, lockMs, and ARGV[last] the longest delay. The same rule as
// waitBeforeAttempt(), evaluated for every key before any is counted.
const ATTEMPT_SCRIPT = `
local now = tonumber(ARGV[1])
local maxDelay = tonumber(ARGV[#ARGV])
local wait = 0
for i = 1, #KEYS do
  local state = redis.call('HMGET', KEYS[i], 'f', 't')
  local failures = tonumber(state[1] or '0')
  local lastAt = tonumber(state[2] or '0')
  local base = 2 + (i - 1) * 3
  local delayAfter, lockAfter, lockMs = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  local pause = 0
  if failures >= lockAfter then pause = lockMs
  elseif failures >= delayAfter then pause = math.min(2 ^ (failures - delayAfter) * 1000, maxDelay) end
  wait = math.max(wait, lastAt + pause - now)
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'f', 1)
  redis.call('HSET', KEYS[i], 't', ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 0
`;

interface RedisWithAttempt extends Redis {
  emporiumLoginAttempt(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
}

/** Counters in Redis, shared by every instance; while Redis fails (its circuit is open), this process counts on its own. */
class RedisAttemptStore implements AttemptStore {
  private readonly fallback = new MemoryAttemptStore();

  constructor(
    private readonly redis: RedisService,
    private readonly prefix: string,
  ) {
    const client = redis.client as Redis;
    if (!('emporiumLoginAttempt' in client)) client.defineCommand('emporiumLoginAttempt', { lua: ATTEMPT_SCRIPT });
  }

  attempt(counters: { key: string; policy: AttemptPolicy }[], now: number, windowMs: number): Promise<number> {
    const keys = counters.map(({ key }) => this.prefix + key);
    const args = counters.flatMap(({ policy }) => [policy.delayAfter, policy.lockAfter, policy.lockMs]);
    return this.guard(
      (client) => (client as RedisWithAttempt).emporiumLoginAttempt(keys.length, ...keys, now, windowMs, ...args, MAX_DELAY_MS),
      () => this.fallback.attempt(counters, now, windowMs),
    );
  }

  clear(keys: string[]): Promise<void> {
    return this.guard(
      async (client) => void (await client.del(...keys.map((key) => this.prefix + key))),
      () => this.fallback.clear(keys),
    );
  }

  mark(key: string, ttlMs: number): Promise<void> {
    return this.guard(
      async (client) => void (await client.set(this.prefix + key, '1', 'PX', ttlMs)),
      () => this.fallback.mark(key, ttlMs),
    );
  }

  isMarked(key: string): Promise<boolean> {
    return this.guard(
      async (client) => (await client.exists(this.prefix + key)) === 1,
      () => this.fallback.isMarked(key),
    );
  }

  private async guard<T>(command: (client: Redis) => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    try {
      return await this.redis.run(command);
    } catch {
      return fallback();
    }
  }
}

/**
 * Defence against password guessing on one account, on top of the per-address rate limits:
 * every attempt counts per (account, address) pair and per account, shared through Redis when it
 * is configured. Per pair, after LOGIN_DELAY_AFTER_FAILURES failures each further attempt must
 * wait a growing delay, and after LOGIN_LOCK_AFTER_FAILURES the pair is locked for
 * LOGIN_LOCK_SECONDS. The account as a whole locks only at the much higher
 * LOGIN_ACCOUNT_LOCK_AFTER_FAILURES (many addresses guessing), and never for an address that
 * signed in to it successfully before, so an attacker cannot lock a customer out of their usual
 * device. A successful sign-in resets both counts. Refused attempts are 429 with Retry-After and
 * are not counted. Unknown emails are counted the same way, so the answers reveal nothing.
 */
@Injectable()
export class LoginAttempts {
  private readonly store: AttemptStore;
  private readonly pairPolicy: AttemptPolicy;
  private readonly accountPolicy: AttemptPolicy;
  private readonly windowMs: number;

  constructor(config: AppConfig, redis: RedisService) {
    const { delayAfterFailures, lockAfterFailures, accountLockAfterFailures, lockSeconds, failureWindowSeconds } = config.login;
    this.pairPolicy = { delayAfter: delayAfterFailures, lockAfter: lockAfterFailures, lockMs: lockSeconds * 1000 };
    this.accountPolicy = { delayAfter: accountLockAfterFailures, lockAfter: accountLockAfterFailures, lockMs: lockSeconds * 1000 };
    this.windowMs = failureWindowSeconds * 1000;
    this.store = redis.client ? new RedisAttemptStore(redis, redis.key('login', '')) : new MemoryAttemptStore();
  }

  /** Counts a sign-in attempt before the password is checked; 429 while the account is locked for this address. */
  async begin(email: string, address: string): Promise<void> {
    const keys = keysOf(email, address);
    const counters = [{ key: keys.pair, policy: this.pairPolicy }];
    if (!(await this.store.isMarked(keys.known))) counters.push({ key: keys.account, policy: this.accountPolicy });
    const waitMs = await this.store.attempt(counters, Date.now(), this.windowMs);
    if (waitMs > 0) {
      throw new TooManyRequestsError(
        'Too many failed sign-ins for this account; wait for the number of seconds in Retry-After, then try again.',
        Math.ceil(waitMs / 1000),
      );
    }
  }

  /** The password was right: the counts start again, and this address may sign in even while the account is locked. */
  async succeeded(email: string, address: string): Promise<void> {
    const keys = keysOf(email, address);
    await this.store.clear([keys.pair, keys.account]);
    await this.store.mark(keys.known, KNOWN_ADDRESS_MS);
  }
}

/** Counter keys; the email is hashed so that no address book ends up in Redis. */
function keysOf(email: string, address: string) {
  const account = createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 32);
  return { pair: `pair:${account}:${address}`, account: `account:${account}`, known: `known:${account}:${address}` };
}
