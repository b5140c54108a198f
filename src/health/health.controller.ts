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
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { AppConfig } from '../config/app-config';
import { HealthDto } from './health.dto';

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
  @ApiOperation({ operationId: 'checkLiveness', summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ type: HealthDto })
  @HealthCheck({ swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ operationId: 'checkReadiness', summary: 'Readiness: database reachable, disk and heap within limits' })
  @ApiOkResponse({ type: HealthDto })
  @ApiProblemResponses(503)
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
