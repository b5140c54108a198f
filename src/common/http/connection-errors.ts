import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem';
import { problemTitle, problemType, problemTypeOfStatus } from '../problem/problem-types';

const DETAILS: Record<number, string> = {
  400: 'The request could not be read as HTTP.',
  408: 'The request was not received in time; send it again without pausing.',
  431: 'The request headers are larger than the server accepts.',
};

function statusOf(code: string | undefined): number {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/**
 * Answers what Node's HTTP parser rejects before any request exists (malformed HTTP, headers too
 * large, a request not received within the time limit, e.g. a slowloris) with a problem document
 * like every other error, then closes the connection.
 */
export function answerConnectionError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const status = statusOf(error.code);
    const requestId = randomUUID();
    const slug = problemTypeOfStatus(status);
    const body = JSON.stringify({
      type: problemType(slug),
      title: problemTitle(slug, status),
      status,
      detail: DETAILS[status],
      instance: '/',
      requestId,
    });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
