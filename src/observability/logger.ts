import pino, { Logger } from 'pino';
import type { AppConfig } from '../config/app-config';

/** Never written to a log line, wherever they appear in the logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'passwordHash',
  'accessToken',
  'refreshToken',
  'token',
  '*.password',
  '*.passwordHash',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
];

export function createRootLogger(config: AppConfig): Logger {
  return pino({
    level: config.log.level,
    base: { service: 'emporium' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}
