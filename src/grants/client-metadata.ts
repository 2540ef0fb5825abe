import { z } from 'zod';
import { isLoopbackHost } from '../execution/address-policy.ts';
import { OAuthProtocolError } from '../errors.ts';
import type { OAuthClientMetadata } from '../../storage/domain.ts';

/**
 * What a client may register (RFC 7591 §2), by dynamic registration or in a Client ID Metadata
 * Document: attacker-controlled input, so every field is bounded and checked. Unknown fields are
 * dropped (RFC 7591 §2: the server ignores what it does not understand).
 */

/**
 * Schemes a redirect may never use: they would run or read something in the browser, or hand the URL
 * to an operating system's handler (file shares, Windows search, the shell, mail and phone) instead
 * of reaching a client. Registration is open, so a redirect URI is anyone's choice (RFC 9700 §4.11.2).
 */
const REFUSED_SCHEMES = new Set([
  'javascript:',
  'data:',
  'vbscript:',
  'file:',
  'blob:',
  'about:',
  'filesystem:',
  'view-source:',
  'ws:',
  'wss:',
  'search-ms:',
  'search:',
  'shell:',
  'mk:',
  'its:',
  'hcp:',
  'res:',
  'jar:',
  'smb:',
  'nfs:',
  'ftp:',
  'ldap:',
  'ssh:',
  'telnet:',
  'mailto:',
  'tel:',
  'sms:',
  'intent:',
  'chrome:',
  'microsoft-edge:',
]);

/** Windows' own handlers (ms-msdt:, ms-settings:, ms-officecmd:, ms-word:…), several of them remote code execution paths. */
const REFUSED_SCHEME_PREFIXES = ['ms-'];

/**
 * Why a redirect URI may not be registered, or null. https anywhere; http only on loopback
 * (RFC 8252 §7.3, §8.3); a private-use scheme of a native app (RFC 8252 §7.1, `cursor://...`) unless
 * it is one of the browser's or the operating system's own;
 * never a fragment (RFC 6749 §3.1.2) or credentials in the URL.
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri.includes('#')) return 'must not contain a fragment';
  if (!URL.canParse(uri)) return 'is not an absolute URI';
  const url = new URL(uri);
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) ? null : 'must use https (http only on loopback, RFC 8252)';
  if (REFUSED_SCHEMES.has(url.protocol) || REFUSED_SCHEME_PREFIXES.some((prefix) => url.protocol.startsWith(prefix)))
    return `must not use the ${url.protocol} scheme`;
  return null;
}

/**
 * Whether `given` is one of the registered redirect URIs: exactly, or for an http loopback URI with
 * any port (RFC 8252 §7.3: a native app's loopback listener gets its port when it starts).
 */
export function redirectUriMatches(registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true;
  if (!URL.canParse(given) || given.includes('#')) return false;
  const url = new URL(given);
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) return false;
  return registered.some((candidate) => {
    const r = new URL(candidate);
    return r.protocol === 'http:' && r.hostname === url.hostname && r.pathname === url.pathname && r.search === url.search;
  });
}

const text = (max: number) => z.string().max(max);
const webUrl = z
  .string()
  .max(2000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL');

const REDIRECT_URI_FIELD = 'redirect_uris';

export const clientMetadataSchema = z.object({
  [REDIRECT_URI_FIELD]: z.array(z.string().max(2000)).min(1).max(20),
  token_endpoint_auth_method: z.enum(['none', 'client_secret_post', 'client_secret_basic']).optional(),
  grant_types: z
    .array(z.enum(['authorization_code', 'refresh_token']))
    .max(2)
    .optional(),
  response_types: z.array(z.literal('code')).max(1).optional(),
  client_name: text(200).optional(),
  client_uri: webUrl.optional(),
  logo_uri: webUrl.optional(),
  tos_uri: webUrl.optional(),
  policy_uri: webUrl.optional(),
  scope: text(1000).optional(),
  contacts: z.array(text(200)).max(10).optional(),
  software_id: text(200).optional(),
  software_version: text(200).optional(),
});

/**
 * Checks client metadata: invalid_redirect_uri for a bad redirect URI, invalid_client_metadata for
 * anything else (RFC 7591 §3.2.2). `defaultAuthMethod`: RFC 7591 §2 says client_secret_basic when
 * omitted; a metadata document's client has no secret, so none.
 */
export function parseClientMetadata(
  input: unknown,
  defaultAuthMethod: OAuthClientMetadata['token_endpoint_auth_method'],
): OAuthClientMetadata {
  const parsed = clientMetadataSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(body)';
    throw new OAuthProtocolError(
      issue.path[0] === REDIRECT_URI_FIELD ? 'invalid_redirect_uri' : 'invalid_client_metadata',
      `${field}: ${issue.message}`,
    );
  }
  const m = parsed.data;
  for (const uri of m.redirect_uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new OAuthProtocolError('invalid_redirect_uri', `redirect_uris: ${JSON.stringify(uri.slice(0, 100))} ${problem}`);
  }
  const grantTypes = m.grant_types ?? ['authorization_code', 'refresh_token'];
  if (!grantTypes.includes('authorization_code'))
    throw new OAuthProtocolError('invalid_client_metadata', 'grant_types: must include authorization_code');
  return {
    ...m,
    redirect_uris: [...new Set(m.redirect_uris)],
    token_endpoint_auth_method: m.token_endpoint_auth_method ?? defaultAuthMethod,
    grant_types: [...new Set(grantTypes)],
    response_types: ['code'],
  };
}
