import {
  buildOAuthProtectedResourceMetadata,
  getOAuthProtectedResourceMetadataUrl,
  type OAuthMetadata,
} from '@modelcontextprotocol/server';
import type { Deps } from '../deps.ts';
import { mcpUrl } from '../sessions/mcp-url.ts';

/**
 * The discovery documents of latchkey as an OAuth 2.1 authorization server (RFC 8414) and of each
 * session's MCP URL as a protected resource (RFC 9728), as the MCP authorization spec (2025-11-25,
 * basic/authorization) asks: a client that gets a 401 finds the resource's metadata, then ours.
 */

/** The issuer: the origin of LATCHKEY_PUBLIC_URL (RFC 8414 §2: https, no query or fragment). */
export const issuerOf = (deps: Pick<Deps, 'config'>) => new URL(deps.config.publicUrl).origin;

export const OAUTH_PATHS = {
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  register: '/oauth/register',
  revoke: '/oauth/revoke',
} as const;

export function authorizationServerMetadata(deps: Pick<Deps, 'config'>): OAuthMetadata {
  const issuer = issuerOf(deps);
  return {
    issuer,
    authorization_endpoint: `${issuer}${OAUTH_PATHS.authorize}`,
    token_endpoint: `${issuer}${OAUTH_PATHS.token}`,
    registration_endpoint: `${issuer}${OAUTH_PATHS.register}`,
    revocation_endpoint: `${issuer}${OAUTH_PATHS.revoke}`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
    revocation_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}

const SESSION_ID = 'trs_[A-Za-z0-9]{1,64}';
const MCP_PATH = new RegExp(`^/tool_router/(${SESSION_ID})/mcp$`);

/**
 * The session a resource indicator (RFC 8707) names, when it is exactly a session MCP URL this server
 * hands out (`session.mcp.url`, on the public origin or, with no LATCHKEY_PUBLIC_URL, a loopback one);
 * whether the session exists is the caller's question.
 */
export function sessionIdOfResource(deps: Deps, resource: string): string | undefined {
  if (!URL.canParse(resource)) return undefined;
  const url = new URL(resource);
  const id = MCP_PATH.exec(url.pathname)?.[1];
  return id && sameResource(mcpUrl(deps, id, url.origin), resource) ? id : undefined;
}

/**
 * Whether two resource indicators name the same URL, compared parsed (RFC 3986 §6.2.2 and §6.2.3:
 * `https://LK.example:443/x` is `https://lk.example/x`), as a client may spell it either way.
 */
export function sameResource(a: string, b: string): boolean {
  return URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href;
}

/** Where the protected-resource metadata of a session's MCP URL lives (RFC 9728 §3.1: the well-known path before the URL's path). */
export function resourceMetadataUrl(deps: Deps, sessionId: string, requestOrigin: string): string {
  return getOAuthProtectedResourceMetadataUrl(new URL(mcpUrl(deps, sessionId, requestOrigin)));
}

/**
 * RFC 9728 §2 metadata of one session's MCP URL. Served for any well-formed session id, existing or
 * not, as the 401 is: neither tells a stranger which sessions exist.
 */
export function protectedResourceMetadata(deps: Deps, sessionId: string, requestOrigin: string) {
  const metadata = buildOAuthProtectedResourceMetadata({
    oauthMetadata: authorizationServerMetadata(deps),
    resourceServerUrl: new URL(mcpUrl(deps, sessionId, requestOrigin)),
    resourceName: `${deps.config.branding.appTitle} session`,
    // the issuer is the operator's own LATCHKEY_PUBLIC_URL, not a caller's input; the SDK's https check
    // is for issuers a server is told about (behind a TLS proxy the operator sets an https public URL)
    dangerouslyAllowInsecureIssuerUrl: true,
  });
  return { ...metadata, bearer_methods_supported: ['header'] };
}

const SESSION_ID_ONLY = new RegExp(`^${SESSION_ID}$`);
export const isSessionId = (id: string) => SESSION_ID_ONLY.test(id);
