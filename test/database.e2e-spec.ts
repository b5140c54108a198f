import { setImmediate as tick } from 'node:timers/promises';
import { DataSource, EntityManager, QueryFailedError, Table } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forUpdate, isUniqueViolation } from '../src/database/query-helpers';
import { TransactionService } from '../src/database/transaction.service';
import { onMysql, startTestApp, TEST_METRICS_TOKEN, TestApp } from './support/test-app';

const SCRATCH = 'tx_scratch';
const LOCK_TIMEOUT_SECONDS = 2;
const RETRIES = 3;

/** Resolves for everyone once `parties` callers have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

const selectValue = (manager: EntityManager, id: number) =>
  manager.createQueryBuilder().select('s.value', 'value').from(SCRATCH, 's').where('s.id = :id', { id });

async function lockedValue(manager: EntityManager, id: number): Promise<number> {
  const row = await forUpdate(selectValue(manager, id)).getRawOne<{ value: number | string }>();
  return Number(row?.value);
}

async function setValue(manager: EntityManager, id: number, value: number): Promise<void> {
  await manager.createQueryBuilder().update(SCRATCH).set({ value }).where('id = :id', { id }).execute();
}

describe('database', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let tx: TransactionService;
  beforeAll(async () => {
    t = await startTestApp({
      DATABASE_LOCK_TIMEOUT_SECONDS: String(LOCK_TIMEOUT_SECONDS),
      DATABASE_TRANSACTION_RETRIES: String(RETRIES),
    });
    dataSource = t.get(DataSource);
    tx = t.get(TransactionService);
    const runner = dataSource.createQueryRunner();
    await runner.createTable(
      new Table({
        name: SCRATCH,
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          { name: 'value', type: 'int' },
        ],
      }),
    );
    await runner.release();
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    await dataSource.createQueryBuilder().delete().from(SCRATCH).execute();
    await dataSource.createQueryBuilder().insert().into(SCRATCH).values([{ id: 1, value: 0 }, { id: 2, value: 0 }]).execute();
  });

  const retriesCounted = async (reason: string) => {
    const text = (await t.request('GET', '/metrics', { token: TEST_METRICS_TOKEN })).body as string;
    return Number(new RegExp(`^db_transaction_retries_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };

  const valueOf = async (id: number) => Number((await selectValue(dataSource.manager, id).getRawOne<{ value: number | string }>())?.value);

  describe('TransactionService', () => {
    it('keeps 20 concurrent read-then-write transactions from interleaving', async () => {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          tx.run(async (manager) => {
            const value = await lockedValue(manager, 1);
            await tick();
            await setValue(manager, 1, value + 1);
          }),
        ),
      );
      expect(await valueOf(1)).toBe(20);
    });

    it.skipIf(!onMysql)('retries the loser of a real deadlock, so both transactions commit', async () => {
      const attempts = { forward: 0, backward: 0 };
      const bothHoldTheirFirstRow = barrier(2);
      const bumpBoth = (name: keyof typeof attempts, first: number, second: number) =>
        tx.run(async (manager) => {
          attempts[name]++;
          const firstValue = await lockedValue(manager, first);
          await bothHoldTheirFirstRow();
          const secondValue = await lockedValue(manager, second);
          await setValue(manager, first, firstValue + 1);
          await setValue(manager, second, secondValue + 1);
          return name;
        });

      await expect(Promise.all([bumpBoth('forward', 1, 2), bumpBoth('backward', 2, 1)])).resolves.toEqual(['forward', 'backward']);
      expect(attempts.forward + attempts.backward).toBe(3);
      expect([await valueOf(1), await valueOf(2)]).toEqual([2, 2]);
    });

    it.skipIf(!onMysql)('retries a transaction whose lock wait timed out', async () => {
      let releaseHolder!: () => void;
      const holderMayCommit = new Promise<void>((resolve) => (releaseHolder = resolve));
      const holderHasLock = barrier(2);
      const holder = dataSource.transaction(async (manager) => {
        await lockedValue(manager, 1);
        await holderHasLock();
        await holderMayCommit;
        await setValue(manager, 1, 100);
      });
      await holderHasLock();

      let attempts = 0;
      const waiter = tx.run(async (manager) => {
        if (++attempts > 1) releaseHolder();
        const value = await lockedValue(manager, 1);
        await setValue(manager, 1, value + 1);
      });
      await Promise.all([holder, waiter]);
      expect(attempts).toBe(2);
      expect(await valueOf(1)).toBe(101);
    });

    it('gives up after DATABASE_TRANSACTION_RETRIES retries of a retryable failure, and counts each retry in the metrics', async () => {
      const counted = await retriesCounted('deadlock');
      let attempts = 0;
      const deadlock = new QueryFailedError('SELECT 1', [], Object.assign(new Error('Deadlock found'), { errno: 1213 }));
      await expect(
        tx.run(() => {
          attempts++;
          return Promise.reject(deadlock);
        }),
      ).rejects.toBe(deadlock);
      expect(attempts).toBe(RETRIES + 1);
      expect(await retriesCounted('deadlock')).toBe(counted + RETRIES);
    });

    it('does not retry a failure that would fail again, and rolls it back', async () => {
      let attempts = 0;
      const outcome = tx.run(async (manager) => {
        attempts++;
        await setValue(manager, 2, 42);
        await manager.createQueryBuilder().insert().into(SCRATCH).values({ id: 1, value: 0 }).execute();
      });
      await expect(outcome).rejects.toSatisfy(isUniqueViolation);
      expect(attempts).toBe(1);
      expect(await valueOf(2)).toBe(0);
    });
  });

  describe('lock timeout from DATABASE_LOCK_TIMEOUT_SECONDS', () => {
    it.skipIf(!onMysql)('is set on every pooled MySQL connection', async () => {
      const allConnectionsOpen = barrier(3);
      const sessions = await Promise.all(
        Array.from({ length: 3 }, () =>
          dataSource.transaction(async (manager) => {
            const [row] = await manager.query('SELECT @@SESSION.innodb_lock_wait_timeout AS timeout, CONNECTION_ID() AS id');
            await allConnectionsOpen();
            return { timeout: Number(row.timeout), id: String(row.id) };
          }),
        ),
      );
      expect(new Set(sessions.map((session) => session.id)).size).toBe(3);
      expect(sessions.map((session) => session.timeout)).toEqual([2, 2, 2]);
    });

    it.skipIf(onMysql)('is the SQLite busy timeout', async () => {
      expect(await dataSource.query('PRAGMA busy_timeout')).toEqual([{ timeout: LOCK_TIMEOUT_SECONDS * 1000 }]);
    });
  });
});
