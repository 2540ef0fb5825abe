import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { apiKeyAuth } from '../http/api-key-auth.ts';
import type { AppEnv } from '../http/env.ts';
import { toolkitRoutes } from './toolkits.ts';
import { toolRoutes } from './tools.ts';
import { authConfigRoutes } from './auth-configs.ts';
import { connectedAccountRoutes } from './connected-accounts.ts';
import { sessionRoutes } from './sessions.ts';
import { webhookRoutes } from './webhooks.ts';
import { logRoutes } from './logs.ts';
import { mcpServerRoutes } from './mcp-servers.ts';

/**
 * The REST API, mounted under both `/api/v3` and `/api/v3.1` (Composio's two generations share
 * handlers). Every route here needs a project API key.
 */
export function apiRouter(deps: Deps) {
  const api = new Hono<AppEnv>();
  api.use('*', apiKeyAuth(deps));
  api.route('/', toolkitRoutes(deps));
  api.route('/', toolRoutes(deps));
  api.route('/', authConfigRoutes(deps));
  api.route('/', connectedAccountRoutes(deps));
  api.route('/', sessionRoutes(deps));
  api.route('/', webhookRoutes(deps));
  api.route('/', logRoutes(deps));
  api.route('/', mcpServerRoutes(deps));
  return api;
}
