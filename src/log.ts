import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Call sites never log secrets; redaction is the second line of defence for
 * fields that could carry one if a future call site slipped.
 */
const REDACT = [
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.api_key',
  '*.password',
  '*.secret',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'latchkey' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
