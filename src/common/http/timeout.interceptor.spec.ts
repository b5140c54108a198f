import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, map, NEVER, Observable, throwError, timer } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/app-config';
import { toProblem } from '../problem/problem';
import { TimeoutInterceptor } from './timeout.interceptor';

describe('TimeoutInterceptor', () => {
  const interceptor = new TimeoutInterceptor(loadConfig({ REQUEST_TIMEOUT_MS: '500' }));
  const run = (handler: Observable<unknown>) =>
    firstValueFrom(interceptor.intercept({} as ExecutionContext, { handle: () => handler } as CallHandler));

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers 503 when the handler runs longer than REQUEST_TIMEOUT_MS', async () => {
    const outcome = run(NEVER).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    const { problem } = toProblem(await outcome, '/v1/slow', 'r-1');
    expect(problem).toMatchObject({ status: 503, type: 'urn:emporium:problem:timeout', detail: 'The request took too long; try again.' });
  });

  it('passes through an answer that comes in time', async () => {
    const outcome = run(timer(499).pipe(map(() => 'done')));
    await vi.advanceTimersByTimeAsync(499);
    await expect(outcome).resolves.toBe('done');
  });

  it('passes other errors through unchanged', async () => {
    const failure = new Error('boom');
    await expect(run(throwError(() => failure))).rejects.toBe(failure);
  });
});
