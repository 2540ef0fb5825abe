import type { Context, MiddlewareHandler } from 'hono';
import { authenticateApiKey } from '../auth/api-keys.ts';
import { type Actor, apiKeyActor } from '../services/actor.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from './env.ts';

/** `x-api-key`, as Composio's SDK sends it. */
export function apiKeyAuth(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = c.req.header('x-api-key');
    if (!presented) throw new AppError('UNAUTHORIZED');
    const key = await authenticateApiKey(deps, presented.trim());
    if (!key) throw new AppError('INVALID_API_KEY');
    c.set('apiKeyId', key.id);
    await next();
  };
}

/** The caller of an API request, as the audit log names it: the key it authenticated with. */
export function requestActor(c: Context<AppEnv>): Actor {
  return apiKeyActor(c.get('apiKeyId'));
}
