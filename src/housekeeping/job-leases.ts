import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { TransactionService } from '../database/transaction.service';
import { isUniqueViolation } from '../database/query-helpers';
import { JobLease } from './job-lease.entity';

/**
 * Database leases for jobs that must run once per tick across all instances (purges): the first
 * instance to take a job's expired lease runs it; the others find the lease current and skip.
 * A conditional UPDATE (or the INSERT of the first lease) decides, so two instances never both win.
 */
@Injectable()
export class JobLeases {
  /** This process, as a lease holder. */
  readonly holder = `${hostname().slice(0, 20)}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(private readonly tx: TransactionService) {}

  /** Takes the lease of `job` until `until` if nobody holds a current one; true when this instance won it. */
  async acquire(job: string, until: Date, now = new Date()): Promise<boolean> {
    const taken = await this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .update(JobLease)
        .set({ holder: this.holder, leaseUntil: until })
        .where('name = :job AND lease_until <= :now', { job, now })
        .execute(),
    );
    if (taken.affected === 1) return true;
    try {
      await this.tx.run((manager) => manager.insert(JobLease, { name: job, holder: this.holder, leaseUntil: until }));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
