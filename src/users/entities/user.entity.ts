import { Column, Entity, Index, OneToMany, PrimaryColumn } from 'typeorm';
import { UserRole } from './user-role.entity';

@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As the user typed it; uniqueness is enforced on `emailNormalized`. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** Lower-cased email, compared exactly (binary collation on MySQL, see the migration). */
  @Index('uq_users_email_normalized', { unique: true })
  @Column({ name: 'email_normalized', type: 'varchar', length: 254 })
  emailNormalized: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  @OneToMany(() => UserRole, (role) => role.user)
  roles: UserRole[];

  /** Optimistic concurrency: every update bumps it, and `If-Match` carries it. */
  @Column({ type: 'integer' })
  version: number;

  @Index('ix_users_created_at')
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
