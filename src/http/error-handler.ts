import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AppEnv } from './env.ts';

function respond(c: Context<AppEnv>, error: AppError) {
  // Composio's client retries 409s unless told not to; a conflict here needs the caller to re-read
  const headers: Record<string, string> = error.status === 409 ? { 'x-should-retry': 'false' } : {};
  return c.json(error.toEnvelope(c.get('requestId') ?? 'unknown'), error.status as 400, headers);
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * SQLSTATEs with which PostgreSQL refuses a value itself (SQLite stores any text): a NUL or an
 * encoding it cannot take (22021, 22P05), and a value too long for an index entry (54000). The value
 * came from the request, so the answer is the caller's 400, not a 500.
 */
const REFUSED_VALUE_STATES = new Set(['22021', '22P05', '54000']);
const refusedValue = (err: Error) => REFUSED_VALUE_STATES.has(String((err as { code?: unknown }).code));

/**
 * Every error leaves in the envelope. Unknown errors become a generic 500 and are logged by name and
 * stack only, never with their `cause` (oauth4webapi puts whole token responses there).
 */
export function errorHandler(log: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    if (err instanceof AppError) return respond(c, err);
    if (err instanceof HTTPException && STATUS_CODES[err.status]) return respond(c, new AppError(STATUS_CODES[err.status]!));
    if (refusedValue(err))
      return respond(
        c,
        new AppError('BAD_REQUEST', { message: 'A value in the request cannot be stored: a NUL character, or far too long.' }),
      );
    log.error({ request_id: c.get('requestId'), err: { name: err.name, stack: err.stack } }, 'unhandled error');
    return respond(c, new AppError('INTERNAL'));
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  respond(c, new AppError('NOT_FOUND', { message: `No route for ${c.req.method} ${c.req.path}.` }));
