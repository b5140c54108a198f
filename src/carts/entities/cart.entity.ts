import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

export enum CartStatus {
  Open = 'open',
  CheckedOut = 'checked_out',
}

/**
 * A shopping cart: a signed-in customer's (user_id) or a guest's (guest_token_hash, the SHA-256
 * of the opaque token handed out once). Every change bumps `version` first, with a conditional
 * UPDATE on an open cart, so writers of one cart are serialized and a checked-out cart is frozen.
 */
@Entity('carts')
export class Cart {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_carts_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_carts_user' })
  user?: User;

  /** The owner while the cart is open, NULL once checked out: the unique index allows one open cart per customer. */
  @Index('uq_carts_open_user', { unique: true })
  @Column({ name: 'open_user_id', type: 'varchar', length: 36, nullable: true })
  openUserId: string | null;

  /** SHA-256 (hex) of a guest cart's token; the token itself is never stored. */
  @Index('uq_carts_guest_token_hash', { unique: true })
  @Column({ name: 'guest_token_hash', type: 'varchar', length: 64, nullable: true })
  guestTokenHash: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: CartStatus;

  /** ISO 4217; set by the first line, cleared when the last line goes. */
  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  @Column({ type: 'integer' })
  version: number;

  /** Guest carts only: unusable (404) after this; each change pushes it back. */
  @Index('ix_carts_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
