import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../problem/app-error';

class HandlerTimeoutError extends AppError {
  readonly status = 503;
  readonly type = 'timeout';
  readonly title = 'Service Unavailable';
  override readonly retryAfterSeconds = 5;
}

/** Answers 503 when a handler runs longer than REQUEST_TIMEOUT_MS, instead of holding the client. */
@Injectable()
export class TimeoutInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout(this.config.http.requestTimeoutMs),
      catchError((error: unknown) =>
        throwError(() => (error instanceof TimeoutError ? new HandlerTimeoutError('The request took too long; try again.') : error)),
      ),
    );
  }
}
