import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Hono's bodyLimit, with the common case decided from Content-Length alone. Hono's version touches
 * `request.body`, which makes @hono/node-server build a full web Request and stream on every request
 * (a tenth of a tool call's CPU, measured by `npm run bench`). Node's parser never delivers more than
 * a declared length, so the header is enough; chunked bodies still go through the counting reader.
 */
export function limitBody(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const counting = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number(length) > maxSize ? onError(c) : next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return counting(c, next);
  };
}
