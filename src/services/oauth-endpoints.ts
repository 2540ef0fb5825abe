import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { fillBaseUrl, TemplateError } from '../execution/templates.ts';
import type { OAuth2Endpoints, OAuthCallOptions } from '../oauth/client.ts';

type OAuth2Scheme = Extract<ToolkitFile['auth_schemes'][number], { mode: 'OAUTH2' }>;

type OAuth1Scheme = Extract<ToolkitFile['auth_schemes'][number], { mode: 'OAUTH1' }>;

export function oauth1Scheme(toolkit: ToolkitFile): OAuth1Scheme | undefined {
  return toolkit.auth_schemes.find((s): s is OAuth1Scheme => s.mode === 'OAUTH1');
}

export function oauth2Scheme(toolkit: ToolkitFile): OAuth2Scheme | undefined {
  return toolkit.auth_schemes.find((s): s is OAuth2Scheme => s.mode === 'OAUTH2');
}

/** Provider endpoints with connection fields filled in (Zendesk's subdomain), under the same host rules as tool calls. */
export function oauth2Endpoints(deps: Deps, scheme: OAuth2Scheme, connectionData: Record<string, string>): OAuth2Endpoints {
  try {
    const allow = deps.config.allowInsecureLoopback;
    const authorizationUrl = fillBaseUrl(scheme.authorization_url, connectionData, allow).href;
    return {
      issuer: scheme.issuer ?? new URL(authorizationUrl).origin,
      authorizationUrl,
      tokenUrl: fillBaseUrl(scheme.token_url, connectionData, allow).href,
      revocationUrl: scheme.revocation_url ? fillBaseUrl(scheme.revocation_url, connectionData, allow).href : undefined,
    };
  } catch (error) {
    if (error instanceof TemplateError) throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: error.message });
    throw error;
  }
}

export function oauthCallOptions(deps: Deps): OAuthCallOptions {
  return { fetch: deps.fetch, allowInsecure: deps.config.allowInsecureLoopback };
}

/** Where providers send the browser back: Composio's path, on this server's public origin. */
export function callbackUrl(deps: Deps): string {
  return `${deps.config.publicUrl}/api/v3/toolkits/auth/callback`;
}
