import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.ts';
import type { AppEnv } from './env.ts';

/**
 * One line per request. Only the path is logged, never the query string or headers: OAuth callbacks
 * carry codes in the query and clients carry keys in headers. Link tokens in paths are cut short.
 */
const SECRET_IN_PATH = /\/(ln_|apv_)[A-Za-z0-9]+/g;

export function accessLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const line = {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path.replace(SECRET_IN_PATH, '/$1…'),
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    };
    // written once the answer is on its way: the response goes out in this turn of the event loop, the
    // line in the next, so the client does not wait for the log
    setImmediate(() => log.info(line, 'request'));
  };
}
