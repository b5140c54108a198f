import { Controller, Get, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DiskHealthIndicator,
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  MemoryHealthIndicator,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/decorators';
import { AppError } from '../common/problem/app-error';
import { ApiProblemResponse } from '../common/problem/problem.openapi';
import { AppConfig } from '../config/app-config';
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
    summary: 'Readiness: database reachable, disk and heap within limits',
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
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const checks = (error.getResponse() as { details?: unknown }).details;
      throw new DependencyUnavailableError('A dependency is unavailable; see checks.', { checks });
    }
  }
}
