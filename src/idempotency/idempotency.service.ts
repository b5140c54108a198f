import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, RuleViolationError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { EntitySql, entitySql, execute } from '../database/compiled-sql';
import { deleteBatch, isUniqueViolation } from '../database/query-helpers';
import { retryInBackground, startHeartbeat } from '../database/retry-in-background';
import { TransactionService } from '../database/transaction.service';
import { Purges } from '../housekeeping/purges';
import { IdempotencyKey } from './idempotency-key.entity';

/** How often a claim's owner proves it is alive, as a share of IDEMPOTENCY_LOCK_TIMEOUT_SECONDS. */
const HEARTBEATS_PER_TIMEOUT = 4;

/** What the owner of a claim needs to finish it: only the holder of this exact claim may complete or release it. */
export interface IdempotencyClaim {
  id: string;
  owner: string;
}

export interface RecordedResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface IdempotencyStatements {
  key: EntitySql<IdempotencyKey>;
  /** Params: 'completed', status, body, headers, then the claim: id, owner, 'in_progress'. */
  complete: string;
  /** Params: the claim: id, owner, 'in_progress'. */
  release: string;
  /** Params: now, then the claim: id, owner, 'in_progress'. */
  heartbeat: string;
}

export type ClaimOutcome = { kind: 'claimed'; claim: IdempotencyClaim } | { kind: 'replay'; response: RecordedResponse };

