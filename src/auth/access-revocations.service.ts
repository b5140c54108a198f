import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan, MoreThanOrEqual } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../config/app-config';
import { deleteBatch } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { Purges } from '../housekeeping/purges';
import { AccessRevocation } from './entities/access-revocation.entity';
import type { Principal } from './principal';

/** How often every instance reads new revocations: a revoked token stops working everywhere within about this long. */
export const REVOCATION_POLL_MS = 500;
/**
 * Each poll reads back this far before the newest revocation it has seen, so a revocation written
 * by an instance whose clock lags, or committed a little after it was stamped, is not missed.
 */
const POLL_OVERLAP_MS = 5_000;
/** Revocations outlive the longest-lived access token by this margin (clock skew between instances). */
const EXPIRY_MARGIN_MS = 60_000;

type RevocationRow = Pick<AccessRevocation, 'id' | 'sessionId' | 'userId' | 'minUserVersion' | 'createdAt' | 'expiresAt'>;

/**
 * Revoked access tokens, checked on every authenticated request. Access tokens are stateless JWTs;
 * without this, one would keep working after sign-out or after its holder lost a role until it
 * expired (JWT_ACCESS_TTL_SECONDS).
 *
 * The truth is the `access_revocations` table, which every instance already shares; each instance
 * keeps the unexpired revocations in memory and reads new ones every REVOCATION_POLL_MS, so the
 * per-request check is two map lookups and a revocation reaches every instance within a second,
 * with or without Redis. An instance that cannot reach the database keeps what it knows and
 * catches up afterwards (the overlap window covers the gap).
 */
@Injectable()
export class AccessRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccessRevocations.name);
  /** Revoked session id → when its revocation can be forgotten (ms). */
  private readonly sessions = new Map<string, number>();
  /** User id → the oldest account version whose tokens are still accepted, and when that can be forgotten. */
  private readonly userVersions = new Map<string, { minVersion: number; forgetAt: number }>();
  /** Ids applied within the overlap window, so a re-read row is not applied twice. */
  private readonly seen = new Map<string, number>();
  /** The newest created_at applied (ms); undefined until the first read, which loads every unexpired revocation. */
  private newest: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private failing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly purges: Purges,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.purges.register({
      table: 'access_revocations',
      deleteBatch: (size) => this.tx.run((manager) => deleteBatch(manager, AccessRevocation, 'e.expiresAt <= :now', { now: new Date() }, size)),
    });
    await this.sync();
    this.timer = setInterval(() => void this.sync(), REVOCATION_POLL_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** Whether the principal's access token was revoked: its session ended, or its account changed after it was issued. */
  isRevoked(principal: Principal): boolean {
    const now = Date.now();
    if (principal.sessionId !== undefined) {
      const forgetAt = this.sessions.get(principal.sessionId);
      if (forgetAt !== undefined && forgetAt > now) return true;
    }
    if (principal.userId !== undefined) {
      const entry = this.userVersions.get(principal.userId);
      if (entry && entry.forgetAt > now && (principal.userVersion ?? 0) < entry.minVersion) return true;
    }
    return false;
  }

  /** Revokes every access token of a session, in the caller's transaction; call sync() after it commits. */
  revokeSession(manager: EntityManager, sessionId: string): Promise<void> {
    return this.insert(manager, { sessionId, userId: null, minUserVersion: null });
  }

  /** Revokes the user's access tokens issued before the account reached `version` (roles changed); call sync() after commit. */
  revokeUserTokensBefore(manager: EntityManager, userId: string, version: number): Promise<void> {
    return this.insert(manager, { sessionId: null, userId, minUserVersion: version });
  }

  /** Reads revocations this instance has not applied yet (one query); waits for a poll already running. */
  sync(): Promise<void> {
    this.polling ??= this.poll().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async insert(manager: EntityManager, target: Pick<AccessRevocation, 'sessionId' | 'userId' | 'minUserVersion'>): Promise<void> {
    const now = Date.now();
    await manager.insert(AccessRevocation, {
      id: uuidv7(),
      ...target,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.config.auth.accessTtlSeconds * 1000 + EXPIRY_MARGIN_MS),
    });
  }

  private async poll(): Promise<void> {
    const now = Date.now();
    try {
      const repository = this.dataSource.getRepository(AccessRevocation);
      const rows: RevocationRow[] = await repository.find({
        where: this.newest === undefined ? { expiresAt: MoreThan(new Date(now)) } : { createdAt: MoreThanOrEqual(new Date(this.newest - POLL_OVERLAP_MS)) },
        order: { createdAt: 'ASC' },
      });
      this.newest ??= now;
      for (const row of rows) this.apply(row);
      if (this.failing) this.logger.log({ event: 'revocations.recovered' }, 'reading access revocations again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn({ event: 'revocations.poll_failed', err: error }, 'cannot read access revocations; keeping the ones known');
      this.failing = true;
    }
    this.forgetOld(now);
  }

  private apply(row: RevocationRow): void {
    const createdAt = row.createdAt.getTime();
    this.newest = Math.max(this.newest ?? 0, createdAt);
    if (this.seen.has(row.id)) return;
    this.seen.set(row.id, createdAt);
    const forgetAt = row.expiresAt.getTime();
    if (row.sessionId) this.sessions.set(row.sessionId, forgetAt);
    if (row.userId && row.minUserVersion !== null) {
      const current = this.userVersions.get(row.userId);
      if (!current || current.minVersion < row.minUserVersion) {
        this.userVersions.set(row.userId, { minVersion: row.minUserVersion, forgetAt });
      }
    }
  }

  private forgetOld(now: number): void {
    const newest = this.newest ?? now;
    for (const [id, createdAt] of this.seen) if (createdAt < newest - 2 * POLL_OVERLAP_MS) this.seen.delete(id);
    for (const [sessionId, forgetAt] of this.sessions) if (forgetAt <= now) this.sessions.delete(sessionId);
    for (const [userId, entry] of this.userVersions) if (entry.forgetAt <= now) this.userVersions.delete(userId);
  }
}
