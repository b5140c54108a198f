import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which instance runs a scheduled job this tick: the one whose lease is current. */
@Entity('job_leases')
export class JobLease {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  /** The instance (process) holding the lease. */
  @Column({ type: 'varchar', length: 64 })
  holder: string;

  @Column({ name: 'lease_until', type: 'datetime', precision: 3 })
  leaseUntil: Date;
}
