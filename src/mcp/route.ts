import { Hono, type Context } from 'hono';
import { authenticateApiKey } from '../auth/api-keys.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { forgetClient } from '../sessions/mcp-clients.ts';
import { getSession, sessionByAccessToken, sessionByToken, type Session } from '../sessions/session.ts';
import { isSessionId, resourceMetadataUrl } from '../grants/metadata.ts';
import { isLegacyEra } from './era.ts';
import { serveLegacy } from './legacy.ts';
import { serveModern } from './modern.ts';
import { AppError } from '../errors.ts';

const jsonRpcError = (c: Context, status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  c.json({ jsonrpc: '2.0', error: { code, message }, id: null }, status as 400, headers);

/** A body over the limit (checked in front of every route, see app.ts), as a JSON-RPC error. */
export const mcpTooLarge = (c: Context) => jsonRpcError(c, 413, -32600, 'Request body too large');

/**
 * A 401 that names the URL's protected-resource metadata (RFC 9728 §5.1); RFC 6750 §3:
 * error="invalid_token" when a token was sent and is not good here.
 */
function unauthorized(deps: Deps, c: Context, id: string, message: string, tokenSent: boolean) {
  const metadata = resourceMetadataUrl(deps, isSessionId(id) ? id : 'trs_unknown', new URL(c.req.url).origin);
  const challenge = `Bearer ${tokenSent ? 'error="invalid_token", ' : ''}resource_metadata="${metadata}"`;
  return jsonRpcError(c, 401, -32001, message, { 'WWW-Authenticate': challenge });
}

/**
 * `/tool_router/{session_id}/mcp`, streamable HTTP, stateless. Accepted credentials: the project's
 * `x-api-key` (as Composio's SDK sends it) for any session, the session's own token
 * (`x-session-token`, or `Authorization: Bearer lks_…`) for this session only, or an OAuth access
 * token latchkey issued for this session's URL (`Authorization: Bearer lka_…`). Every 401 names the
 * URL's protected-resource metadata (RFC 9728 §5.1), so an OAuth client can find our authorization
 * server; an unknown session id gets the same answer as a known one.
 */
export function mcpRoutes(deps: Deps) {
  async function authorize(c: Context<AppEnv>): Promise<Session | Response> {
    const id = c.req.param('id') ?? '';
    const apiKey = c.req.header('x-api-key');
    const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const token = c.req.header('x-session-token') ?? (bearer?.startsWith('lks_') ? bearer : undefined);
    if (apiKey) {
      if (!(await authenticateApiKey(deps, apiKey))) return unauthorized(deps, c, id, 'Invalid API key', false);
      try {
        return await getSession(deps, id);
      } catch (error) {
        if (error instanceof AppError) return jsonRpcError(c, 404, -32001, 'Session not found');
        throw error;
      }
    }
    if (token) {
      const session = await sessionByToken(deps, token);
      // a valid token for another session opens nothing here
      if (!session) return unauthorized(deps, c, id, 'Invalid session token', true);
      if (session.id !== id) return jsonRpcError(c, 403, -32001, 'This token belongs to another session');
      return session;
    }
    if (bearer) {
      // an access token's audience is its one session's URL (RFC 8707, MCP basic/authorization "Token
      // Audience Binding"): on any other URL it is invalid, as an expired or revoked one is
      const session = await sessionByAccessToken(deps, bearer);
      if (!session || session.id !== id)
        return unauthorized(deps, c, id, 'The access token is invalid, expired, revoked or for another session', true);
      return session;
    }
    return unauthorized(deps, c, id, 'Send x-api-key, the session token (x-session-token), or an OAuth access token', false);
  }

  return new Hono<AppEnv>()
    .get('/tool_router/:id/mcp', async (c) => {
      // credentials before the method: the URL is a protected resource, so a GET without them is the
      // same 401 challenge as a POST (RFC 6750 §3, RFC 9728 §5.1). mcp-remote probes by GET and starts
      // its OAuth callback listener before the browser only when it sees that 401.
      const session = await authorize(c);
      if (session instanceof Response) return session;
      return jsonRpcError(c, 405, -32000, 'Method not allowed: this endpoint is stateless, POST only', { Allow: 'POST, DELETE' });
    })
    .delete('/tool_router/:id/mcp', async (c) => {
      const session = await authorize(c);
      if (session instanceof Response) return session;
      const clientId = c.req.header('mcp-session-id');
      if (clientId) await forgetClient(deps, clientId, session.id);
      return c.body(null, 200);
    })
    .post('/tool_router/:id/mcp', async (c) => {
      const session = await authorize(c);
      if (session instanceof Response) return session;
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return jsonRpcError(c, 400, -32700, 'Parse error: the body is not JSON');
      }
      // the era is the request's own claim (spec 2026-07-28, basic/lifecycle): a body carrying the
      // per-request `_meta` envelope is 2026-07-28; anything else (an `initialize`, or a request of a
      // client that made one) is the 2025 era, as the SDK's classifier decides (era.ts)
      if (await isLegacyEra(c.req.raw, body)) return serveLegacy(deps, session, c.req.raw, body);
      return serveModern(deps, session, c.req.raw, body);
    });
}