/**
 * Idempotency keys in the database, so they hold across processes and instances. A key is
 * claimed by INSERT (the unique index on scope + key lets exactly one request win); the winner
 * runs the operation and records its answer, which later requests with the same key replay.
 *
 * A claim stays alive by its owner's heartbeat (`hold()`): a process that dies mid-request stops
 * beating, and its claim can be taken over IDEMPOTENCY_LOCK_TIMEOUT_SECONDS later (seconds, not a
 * minute). Settling a claim (recording the answer, or giving the key back after a server error)
 * is retried in the background while the database is unreachable, so a client's retry succeeds as
 * soon as the database is back instead of meeting "still in progress" until the claim times out.
 * Every write goes through TransactionService so it is serialized with other transactions on SQLite.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private compiled?: IdempotencyStatements;
  /** Claims whose settling is being retried in the background. */
  private readonly settling = new Set<Promise<void>>();

  constructor(
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
    private readonly purges: Purges,
  ) {}

  /** Keys past IDEMPOTENCY_TTL_HOURS are deleted by the periodic purge. */
  onModuleInit(): void {
    this.purges.register({
      table: 'idempotency_keys',
      deleteBatch: (size) => this.tx.run((manager) => deleteBatch(manager, IdempotencyKey, 'e.expiresAt <= :now', { now: new Date() }, size)),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.settling);
  }

  /**
   * Claims `key` for this request, or says what to do instead: replay the recorded answer, 422
   * when the key was used with another request, 409 while its first request is still running.
   * A claim whose owner has stopped beating (a crashed process) is taken over.
   */
  async claim(scope: string, key: string, requestHash: string): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = new Date();
      const claim = { id: uuidv7(), owner: randomUUID() };
      try {
        await this.tx.run((manager) => {
          const { sql, params } = this.statements(manager).key.insert([
            {
              id: claim.id,
              scope,
              idemKey: key,
              requestHash,
              state: 'in_progress',
              responseStatus: null,
              responseBody: null,
              responseHeaders: null,
              owner: claim.owner,
              lockedAt: now,
              createdAt: now,
              expiresAt: new Date(now.getTime() + this.config.idempotency.ttlHours * 3_600_000),
            },
          ]);
          return execute(manager, sql, params);
        });
        return { kind: 'claimed', claim };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }

      const existing = await this.tx.run((manager) =>
        manager
          .createQueryBuilder(IdempotencyKey, 'k')
          .select(['k.id', 'k.requestHash', 'k.state', 'k.responseStatus', 'k.responseBody', 'k.responseHeaders', 'k.owner', 'k.lockedAt', 'k.expiresAt'])
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
      const silentSince = new Date(now.getTime() - this.config.idempotency.lockTimeoutSeconds * 1000);
      if (existing.lockedAt.getTime() < silentSince.getTime()) {
        // Only one taker wins: the UPDATE matches the dead owner's last heartbeat, which the winner replaces.
        const taken = { id: existing.id, owner: randomUUID() };
        const result = await this.tx.run((manager) =>
          manager
            .createQueryBuilder()
            .update(IdempotencyKey)
            .set({ owner: taken.owner, lockedAt: now })
            .where('id = :id AND state = :state AND locked_at = :lockedAt', { id: existing.id, state: 'in_progress', lockedAt: existing.lockedAt })
            .execute(),
        );
        if (result.affected === 1) {
          this.logger.warn({ event: 'idempotency.taken_over', id: existing.id }, 'took over an idempotency key whose request never finished');
          return { kind: 'claimed', claim: taken };
        }
      }
      throw new ConflictError('A request with this Idempotency-Key is still being processed; retry after it has finished.');
    }
    throw new ConflictError('This Idempotency-Key is being claimed and released concurrently; retry.');
  }

  /**
   * Runs `work` while keeping the claim alive with a heartbeat, then settles it: records
   * `record(outcome)`, or gives the key back when that is undefined. Settling that fails (the
   * database is unreachable) goes on in the background, with the heartbeat, until it lands or the
   * claim would have timed out anyway; the caller's answer never waits for it.
   */
  async hold<T>(claim: IdempotencyClaim, work: () => Promise<T>, record: (outcome: { value?: T; error?: unknown }) => RecordedResponse | undefined): Promise<T> {
    const stopHeartbeat = startHeartbeat((this.config.idempotency.lockTimeoutSeconds * 1000) / HEARTBEATS_PER_TIMEOUT, () => this.beat(claim));
    let outcome: { value?: T; error?: unknown };
    try {
      outcome = { value: await work() };
    } catch (error) {
      outcome = { error };
    }
    const response = record(outcome);
    const settled = this.settle(claim, response).finally(stopHeartbeat);
    this.settling.add(settled);
    void settled.finally(() => this.settling.delete(settled));
    if ('error' in outcome) throw outcome.error;
    return outcome.value as T;
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
        claim.owner,
        key.value('state', 'in_progress'),
      ]);
    });
    return affected === 1;
  }

  /** Gives the key back (after a server error or a refusal before any work), so that a retry runs the operation again. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.tx.run((manager) => {
      const { release, key } = this.statements(manager);
      return execute(manager, release, [claim.id, claim.owner, key.value('state', 'in_progress')]);
    });
  }

  private settle(claim: IdempotencyClaim, response: RecordedResponse | undefined): Promise<void> {
    const id = claim.id;
    return retryInBackground(
      async () => {
        if (!response) await this.release(claim);
        else if (!(await this.complete(claim, response))) {
          this.logger.warn({ event: 'idempotency.claim_lost', id }, 'the idempotency key was taken over before its request finished');
        }
      },
      this.config.idempotency.lockTimeoutSeconds * 1000,
      {
        retrying: (error) => this.logger.warn({ event: 'idempotency.settle_retrying', id, err: error }, 'settling an idempotency key failed; retrying in the background'),
        landed: (attempts) => this.logger.log({ event: 'idempotency.settled_late', id, attempts }, 'idempotency key settled once the database answered'),
        gaveUp: (error) => this.logger.error({ event: 'idempotency.settle_failed', id, err: error }, 'could not settle an idempotency key; it frees itself when its claim times out'),
      },
    );
  }

  private beat(claim: IdempotencyClaim): Promise<unknown> {
    return this.tx.run((manager) => {
      const { heartbeat, key } = this.statements(manager);
      return execute(manager, heartbeat, [key.value('lockedAt', new Date()), claim.id, claim.owner, key.value('state', 'in_progress')]);
    });
  }

  /** The conditional writes of a claim, compiled once per dialect (see database/compiled-sql). */
  private statements(manager: EntityManager): IdempotencyStatements {
    if (!this.compiled) {
      const key = entitySql(manager, IdempotencyKey);
      const claimed = `WHERE ${key.col('id')} = ? AND ${key.col('owner')} = ? AND ${key.col('state')} = ?`;
      this.compiled = {
        key,
        complete:
          `UPDATE ${key.table} SET ${key.col('state')} = ?, ${key.col('responseStatus')} = ?, ${key.col('responseBody')} = ?, ` +
          `${key.col('responseHeaders')} = ? ${claimed}`,
        release: `DELETE FROM ${key.table} ${claimed}`,
        heartbeat: `UPDATE ${key.table} SET ${key.col('lockedAt')} = ? ${claimed}`,
      };
    }
    return this.compiled;
  }
}
