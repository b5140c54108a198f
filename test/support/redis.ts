import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the Redis tests use; CI sets TEST_REDIS_URL=redis://127.0.0.1:6379. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether a Redis answers PING at TEST_REDIS_URL within a second. Synchronous (a child node
 * process), because the skip decision is made while test files are collected.
 */
export function redisReachable(): boolean {
  const url = new URL(TEST_REDIS_URL);
  const probe = `
    const socket = require('node:net').connect(${Number(url.port || 6379)}, ${JSON.stringify(url.hostname)});
    socket.setTimeout(1000, () => process.exit(1));
    socket.on('error', () => process.exit(1));
    socket.on('connect', () => socket.write('PING\\r\\n'));
    socket.on('data', (data) => process.exit(/PONG|NOAUTH/.test(String(data)) ? 0 : 1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

/**
 * Redis tests run when Redis answers; they are skipped only locally (CI !== 'true') without one,
 * so CI fails instead of silently skipping them.
 */
export const skipRedisTests = process.env.CI !== 'true' && !redisReachable();

/** A key prefix of its own for one test file (REDIS_KEY_PREFIX), so parallel files never share keys. */
export function uniqueRedisPrefix(): string {
  return `emporium-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Removes every key under `prefix`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
