import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { TransactionService } from '../database/transaction.service';
import { CacheGenerations } from './cache-generations';

/** Database reads of the generation that this test answers by hand, in the order they were started. */
function heldReads() {
  const started: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  const tx = {
    autocommit: () => new Promise<number>((resolve, reject) => started.push({ resolve, reject })),
  } as Partial<TransactionService> as TransactionService;
  return { generations: new CacheGenerations(tx), started };
}

describe('CacheGenerations.current', () => {
  it('answers every caller from a read started after its call, one read at a time, shared by all who wait for it', async () => {
    const { generations, started } = heldReads();
    const first = generations.current();
    const waiting = [generations.current(), generations.current()];
    expect(started).toHaveLength(1);

    // The first read may have begun before the two others asked: they get the next one.
    started[0].resolve(5);
    expect(await first).toBe(5);
    await tick();
    expect(started).toHaveLength(2);
    const late = generations.current();
    started[1].resolve(6);
    expect(await Promise.all(waiting)).toEqual([6, 6]);

    await tick();
    expect(started).toHaveLength(3);
    started[2].resolve(7);
    expect(await late).toBe(7);
  });

  it('gives a failed read to its callers only; those waiting get the next read', async () => {
    const { generations, started } = heldReads();
    const first = generations.current();
    const waiting = generations.current();
    started[0].reject(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    started[1].resolve(9);
    expect(await waiting).toBe(9);
    // Nothing running: a new caller starts a read of its own at once.
    const alone = generations.current();
    expect(started).toHaveLength(3);
    started[2].resolve(9);
    expect(await alone).toBe(9);
  });
});
