import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { authorizationServerMetadata, isSessionId, protectedResourceMetadata } from '../grants/metadata.ts';

/**
 * The discovery documents: RFC 8414 authorization server metadata at the issuer's well-known path,
 * and RFC 9728 protected resource metadata of each session's MCP URL at the well-known path before
 * its path (§3.1). Readable from any origin: they are public, and browser-based clients read them.
 */
export function metadataRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .use('/.well-known/*', cors({ origin: '*', allowMethods: ['GET'] }))
    .get('/.well-known/oauth-authorization-server', (c) => c.json(authorizationServerMetadata(deps)))
    .get('/.well-known/oauth-protected-resource/tool_router/:id/mcp', (c) => {
      const id = c.req.param('id');
      if (!isSessionId(id)) return c.json({ error: 'not_found', error_description: 'No such resource.' }, 404);
      return c.json(protectedResourceMetadata(deps, id, new URL(c.req.url).origin));
    });
}
