import { timingSafeEqual } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { OAuthProtocolError } from '../errors.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import type { OAuthClient } from '../../storage/domain.ts';
import { oauthClientsRepo } from '../../storage/repos/oauth.ts';
import { clientFromDocument, isMetadataDocumentId } from './client-documents.ts';
import { parseClientMetadata } from './client-metadata.ts';

/**
 * Registration is open to anyone, so what nobody uses must not pile up: a client nobody authorized
 * within an hour is dropped (an MCP client registers right before it opens the consent page, and can
 * register again), and of the clients nobody authorized yet only the newest MAX_UNUSED_CLIENTS are
 * kept (evicting the oldest rather than refusing, so a flood cannot lock honest clients out; with
 * MAX_REGISTRATION_BYTES, at most a few MB).
 */
const UNUSED_CLIENT_MS = 3_600_000;
export const MAX_UNUSED_CLIENTS = 1000;

/** Dynamic client registration (RFC 7591 §3.1): checked metadata stored, a secret only when asked for, and only by hash. */
export async function registerClient(deps: Deps, input: unknown) {
  const metadata = parseClientMetadata(input, 'client_secret_basic');
  const now = deps.clock.now();
  const id = newId('mcpc');
  const secret = metadata.token_endpoint_auth_method === 'none' ? undefined : newSecret('lkcs');
  await oauthClientsRepo(deps.db).insert(
    { id, secretHash: secret ? hashSecret(secret) : null, metadata, createdAt: now, firstGrantedAt: null },
    { now, unusedSince: now - UNUSED_CLIENT_MS, maxUnused: MAX_UNUSED_CLIENTS },
  );
  // RFC 7591 §3.2.1: the registered metadata, with the id (and secret, shown this once)
  return {
    client_id: id,
    client_id_issued_at: Math.floor(now / 1000),
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    ...metadata,
  };
}

/** A client by id: a registered one, or one whose id is the URL of its metadata document; undefined when unknown. */
export async function findClient(deps: Deps, clientId: string): Promise<OAuthClient | undefined> {
  if (isMetadataDocumentId(deps, clientId)) return clientFromDocument(deps, clientId);
  if (!/^mcpc_[A-Za-z0-9]{16}$/.test(clientId)) return undefined;
  return oauthClientsRepo(deps.db).findById(clientId);
}

/** How a request to the token or revocation endpoint identified its client (RFC 6749 §2.3.1). */
export interface ClientCredentials {
  clientId: string | undefined;
  secret: string | undefined;
}

const sameHash = (a: string, b: string) => timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The client a token or revocation request authenticates as; invalid_client otherwise (RFC 6749 §5.2). */
export async function authenticateClient(deps: Deps, credentials: ClientCredentials): Promise<OAuthClient> {
  const fail = () => new OAuthProtocolError('invalid_client', 'Client authentication failed.');
  if (!credentials.clientId) throw fail();
  const client = await findClient(deps, credentials.clientId);
  if (!client) throw fail();
  if (client.secretHash === null) {
    // a public client proves nothing but its id; a secret sent for it is a confused client
    if (credentials.secret !== undefined) throw fail();
    return client;
  }
  if (credentials.secret === undefined || !sameHash(hashSecret(credentials.secret), client.secretHash)) throw fail();
  return client;
}
