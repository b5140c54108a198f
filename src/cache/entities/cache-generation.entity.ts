import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row, bumped in the transaction of every write that invalidates cached reads. Entries kept in
 * a process's memory while Redis is unreachable are stamped with it and served only while it is
 * unchanged (see CacheGenerations).
 */
@Entity('cache_generation')
export class CacheGeneration {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'bigint' })
  generation: number;
}
