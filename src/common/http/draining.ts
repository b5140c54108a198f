import { BeforeApplicationShutdown, CallHandler, Injectable, NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../problem/app-error';

/** Seconds a client is told to wait before retrying a request refused during shutdown (another instance usually answers). */
const RETRY_AFTER_SHUTDOWN_SECONDS = 5;

/** 503 while this instance shuts down; `Retry-After` says when to retry (usually another instance answers). */
export class ShuttingDownError extends AppError {
  readonly status = 503;
  readonly type = 'shutting-down';
  readonly title = 'Service Unavailable';
  override readonly retryAfterSeconds = RETRY_AFTER_SHUTDOWN_SECONDS;

  constructor() {
    super('This instance is shutting down; retry the request.');
  }
}

/**
 * Graceful shutdown. When the app closes, new requests are refused with a 503 problem and
 * Retry-After (readiness turns 503 too), and the close waits, up to most of SHUTDOWN_TIMEOUT_MS, for every
 * handler still running: also those whose client gave up or got the request-timeout 503, which
 * would otherwise run on into a closed database pool. Only then does Nest close the HTTP server
 * and, after it, the pool.
 */
@Injectable()
export class Draining implements BeforeApplicationShutdown {
  private running = 0;
  private draining = false;
  private idle: (() => void) | undefined;

  constructor(private readonly config: AppConfig) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Counts `work` as running until it settles, whatever happens to the request it serves. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running++;
    return work.finally(() => {
      this.running--;
      if (this.running === 0) this.idle?.();
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    if (this.running === 0) return;
    await new Promise<void>((resolve) => {
      this.idle = resolve;
      // The rest of SHUTDOWN_TIMEOUT_MS is left for closing the server and the pool before main.ts gives up.
      setTimeout(resolve, this.config.http.shutdownTimeoutMs * 0.8).unref();
    });
  }
}

/**
 * The innermost global interceptor: runs the handler to completion as a promise Draining tracks,
 * even when an outer interceptor (the request timeout) stops waiting for it.
 */
@Injectable()
export class TrackHandlersInterceptor implements NestInterceptor {
  constructor(private readonly draining: Draining) {}

  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
    return from(this.draining.track(lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
