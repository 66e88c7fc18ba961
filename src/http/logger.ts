/**
 * The service's structured logger. Credentials are redacted wherever they might appear.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.bootstrapCode',
  '*.recoveryCode',
  '*.sessionToken',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = { level, base: { service: 'enigm-trust' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as DestinationStream) : pino(options);
}
