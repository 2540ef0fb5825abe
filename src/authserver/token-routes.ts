import type { Context } from 'hono';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Deps } from '../deps.ts';
import { OAuthProtocolError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { authenticateClient, registerClient, type ClientCredentials } from '../grants/clients.ts';
import { OAUTH_PATHS } from '../grants/metadata.ts';
import { exchangeCode, refreshGrant, revokeToken } from '../grants/tokens.ts';
import { answering, oauthJson, readForm } from './oauth-answer.ts';

/**
 * A registration body larger than any honest client's metadata (a few hundred bytes): refused before
 * it is parsed. Counted in bytes, not characters, as that is what a stored client costs.
 */
const MAX_REGISTRATION_BYTES = 8 * 1024;

/** Client credentials from the Basic header or the body (RFC 6749 §2.3.1: both form-urlencoded first). */
function clientCredentials(c: Context, form: Map<string, string>): ClientCredentials {
  const basic = c.req.header('authorization')?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i)?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthProtocolError('invalid_client', 'Client authentication failed.');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw new OAuthProtocolError('invalid_client', 'Client authentication failed.');
      }
    };
    const clientId = decode(decoded.slice(0, colon));
    if (form.has('client_id') && form.get('client_id') !== clientId)
      throw new OAuthProtocolError('invalid_request', 'Two different client ids.');
    return { clientId, secret: decode(decoded.slice(colon + 1)) };
  }
  return { clientId: form.get('client_id'), secret: form.get('client_secret') };
}

/** The token endpoint, revocation and dynamic registration of latchkey's authorization server. */
export function tokenRoutes(deps: Deps) {
  return (
    new Hono<AppEnv>()
      // called from browser-based MCP clients too; no cookie is read here, so any origin may call
      .use('/oauth/token', cors({ origin: '*', allowMethods: ['POST'] }))
      .use('/oauth/revoke', cors({ origin: '*', allowMethods: ['POST'] }))
      .use('/oauth/register', cors({ origin: '*', allowMethods: ['POST'] }))
      .post(OAUTH_PATHS.token, (c) =>
        answering(c, async () => {
          const form = await readForm(c);
          const client = await authenticateClient(deps, clientCredentials(c, form));
          const grantType = form.get('grant_type');
          if (grantType === 'authorization_code') {
            return oauthJson(
              c,
              await exchangeCode(deps, client, {
                code: form.get('code'),
                redirectUri: form.get('redirect_uri'),
                codeVerifier: form.get('code_verifier'),
                resource: form.get('resource'),
              }),
            );
          }
          if (grantType === 'refresh_token') {
            if (!client.metadata.grant_types.includes('refresh_token'))
              throw new OAuthProtocolError('unauthorized_client', 'This client did not register the refresh_token grant.');
            return oauthJson(
              c,
              await refreshGrant(deps, client, { refreshToken: form.get('refresh_token'), resource: form.get('resource') }),
            );
          }
          if (!grantType) throw new OAuthProtocolError('invalid_request', 'grant_type is required.');
          throw new OAuthProtocolError('unsupported_grant_type', 'Only authorization_code and refresh_token are supported.');
        }),
      )
      .post(OAUTH_PATHS.revoke, (c) =>
        answering(c, async () => {
          const form = await readForm(c);
          const client = await authenticateClient(deps, clientCredentials(c, form));
          await revokeToken(deps, client, form.get('token'));
          return oauthJson(c, {});
        }),
      )
      .post(OAUTH_PATHS.register, (c) =>
        answering(c, async () => {
          if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
            throw new OAuthProtocolError('invalid_client_metadata', 'Send the client metadata as application/json (RFC 7591 §3.1).');
          const text = await c.req.text();
          if (Buffer.byteLength(text) > MAX_REGISTRATION_BYTES)
            throw new OAuthProtocolError('invalid_client_metadata', `The client metadata is larger than ${MAX_REGISTRATION_BYTES} bytes.`);
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            throw new OAuthProtocolError('invalid_client_metadata', 'The body is not JSON.');
          }
          return oauthJson(c, await registerClient(deps, body), 201);
        }),
      )
  );
}
