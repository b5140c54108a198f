import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'in_progress' | 'completed';

/**
 * One claimed Idempotency-Key of one caller: the fingerprint of the first request, and once it
 * finished, the answer to replay. Unique per (scope, key), which is what makes a claim atomic.
 */
@Entity('idempotency_keys')
@Index('uq_idempotency_keys_scope_key', ['scope', 'idemKey'], { unique: true })
export class IdempotencyKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Whose key it is: `user:<id>`, `cart:<sha256 of the cart token>`, `service` or `anonymous`. */
  @Column({ type: 'varchar', length: 80 })
  scope: string;

  @Column({ name: 'idem_key', type: 'varchar', length: 255 })
  idemKey: string;

  /** SHA-256 (hex) of method, path and canonical JSON body of the first request. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  state: IdempotencyState;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  /** The answer's body (JSON; a MySQL JSON/LONGTEXT column, since answers can exceed TEXT's 64 KiB). */
  @Column({ name: 'response_body', type: 'json', nullable: true })
  responseBody: unknown;

  /** Headers of the answer that are replayed with it (Location, ETag, Link), as JSON. */
  @Column({ name: 'response_headers', type: 'simple-json', nullable: true })
  responseHeaders: Record<string, string> | null;

  /** The running request that holds the key (a random token per claim); a takeover replaces it. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  owner: string | null;

  /**
   * The owner's last heartbeat (refreshed while its request runs): a claim silent for longer than
   * IDEMPOTENCY_LOCK_TIMEOUT_SECONDS belongs to a dead process and may be taken over.
   */
  @Column({ name: 'locked_at', type: 'datetime', precision: 3 })
  lockedAt: Date;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Index('ix_idempotency_keys_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
