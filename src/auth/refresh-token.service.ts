import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { EntityManager, IsNull, MoreThan, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../config/app-config';
import { deleteBatch } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { Purges } from '../housekeeping/purges';
import { RefreshToken } from './entities/refresh-token.entity';

export type RotationResult =
  | { outcome: 'rotated'; userId: string; familyId: string; token: string }
  | { outcome: 'reused'; familyId: string }
  | { outcome: 'invalid' };

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Revoked tokens are kept this long after revocation (for audits of a theft), expired ones not at all. */
const KEEP_REVOKED_MS = 86_400_000;

/**
 * Opaque refresh tokens: 256 random bits handed to the client, only their SHA-256 kept here
 * (a fast hash suffices for random secrets). Each use spends the token and issues the next one
 * in the same family; presenting a spent token again means it leaked, so the family dies.
 */
@Injectable()
export class RefreshTokenService implements OnModuleInit {
  constructor(
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly purges: Purges,
  ) {}

  onModuleInit(): void {
    this.purges.register({
      table: 'refresh_tokens',
      deleteBatch: (size) => {
        const now = Date.now();
        return this.tx.run((manager) =>
          deleteBatch(manager, RefreshToken, 'e.expiresAt <= :now OR e.revokedAt <= :revokedBefore', { now: new Date(now), revokedBefore: new Date(now - KEEP_REVOKED_MS) }, size),
        );
      },
    });
  }

  /** Starts a new family (a sign-in). */
  issue(manager: EntityManager, userId: string): Promise<{ token: string; familyId: string }> {
    return this.insert(manager, userId, uuidv7());
  }

  async rotate(manager: EntityManager, token: string): Promise<RotationResult> {
    const tokenHash = sha256(token);
    const now = new Date();
    const spent = await manager
      .createQueryBuilder()
      .update(RefreshToken)
      .set({ usedAt: now })
      .where({ tokenHash, usedAt: IsNull(), revokedAt: IsNull(), expiresAt: MoreThan(now) })
      .execute();
    const row = await manager.findOne(RefreshToken, {
      select: { userId: true, familyId: true, usedAt: true, revokedAt: true },
      where: { tokenHash },
    });
    if (!row) return { outcome: 'invalid' };
    if (spent.affected === 1) {
      const next = await this.insert(manager, row.userId, row.familyId);
      return { outcome: 'rotated', userId: row.userId, familyId: row.familyId, token: next.token };
    }
    if (row.usedAt && !row.revokedAt) return { outcome: 'reused', familyId: row.familyId };
    return { outcome: 'invalid' };
  }

  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** The family a token belongs to, whatever its state; used by logout. */
  async familyOf(token: string): Promise<string | undefined> {
    const row = await this.tokens.findOne({ select: { familyId: true }, where: { tokenHash: sha256(token) } });
    return row?.familyId;
  }

  private async insert(manager: EntityManager, userId: string, familyId: string) {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    await manager.insert(RefreshToken, {
      id: uuidv7(),
      familyId,
      userId,
      tokenHash: sha256(token),
      expiresAt: new Date(now.getTime() + this.config.auth.refreshTtlDays * 86_400_000),
      usedAt: null,
      revokedAt: null,
      createdAt: now,
    });
    return { token, familyId };
  }
}
