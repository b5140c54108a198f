import { expect } from 'vitest';
import type { ApiResponse } from './test-app';

/** Asserts an RFC 9457 problem+json answer with the given status, tied to the X-Request-Id header. */
export function expectProblem(response: ApiResponse, status: number, instance?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  expect(response.body).toMatchObject({
    type: expect.stringMatching(/^urn:emporium:problem:[a-z-]+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: instance ?? expect.stringMatching(/^\//),
    requestId,
  });
}
