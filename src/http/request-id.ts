import type { MiddlewareHandler } from 'hono';
import { newId } from '../ids.ts';
import type { AppEnv } from './env.ts';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a well-formed `x-request-id` from a proxy, else mints one; echoed on every response. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given && CLIENT_ID.test(given) ? given : newId('req');
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
    // a handler that answers with a Response of its own (the MCP SDK's) bypasses the header set above
    if (!c.res.headers.has('x-request-id')) c.res.headers.set('x-request-id', id);
  };
}
