import { CacheSlot, type Deps } from '../deps.ts';
import { hostRefusal, isLoopbackHost, publicOnlyPolicy } from '../execution/address-policy.ts';
import { UpstreamFailure } from '../execution/exchange.ts';
import { OAuthProtocolError } from '../errors.ts';
import type { OAuthClient } from '../../storage/domain.ts';
import { parseClientMetadata } from './client-metadata.ts';

/**
 * Clients identified by a Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document,
 * the MCP spec's SHOULD): the client_id is an https URL and the document there is its registration.
 * The authorization endpoint fetches it for anyone who asks, so through `deps.publicExchange`: public
 * addresses only, checked for the name as written and for what it resolves to, whatever
 * LATCHKEY_ALLOW_PRIVATE_NETWORK says; with a size limit, a timeout and no redirects; kept a few
 * minutes per URL. Every way the fetch can fail is one answer, so the endpoint tells an outsider
 * nothing about what answers where (no status, no reachability, no setting to turn on).
 */

const MAX_DOCUMENT_BYTES = 16 * 1024;
const TIMEOUT_MS = 5000;
const CACHE_MS = 5 * 60_000;
const CACHE_ENTRIES = 500;

type Cached = { client: OAuthClient; until: number };
const DOCUMENTS = new CacheSlot('client metadata documents', () => new Map<string, Cached>());

/** Whether a client_id names a metadata document: an https URL with a path (http too, on loopback, for development). */
export function isMetadataDocumentId(deps: Deps, clientId: string): boolean {
  if (!URL.canParse(clientId)) return false;
  const url = new URL(clientId);
  if (url.pathname === '/' || url.hash || url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && deps.config.allowInsecureLoopback && isLoopbackHost(url.hostname));
}

const refuse = (message: string) => new OAuthProtocolError('invalid_client', message);
const NOT_FETCHED =
  'The client metadata document could not be fetched from a public https address with a 200 answer (redirects are not followed).';

export async function clientFromDocument(deps: Deps, clientId: string): Promise<OAuthClient> {
  const cache = deps.caches.get(DOCUMENTS);
  const now = deps.clock.now();
  const hit = cache.get(clientId);
  if (hit && hit.until > now) return hit.client;
  const url = new URL(clientId);
  if (hostRefusal(url.hostname, publicOnlyPolicy(deps.config))) throw refuse(NOT_FETCHED);
  let text: string;
  try {
    const response = await deps.publicExchange(
      { method: 'GET', url, headers: { accept: 'application/json' } },
      { deadline: Date.now() + TIMEOUT_MS, timeoutMs: TIMEOUT_MS, maxResponseBytes: MAX_DOCUMENT_BYTES },
    );
    if (response.status !== 200) throw refuse(NOT_FETCHED);
    text = response.text;
  } catch (error) {
    if (error instanceof UpstreamFailure) throw refuse(NOT_FETCHED);
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw refuse('The client metadata document is not JSON.');
  }
  if (typeof document !== 'object' || document === null || (document as { client_id?: unknown }).client_id !== clientId)
    throw refuse('The client metadata document must name its own URL as client_id.');
  if ('client_secret' in document) throw refuse('A client metadata document must not carry a client_secret.');
  let metadata: OAuthClient['metadata'];
  try {
    metadata = parseClientMetadata(document, 'none');
  } catch (error) {
    if (error instanceof OAuthProtocolError) throw refuse(`The client metadata document is invalid: ${error.description}`);
    throw error;
  }
  // no shared secret can be agreed with a document (the draft's §4.1: none or private_key_jwt)
  if (metadata.token_endpoint_auth_method !== 'none')
    throw refuse('A client metadata document client must use token_endpoint_auth_method none.');
  const client: OAuthClient = { id: clientId, secretHash: null, metadata, createdAt: now, firstGrantedAt: null };
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(clientId, { client, until: now + CACHE_MS });
  return client;
}
