import type { MiddlewareHandler } from 'hono';
import { authenticateApiKey } from '../auth/api-keys.ts';
import { runAs } from '../services/actor.ts';
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
    // every change made under this request is the key's, in the audit log
    await runAs({ type: 'api_key', id: key.id }, next);
  };
}
