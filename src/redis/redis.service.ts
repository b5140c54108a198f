import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { once } from 'node:events';
import { Redis, ReplyError } from 'ioredis';
import { AppConfig } from '../config/app-config';

/** Thrown instead of calling Redis while the circuit is open: the caller uses its local fallback at once. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** How often an open circuit checks whether Redis answers again. */
const PROBE_INTERVAL_MS = 500;

/**
 * The process's one Redis connection, when REDIS_URL is set (`client` is undefined otherwise),
 * behind a circuit breaker. The cache, the rate limits and the sign-in counters call Redis through
 * `run()`; when a command fails (Redis down, or frozen and timing out after
 * REDIS_COMMAND_TIMEOUT_MS) the circuit opens: further calls fail at once without touching the
 * network, so every caller uses its in-process fallback instead of each request waiting for a
 * timeout. A background PING every PROBE_INTERVAL_MS closes the circuit when Redis answers again,
 * after the recovery steps registered with `onRecovery` (the cache's invalidations) have run.
 * Readiness reports the state. Closed after the HTTP server on shutdown.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis | undefined;
  /** Put in front of every key, so several deployments (or test runs) can share one Redis. */
  readonly keyPrefix: string;
  private readonly logger = new Logger(RedisService.name);
  private readonly recoverySteps: ((client: Redis) => Promise<void>)[] = [];
  private openSince: number | undefined;
  private lastFailure: string | undefined;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly config: AppConfig) {
    this.keyPrefix = config.redis.keyPrefix;
    if (!config.redis.url) return;
    this.client = new Redis(config.redis.url, {
      connectionName: 'emporium',
      commandTimeout: config.redis.commandTimeoutMs,
      connectTimeout: config.redis.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      // Fail at once while disconnected rather than queue commands until the timeout.
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    });
    // Reconnection is ioredis's job; its errors are reported through the circuit instead.
    this.client.on('error', () => undefined);
  }

  /** Waits (at most REDIS_COMMAND_TIMEOUT_MS) for the first connection; without it the app starts with the circuit open. */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'ready') return;
    const timeout = AbortSignal.timeout(this.config.redis.commandTimeoutMs);
    try {
      await once(client, 'ready', { signal: timeout });
    } catch {
      this.open(new Error(`no connection within ${this.config.redis.commandTimeoutMs} ms`));
    }
  }

  /** Whether calls go to Redis now (false while the circuit is open, or without REDIS_URL). */
  get available(): boolean {
    return this.client !== undefined && this.openSince === undefined;
  }

  /** Since when (ms) Redis has been failing, and why; undefined while it answers. */
  get outage(): { since: number; reason: string } | undefined {
    return this.openSince === undefined ? undefined : { since: this.openSince, reason: this.lastFailure ?? 'unknown' };
  }

  /** The key with this deployment's prefix, e.g. `emporium:cache:tag:products`. */
  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  /**
   * Runs a command against Redis unless the circuit is open. A failure to reach Redis (refused,
   * closed, timed out) opens it; an error Redis itself answered (a ReplyError) does not.
   */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client) throw new RedisUnavailableError('REDIS_URL is not set');
    if (this.openSince !== undefined) throw new RedisUnavailableError(`Redis is unavailable since ${new Date(this.openSince).toISOString()}`);
    try {
      return await command(client);
    } catch (error) {
      if (!(error instanceof ReplyError)) this.open(error);
      throw error;
    }
  }

  /** A step to run (on the client directly) after an outage, before calls go to Redis again; retried until it succeeds. */
  onRecovery(step: (client: Redis) => Promise<void>): void {
    this.recoverySteps.push(step);
  }

  /**
   * Opens the circuit although Redis answered: for a write whose failure would leave stale data
   * readable (a cache invalidation Redis refused). Recovery then runs as after an outage.
   */
  trip(error: unknown): void {
    if (this.client) this.open(error);
  }

  private open(error: unknown): void {
    this.lastFailure = error instanceof Error ? error.message : String(error);
    if (this.openSince !== undefined) return;
    this.openSince = Date.now();
    this.logger.warn({ event: 'redis.circuit_open', err: error }, `Redis failed (${this.lastFailure}); using in-process fallbacks until it answers again`);
    this.probe = setInterval(() => void this.tryClose(), PROBE_INTERVAL_MS).unref();
  }

  private async tryClose(): Promise<void> {
    const client = this.client;
    if (this.probing || !client) return;
    this.probing = true;
    try {
      await client.ping();
      for (const step of this.recoverySteps) await step(client);
      clearInterval(this.probe);
      const downMs = Date.now() - (this.openSince ?? Date.now());
      this.openSince = undefined;
      this.logger.log({ event: 'redis.circuit_closed', downMs }, `Redis answers again after ${Math.round(downMs / 1000)} s`);
    } catch (error) {
      this.lastFailure = error instanceof Error ? error.message : String(error);
    } finally {
      this.probing = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.probe);
    const client = this.client;
    if (!client || client.status === 'end') return;
    if (client.status !== 'ready') {
      client.disconnect();
      return;
    }
    // QUIT lets queued replies arrive; a Redis that stops answering must not hold up the exit.
    await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    client.disconnect();
  }
}
