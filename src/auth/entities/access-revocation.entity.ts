import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Access tokens that must stop working before they expire: those of one session (sign-out, a
 * refresh token presented twice) or a user's tokens issued before their roles changed. Kept only
 * as long as such a token could still be valid, and read by every instance (AccessRevocations).
 */
@Entity('access_revocations')
export class AccessRevocation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Every access token of this session (`sid`) is revoked. */
  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId: string | null;

  /** With minUserVersion: this user's tokens issued at an older account version are revoked. */
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @Column({ name: 'min_user_version', type: 'integer', nullable: true })
  minUserVersion: number | null;

  @Index('ix_access_revocations_created')
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Index('ix_access_revocations_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
