import pino, { DestinationStream, Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { requestLogFields } from './request-context';

/** Never written to a log line: at the top of the logged object, one level down, or at these paths. */
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
  // Values bound to a failed query (TypeORM's QueryFailedError): emails, hashes, tokens.
  'err.parameters',
];

/** JSON lines to stdout, or to `destination` when given; a line written while handling a request carries its requestId and userId. */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.log.level,
      base: { service: 'emporium' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: requestLogFields,
    },
    destination,
  );
}
