import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { createRootLogger } from './logger';

function logOnce(entry: Record<string, unknown>): Record<string, any> {
  const lines: string[] = [];
  const logger = createRootLogger(loadConfig({ LOG_LEVEL: 'info' }), { write: (line: string) => lines.push(line) });
  logger.info(entry, 'something happened');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

describe('createRootLogger', () => {
  it('writes one JSON line with level label, service, time and message', () => {
    expect(logOnce({ requestId: 'r-1' })).toMatchObject({
      level: 'info',
      service: 'emporium',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requestId: 'r-1',
      msg: 'something happened',
    });
  });

  it('redacts authorization headers, cookies, passwords and tokens', () => {
    const line = logOnce({
      req: { headers: { authorization: 'Bearer eyJ.secret', cookie: 'sid=secret', accept: 'application/json' } },
      headers: { authorization: 'Bearer eyJ.secret' },
      password: 'hunter2-hunter2',
      body: { password: 'hunter2-hunter2', refreshToken: 'refresh-secret', email: 'ada@example.com' },
      accessToken: 'access-secret',
      user: { passwordHash: '$argon2id$secret', token: 'token-secret' },
    });
    expect(line.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' });
    expect(line.headers.authorization).toBe('[redacted]');
    expect(line.password).toBe('[redacted]');
    expect(line.body).toEqual({ password: '[redacted]', refreshToken: '[redacted]', email: 'ada@example.com' });
    expect(line.accessToken).toBe('[redacted]');
    expect(line.user).toEqual({ passwordHash: '[redacted]', token: '[redacted]' });
  });

  it('keeps the values bound to a failed query out of the log, but not the error itself', () => {
    const error = new QueryFailedError('SELECT * FROM users WHERE email = ?', ['ada@example.com'], new Error('no such table'));
    const line = logOnce({ err: error });
    expect(line.err).toMatchObject({ type: 'QueryFailedError', message: expect.stringContaining('no such table'), parameters: '[redacted]' });
    expect(JSON.stringify(line)).not.toContain('ada@example.com');
  });

  it('honours the configured level', () => {
    const lines: string[] = [];
    const logger = createRootLogger(loadConfig({ LOG_LEVEL: 'warn' }), { write: (line: string) => lines.push(line) });
    logger.info('dropped');
    logger.warn('kept');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['kept']);
  });
});
