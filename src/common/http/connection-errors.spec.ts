import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPE_SLUGS, problemType } from '../problem/problem-types';
import { answerConnectionError } from './connection-errors';

function answer(code: string): { head: string; problem: Record<string, unknown> } {
  let written = '';
  const socket = { destroyed: false, writable: true, write: (chunk: string) => (written += chunk), destroy: () => undefined } as unknown as Socket;
  answerConnectionError(Object.assign(new Error('refused by the HTTP parser'), { code }), socket);
  const [head, body] = written.split('\r\n\r\n');
  return { head, problem: JSON.parse(body) as Record<string, unknown> };
}

describe('answerConnectionError', () => {
  it.each([
    ['HPE_INVALID_METHOD', 400, 'bad-request', 'Bad Request'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request-timeout', 'Request Timeout'],
    ['HPE_HEADER_OVERFLOW', 431, 'request-header-fields-too-large', 'Request Header Fields Too Large'],
  ])('answers %s with a %i problem of a registered type', (code, status, slug, title) => {
    const { head, problem } = answer(code);
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(problem).toMatchObject({ type: problemType(slug as never), title, status });
    expect(PROBLEM_TYPE_SLUGS.map(problemType)).toContain(problem.type);
  });
});
