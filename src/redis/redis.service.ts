import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config';

/**
 * The process's one Redis connection, when REDIS_URL is set (`client` is undefined otherwise).
 * The cache, the rate-limit storage and readiness share it. It connects in the background and
 * reconnects forever; while Redis is away, commands fail within REDIS_COMMAND_TIMEOUT_MS instead
 * of queueing, and readiness reports it. Closed after the HTTP server on shutdown.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis | undefined;
  /** Put in front of every key, so several deployments (or test runs) can share one Redis. */
  readonly keyPrefix: string;
  private readonly logger = new Logger(RedisService.name);
  private lastError: string | undefined;

  constructor(config: AppConfig) {
    this.keyPrefix = config.redis.keyPrefix;
    if (!config.redis.url) return;
    this.client = new Redis(config.redis.url, {
      connectionName: 'emporium',
      commandTimeout: config.redis.commandTimeoutMs,
      connectTimeout: config.redis.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    });
    this.client.on('error', (error: Error) => {
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.logger.warn({ event: 'redis.error', err: error }, `Redis: ${error.message}`);
    });
    this.client.on('ready', () => {
      if (this.lastError) this.logger.log({ event: 'redis.ready' }, 'Redis is reachable again');
      this.lastError = undefined;
    });
  }

  /** The key with this deployment's prefix, e.g. `emporium:cache:tag:products`. */
  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  async onApplicationShutdown(): Promise<void> {
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
