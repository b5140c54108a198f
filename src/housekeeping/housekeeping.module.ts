import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobLease } from './job-lease.entity';
import { JobLeases } from './job-leases';
import { Purges } from './purges';

/** Scheduled upkeep shared by every feature: the purges of tables that only grow, run once per tick across instances. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([JobLease])],
  providers: [JobLeases, Purges],
  exports: [Purges],
})
export class HousekeepingModule {}
