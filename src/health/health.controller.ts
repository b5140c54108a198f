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
import { Public } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { OptionalPrincipal, type Principal } from '../auth/principal';
import { AppError } from '../common/problem/app-error';
import { ApiProblemResponse, ApiProblemResponses } from '../common/problem/problem.openapi';
import { SkipRateLimit } from '../common/throttling/throttling';
import { AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { StorageService } from '../storage/storage.service';
import { HealthDto } from './health.dto';

class DependencyUnavailableError extends AppError {
  readonly status = 503;
  readonly type = 'unavailable';
  readonly title = 'Service Unavailable';
  override readonly retryAfterSeconds = 5;
}

type RedisState = { status: 'up'; responseTime: number } | { status: 'down'; message: string };

/** Probes for orchestrators: liveness (the process answers) and readiness (its dependencies do). */
@ApiTags('Health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
@Public()
@SkipRateLimit()
// A query string that is not percent-encoded UTF-8 is refused before any route runs.
@ApiProblemResponses(400)
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
  @Public({ identifyCaller: true })
  @ApiOperation({
    operationId: 'checkReadiness',
    summary: 'Readiness: database reachable, disk and heap within limits; Redis reported',
    description:
      'Answers 503 while a dependency check fails, and 200 again once it recovers. For readiness probes. Redis (with REDIS_URL) ' +
      'does not fail the probe: while it is unreachable the instance serves with in-process fallbacks and says `degraded: true`, ' +
      'so a Redis outage does not take every instance out of the load balancer at once. The outcome of each check (`info`, ' +
      '`error`, `details`, and `checks` on a 503) is shown only to callers sending a bearer token that holds `metrics:read` (the ' +
      'METRICS_TOKEN, managers, admins); anyone else gets empty objects, since versions, timings and error messages help an attacker.',
  })
  @ApiOkResponse({ type: HealthDto, description: 'The instance can serve (`degraded: true` while Redis is unreachable).' })
  @ApiProblemResponse(503, 'A dependency is unavailable (`checks` says which), or the probe timed out.', {
    type: 'urn:emporium:problem:unavailable',
    title: 'Service Unavailable',
    detail: 'A dependency is unavailable; see checks.',
    instance: '/health/ready',
    checks: { database: { status: 'down', message: 'timeout of 1500ms exceeded' }, disk: { status: 'up' }, heap: { status: 'up' } },
  })
  @HealthCheck({ swaggerDocumentation: false })
  async ready(@OptionalPrincipal() caller: Principal | undefined): Promise<Record<string, unknown>> {
    const { health } = this.config;
    const detailed = caller?.permissions.has(Permission.MetricsRead) === true;
    const [checked, redis] = await Promise.all([
      this.health
        .check([
          () => this.db.pingCheck('database', { timeout: health.dbTimeoutMs }),
          () => this.disk.checkStorage('disk', { path: process.cwd(), thresholdPercent: health.diskThreshold }),
          () => this.memory.checkHeap('heap', health.heapLimitBytes),
          ...this.storageCheck(),
        ])
        .catch((error: unknown) => {
          if (error instanceof ServiceUnavailableException) return error;
          throw error;
        }),
      this.redisState(),
    ]);
    const withRedis = (checks: Record<string, unknown> | undefined) => ({ ...checks, ...(redis ? { redis } : {}) });
    if (checked instanceof ServiceUnavailableException) {
      if (!detailed) throw new DependencyUnavailableError('A dependency is unavailable.');
      const checks = withRedis((checked.getResponse() as { details?: Record<string, unknown> }).details);
      throw new DependencyUnavailableError('A dependency is unavailable; see checks.', { checks });
    }
    const degraded = redis?.status === 'down' ? { degraded: true } : {};
    if (!detailed) return { status: 'ok', ...degraded, info: {}, error: {}, details: {} };
    const up = redis?.status === 'up' ? { redis } : {};
    const down = redis?.status === 'down' ? { redis } : {};
    return { status: 'ok', ...degraded, info: { ...checked.info, ...up }, error: { ...checked.error, ...down }, details: withRedis(checked.details) };
  }

  /**
   * With REDIS_URL set: a PING within HEALTH_DB_TIMEOUT_MS through the circuit breaker; while the
   * circuit is open, `down` with the reason, without waiting on the network.
   */
  private async redisState(): Promise<RedisState | undefined> {
    if (!this.redis.client) return undefined;
    const outage = this.redis.outage;
    if (outage) return { status: 'down', message: `unreachable since ${new Date(outage.since).toISOString()} (${outage.reason}); using in-process fallbacks` };
    const started = performance.now();
    try {
      await this.redis.run((client) => client.ping());
      return { status: 'up', responseTime: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      return { status: 'down', message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** With STORAGE_DRIVER=s3: a HeadBucket within HEALTH_DB_TIMEOUT_MS (local disk is covered by the disk check). */
  private storageCheck() {
    if (this.storage.driverName !== 's3') return [];
    const timeout = this.config.health.dbTimeoutMs;
    return [() => this.indicators.check('storage').attempt(() => this.storage.ping(timeout)).withTimeout(timeout)];
  }
}
