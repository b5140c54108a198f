import { Controller, Get, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DiskHealthIndicator,
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/decorators';
import { AppError } from '../common/problem/app-error';
import { ApiProblemResponse } from '../common/problem/problem.openapi';
import { AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { StorageService } from '../storage/storage.service';
import { HealthDto, ReadinessProblemDto } from './health.dto';

class DependencyUnavailableError extends AppError {
  readonly status = 503;
  readonly type = 'unavailable';
  readonly title = 'Service Unavailable';
}

/** Probes for orchestrators: liveness (the process answers) and readiness (its dependencies do). */
@ApiTags('Health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
@Public()
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
    private readonly storage: StorageService,
    private readonly config: AppConfig,
  ) {}

  @Get('live')
  @ApiOperation({
    operationId: 'checkLiveness',
    summary: 'Liveness: the process is up and serving',
    description: 'Runs no dependency checks: answers 200 while the process serves requests. For liveness probes.',
  })
  @ApiOkResponse({ type: HealthDto, description: 'The process is serving.', example: { status: 'ok', info: {}, error: {}, details: {} } })
  @HealthCheck({ swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'checkReadiness',
    summary: 'Readiness: database (and Redis) reachable, disk and heap within limits',
    description: 'Answers 503 while a dependency check fails, and 200 again once it recovers. For readiness probes.',
  })
  @ApiOkResponse({ type: HealthDto, description: 'Every dependency is available.' })
  @ApiProblemResponse(503, ReadinessProblemDto, 'A dependency is unavailable (`checks` says which), or the probe timed out.', {
    type: 'urn:emporium:problem:unavailable',
    title: 'Service Unavailable',
    detail: 'A dependency is unavailable; see checks.',
    instance: '/health/ready',
    checks: { database: { status: 'down', message: 'timeout of 1500ms exceeded' }, disk: { status: 'up' }, heap: { status: 'up' } },
  })
  @HealthCheck({ swaggerDocumentation: false })
  async ready(): Promise<HealthCheckResult> {
    const { health } = this.config;
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: health.dbTimeoutMs }),
        () => this.disk.checkStorage('disk', { path: process.cwd(), thresholdPercent: health.diskThreshold }),
        () => this.memory.checkHeap('heap', health.heapLimitBytes),
        ...this.redisCheck(),
        ...this.storageCheck(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const checks = (error.getResponse() as { details?: unknown }).details;
      throw new DependencyUnavailableError('A dependency is unavailable; see checks.', { checks });
    }
  }

  /** With REDIS_URL set: a PING within HEALTH_DB_TIMEOUT_MS (cache and rate limits depend on it). */
  private redisCheck() {
    const client = this.redis.client;
    if (!client) return [];
    return [() => this.indicators.check('redis').attempt(async () => void (await client.ping())).withTimeout(this.config.health.dbTimeoutMs)];
  }

  /** With STORAGE_DRIVER=s3: a HeadBucket within HEALTH_DB_TIMEOUT_MS (local disk is covered by the disk check). */
  private storageCheck() {
    if (this.storage.driverName !== 's3') return [];
    const timeout = this.config.health.dbTimeoutMs;
    return [() => this.indicators.check('storage').attempt(() => this.storage.ping(timeout)).withTimeout(timeout)];
  }
}
