import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { authorizeRoutes } from './authorize-routes.ts';
import { metadataRoutes } from './metadata-routes.ts';
import { tokenRoutes } from './token-routes.ts';

/** latchkey as the OAuth 2.1 authorization server of its session MCP endpoints: discovery, /oauth/*. */
export function authServerRouter(deps: Deps) {
  return new Hono<AppEnv>().route('/', metadataRoutes(deps)).route('/', authorizeRoutes(deps)).route('/', tokenRoutes(deps));
}
