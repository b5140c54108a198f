import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, RuleViolationError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { EntitySql, entitySql, execute } from '../database/compiled-sql';
import { isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { IdempotencyKey } from './idempotency-key.entity';

/** How often each instance deletes expired keys. */
export const IDEMPOTENCY_PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** What the owner of a claim needs to finish it: only the holder of this exact claim may complete or release it. */
export interface IdempotencyClaim {
  id: string;
  lockedAt: Date;
}

export interface RecordedResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface IdempotencyStatements {
  key: EntitySql<IdempotencyKey>;
  /** Params: 'completed', status, body, headers, then the claim: id, 'in_progress', lockedAt. */
  complete: string;
  /** Params: the claim: id, 'in_progress', lockedAt. */
  release: string;
}

export type ClaimOutcome = { kind: 'claimed'; claim: IdempotencyClaim } | { kind: 'replay'; response: RecordedResponse };

/**
 * Idempotency keys in the database, so they hold across processes and instances. A key is
 * claimed by INSERT (the unique index on scope + key lets exactly one request win); the winner
 * runs the operation and records its answer, which later requests with the same key replay.
 * Every write goes through TransactionService so it is serialized with other transactions on SQLite.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private purgeTimer: NodeJS.Timeout | undefined;
  private purging: Promise<unknown> | undefined;
  private compiled?: IdempotencyStatements;

  constructor(
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.purging ??= this.purgeExpired()
        .catch((error: unknown) => this.logger.warn({ event: 'idempotency.purge_failed', err: error }, 'purging expired idempotency keys failed'))
        .finally(() => (this.purging = undefined));
    }, IDEMPOTENCY_PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.purging;
  }

  /**
   * Claims `key` for this request, or says what to do instead: replay the recorded answer, 422
   * when the key was used with another request, 409 while its first request is still running.
   * A claim whose owner has held it longer than the lock timeout (a crashed process) is taken over.
   */
  async claim(scope: string, key: string, requestHash: string): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = new Date();
      const id = uuidv7();
      try {
        await this.tx.run((manager) => {
          const { sql, params } = this.statements(manager).key.insert([
            {
              id,
              scope,
              idemKey: key,
              requestHash,
              state: 'in_progress',
              responseStatus: null,
              responseBody: null,
              responseHeaders: null,
              lockedAt: now,
              createdAt: now,
              expiresAt: new Date(now.getTime() + this.config.idempotency.ttlHours * 3_600_000),
            },
          ]);
          return execute(manager, sql, params);
        });
        return { kind: 'claimed', claim: { id, lockedAt: now } };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }

      const existing = await this.tx.run((manager) =>
        manager
          .createQueryBuilder(IdempotencyKey, 'k')
          .select(['k.id', 'k.requestHash', 'k.state', 'k.responseStatus', 'k.responseBody', 'k.responseHeaders', 'k.lockedAt', 'k.expiresAt'])
          .where('k.scope = :scope AND k.idemKey = :key', { scope, key })
          .getOne(),
      );
      if (!existing) continue; // released (5xx) or purged in between: try to claim it again
      if (existing.expiresAt.getTime() <= now.getTime()) {
        // Expired but not yet purged: it is as good as gone.
        await this.tx.run((manager) =>
          manager
            .createQueryBuilder()
            .delete()
            .from(IdempotencyKey)
            .where('id = :id AND expires_at <= :now', { id: existing.id, now })
            .execute(),
        );
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new RuleViolationError(
          'This Idempotency-Key was already used with a different request (method, path or body); use a new key for a new request.',
        );
      }
      if (existing.state === 'completed') {
        return {
          kind: 'replay',
          response: { status: existing.responseStatus ?? 200, body: existing.responseBody ?? undefined, headers: existing.responseHeaders ?? {} },
        };
      }
      const staleBefore = new Date(now.getTime() - this.config.idempotency.lockTimeoutSeconds * 1000);
      if (existing.lockedAt.getTime() < staleBefore.getTime()) {
        // Only one taker wins: the UPDATE matches the old lock time, which the winner replaces.
        const result = await this.tx.run((manager) =>
          manager
            .createQueryBuilder()
            .update(IdempotencyKey)
            .set({ lockedAt: now })
            .where('id = :id AND state = :state AND locked_at = :lockedAt', { id: existing.id, state: 'in_progress', lockedAt: existing.lockedAt })
            .execute(),
        );
        if (result.affected === 1) {
          this.logger.warn({ event: 'idempotency.taken_over', id: existing.id }, 'took over an idempotency key whose request never finished');
          return { kind: 'claimed', claim: { id: existing.id, lockedAt: now } };
        }
      }
      throw new ConflictError('A request with this Idempotency-Key is still being processed; retry after it has finished.');
    }
    throw new ConflictError('This Idempotency-Key is being claimed and released concurrently; retry.');
  }

  /** Records the answer to replay. False when the claim was lost (taken over) meanwhile. */
  async complete(claim: IdempotencyClaim, response: RecordedResponse): Promise<boolean> {
    const affected = await this.tx.run((manager) => {
      const { complete, key } = this.statements(manager);
      return execute(manager, complete, [
        key.value('state', 'completed'),
        key.value('responseStatus', response.status),
        key.value('responseBody', response.body ?? null),
        key.value('responseHeaders', response.headers),
        claim.id,
        key.value('state', 'in_progress'),
        key.value('lockedAt', claim.lockedAt),
      ]);
    });
    return affected === 1;
  }

  /** Gives the key back (after a server error or a "busy" answer), so that a retry runs the operation again. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.tx.run((manager) => {
      const { release, key } = this.statements(manager);
      return execute(manager, release, [claim.id, key.value('state', 'in_progress'), key.value('lockedAt', claim.lockedAt)]);
    });
  }

  /** claim()'s INSERT, complete()'s and release()'s conditional writes, compiled once per dialect (see database/compiled-sql). */
  private statements(manager: EntityManager): IdempotencyStatements {
    if (!this.compiled) {
      const key = entitySql(manager, IdempotencyKey);
      const claimed = `WHERE ${key.col('id')} = ? AND ${key.col('state')} = ? AND ${key.col('lockedAt')} = ?`;
      this.compiled = {
        key,
        complete:
          `UPDATE ${key.table} SET ${key.col('state')} = ?, ${key.col('responseStatus')} = ?, ${key.col('responseBody')} = ?, ` +
          `${key.col('responseHeaders')} = ? ${claimed}`,
        release: `DELETE FROM ${key.table} ${claimed}`,
      };
    }
    return this.compiled;
  }

  /** Deletes keys past their time to live (IDEMPOTENCY_TTL_HOURS); returns how many. */
  async purgeExpired(now = new Date()): Promise<number> {
    const result = await this.tx.run((manager) =>
      manager.createQueryBuilder().delete().from(IdempotencyKey).where('expires_at <= :now', { now }).execute(),
    );
    return result.affected ?? 0;
  }
}
