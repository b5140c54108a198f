import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { entitySql, execute, selectRows } from '../database/compiled-sql';
import { TransactionService } from '../database/transaction.service';
import { CacheGeneration } from './entities/cache-generation.entity';

const ROW = 1;

/**
 * The database's count of cache-invalidating writes: what lets an instance that cannot reach Redis
 * keep serving cached reads from its own memory without ever serving one that a write answered
 * before the read has changed, on any instance. Every such write bumps the count in its own
 * transaction (so it cannot commit without it); an entry kept in memory is stamped with the count
 * read before its value was loaded, and is a hit only while a read of the count that started after
 * the request arrived still gives the same number.
 *
 * That read is shared: all requests that arrive while one is running wait for the next, which
 * starts when it ends, so at any load it costs one small query per database round trip, not one
 * per request, and every request still gets a count read after it arrived.
 */
@Injectable()
export class CacheGenerations {
  private running: Promise<number> | undefined;
  private next: Promise<number> | undefined;
  private compiled: { read: string; bump: string } | undefined;

  constructor(private readonly tx: TransactionService) {}

  /** In the transaction of a write that invalidates cached reads: ends every entry kept in memory before it. */
  async bump(manager: EntityManager): Promise<void> {
    await execute(manager, this.statements(manager).bump, [ROW]);
  }

  /** The count, as read by a query that started after this call. */
  current(): Promise<number> {
    if (!this.running) return this.start();
    this.next ??= this.running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<number> {
    const read = this.tx.autocommit(async (manager) => {
      const [row] = await selectRows<{ generation: number | string }>(manager, this.statements(manager).read, [ROW]);
      if (!row) throw new Error('cache_generation has no row; run the migrations');
      return Number(row.generation);
    });
    this.running = read;
    const clear = () => {
      if (this.running === read) this.running = undefined;
    };
    read.then(clear, clear);
    return read;
  }

  private statements(manager: EntityManager): { read: string; bump: string } {
    if (!this.compiled) {
      const sql = entitySql(manager, CacheGeneration);
      const [id, generation] = [sql.col('id'), sql.col('generation')];
      this.compiled = {
        read: `SELECT ${generation} AS generation FROM ${sql.table} WHERE ${id} = ?`,
        bump: `UPDATE ${sql.table} SET ${generation} = ${generation} + 1 WHERE ${id} = ?`,
      };
    }
    return this.compiled;
  }
}
