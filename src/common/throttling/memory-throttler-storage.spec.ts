import { afterEach, describe, expect, it } from 'vitest';
import { MemoryThrottlerStorage } from './memory-throttler-storage';

describe('MemoryThrottlerStorage (fixed window, like the Redis script)', () => {
  let clock = 1_000_000;
  const storage = new MemoryThrottlerStorage(() => clock);
  afterEach(() => storage.onApplicationShutdown());

  it('counts hits in a window and blocks past the limit for the block duration', async () => {
    const hit = () => storage.increment('client-a', 60_000, 3, 60_000);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    clock += 1_500;
    expect(await hit()).toMatchObject({ totalHits: 2, timeToExpire: 59, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: false });
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 59, isBlocked: true, timeToBlockExpire: 60 });
    clock += 30_000;
    // Blocked: refused, not counted, Retry-After is what is left of the block.
    expect(await hit()).toEqual({ totalHits: 5, timeToExpire: 29, isBlocked: true, timeToBlockExpire: 30 });
    expect(await hit()).toMatchObject({ totalHits: 5, isBlocked: true });
    clock += 30_000;
    // The block and the window have ended: a fresh window.
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('keeps keys apart', async () => {
    await storage.increment('client-b', 60_000, 1, 60_000);
    expect((await storage.increment('client-b', 60_000, 1, 60_000)).isBlocked).toBe(true);
    expect((await storage.increment('auth:client-b', 60_000, 1, 60_000)).isBlocked).toBe(false);
    expect((await storage.increment('client-c', 60_000, 1, 60_000)).isBlocked).toBe(false);
  });

  it('blocks again after a short block while the window still holds more hits than the limit', async () => {
    const hit = () => storage.increment('client-d', 60_000, 1, 5_000);
    await hit();
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: true, timeToBlockExpire: 5 });
    clock += 5_000;
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 5 });
  });

  it('drops ended windows on sweep, but not blocked ones', async () => {
    const sweeping = new MemoryThrottlerStorage(() => clock);
    await sweeping.increment('idle', 1_000, 10, 1_000);
    await sweeping.increment('abuser', 1_000, 0, 120_000);
    clock += 2_000;
    sweeping.sweep();
    expect(sweeping.size).toBe(1);
    clock += 120_000;
    sweeping.sweep();
    expect(sweeping.size).toBe(0);
    sweeping.onApplicationShutdown();
  });
});
