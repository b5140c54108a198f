import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** The outcome of one check, as Terminus reports it. */
@ApiSchema({ description: 'The outcome of one dependency check.' })
export class HealthIndicatorDto {
  /** `up` when the check passed, `down` when it failed. */
  @ApiProperty({ enum: ['up', 'down'], enumName: 'HealthIndicatorStatus', example: 'up' })
  status: 'up' | 'down';

  /** Why a check failed, for example `Used heap exceeded the set threshold`. */
  @ApiPropertyOptional({ maxLength: 1000, example: 'timeout of 1500ms exceeded' })
  message?: string;

  /** How long a timed check (the database ping) took, in milliseconds. */
  @ApiPropertyOptional({ type: 'number', format: 'double', minimum: 0, maximum: 86_400_000, example: 1.7 })
  responseTime?: number;
}

/** The checks, by name; a probe reports only the ones it runs. */
@ApiSchema({ description: 'Check outcomes by name. Liveness runs none; readiness runs `database`, `disk`, `heap`, `redis` when Redis is configured and `storage` when STORAGE_DRIVER=s3.' })
export class HealthChecksDto {
  /** Database ping within HEALTH_DB_TIMEOUT_MS. */
  @ApiPropertyOptional({ type: HealthIndicatorDto, example: { status: 'up', responseTime: 1.7 } })
  database?: HealthIndicatorDto;

  /** Redis ping within HEALTH_DB_TIMEOUT_MS; checked only when REDIS_URL is set. */
  @ApiPropertyOptional({ type: HealthIndicatorDto, example: { status: 'up', responseTime: 0.4 } })
  redis?: HealthIndicatorDto;

  /** S3 HeadBucket within HEALTH_DB_TIMEOUT_MS; checked only when STORAGE_DRIVER=s3. */
  @ApiPropertyOptional({ type: HealthIndicatorDto, example: { status: 'up', responseTime: 12 } })
  storage?: HealthIndicatorDto;

  /** Disk holding the working directory below HEALTH_DISK_THRESHOLD. */
  @ApiPropertyOptional({ type: HealthIndicatorDto, example: { status: 'up' } })
  disk?: HealthIndicatorDto;

  /** Heap below HEALTH_HEAP_LIMIT_MB. */
  @ApiPropertyOptional({ type: HealthIndicatorDto, example: { status: 'up' } })
  heap?: HealthIndicatorDto;
}

/** Outcome of the checks, as Terminus reports it. */
@ApiSchema({ description: 'A passing probe: the instance can serve. Readiness lists the checks only to callers holding `metrics:read` (empty objects for anyone else).' })
export class HealthDto {
  /** `ok` while the instance can serve. */
  @ApiProperty({ enum: ['ok'], enumName: 'HealthStatus', example: 'ok' })
  status: 'ok';

  /** Present (true) while Redis is unreachable: the instance serves with in-process fallbacks (cache off, rate limits per instance). */
  @ApiPropertyOptional({ description: 'Present (true) while Redis is unreachable: the instance serves with in-process fallbacks (cache off, rate limits per instance).', enum: [true], example: true })
  degraded?: true;

  /** The checks that passed. */
  @ApiProperty({ type: HealthChecksDto, example: { database: { status: 'up', responseTime: 1.7 }, disk: { status: 'up' }, heap: { status: 'up' } } })
  info: HealthChecksDto;

  /** The checks that failed: empty, or `redis` while the instance is degraded. */
  @ApiProperty({ type: HealthChecksDto, example: {} })
  error: HealthChecksDto;

  /** Every check with its outcome. */
  @ApiProperty({ type: HealthChecksDto, example: { database: { status: 'up', responseTime: 1.7 }, disk: { status: 'up' }, heap: { status: 'up' } } })
  details: HealthChecksDto;
}
