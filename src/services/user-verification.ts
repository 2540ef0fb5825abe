import { connectionResultUrl } from '../callback-url.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import { abandonAuthorization, approveAuthorization } from '../grants/authorizations.ts';
import { getSession } from '../sessions/session.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { verificationsRepo } from '../../storage/repos/verifications.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { LINKABLE_STATUSES, STATUS_REASONS, type Credentials } from './account-state.ts';
import { activateAccount, failAccount, revokeUnclaimed } from './connected-accounts.ts';
import type { ConnectLink, ConnectedAccount, OAuthRequest, Verification, VerificationKind } from '../../storage/domain.ts';

/**
 * Callback identity verification, wire-compatible with Composio's (changelog 2026-07-17): with a
 * verifier URL set, a flow that a browser finished does not take effect; what it yielded is held
 * sealed and the browser goes to `<verifier>?session_uri=<reference>`. The app reads its own login
 * and calls `complete_auth` with the reference and its user: the right user finishes the flow, any
 * other fails it. A Connect Link is a bearer URL, so this is what stops a victim's account from being
 * attached to the attacker who sent the link (OAuth session fixation).
 *
 * The reference is random, stored by hash, single-use and expires after VERIFICATION_TTL_MS. A row
 * names its `kind` and subject, so another flow that needs the app to name its user (an MCP client's
 * authorization) pauses and completes through the same rows and the same endpoint.
 */

const PAYLOAD_COLUMN = sealed('verifications', 'payload_sealed');

/** Composio's session_uri lasts 10 minutes. */
export const VERIFICATION_TTL_MS = 10 * 60_000;

/** What a paused connection needs to finish: what the provider or the form yielded, and the app's callback URL. */
export interface HeldConnection {
  credentials: Credentials;
  connectionData: Record<string, string>;
  expiresAt: number | null;
  callbackUrl: string | null;
}

/** What a finished link yields, before it takes effect. */
export type ConnectionGrant = Omit<HeldConnection, 'callbackUrl'>;

export interface CompletedConnection {
  account: ConnectedAccount;
  /** the link's callback URL with `status=success&connected_account_id=…`; null when the link had none */
  callbackUrl: string | null;
}

export const verificationRequired = (deps: Deps): boolean => deps.config.userVerifierUrl !== null;

/** Where a hosted form's answer may redirect to reach the verifier, as CSP form-action sources (which cover redirects). */
export const verifierFormTargets = (deps: Deps): string[] =>
  deps.config.userVerifierUrl ? [new URL(deps.config.userVerifierUrl).origin] : [];

/** Holds a payload for a subject until the app names `userId`; answers where to send the browser. */
async function startVerification(deps: Deps, kind: VerificationKind, subjectId: string, userId: string, payload: object): Promise<string> {
  const reference = newSecret('lkv');
  const id = newId('ver');
  const now = deps.clock.now();
  await verificationsRepo(deps.db).insert({
    id,
    kind,
    subjectId,
    userId,
    refHash: hashSecret(reference),
    payloadSealed: deps.vault.sealJson(payload, sealedAad(PAYLOAD_COLUMN, id)),
    createdAt: now,
    expiresAt: now + VERIFICATION_TTL_MS,
    usedAt: null,
  });
  // the verifier's own query stays; only session_uri is added (nothing else about the flow leaves)
  const url = new URL(deps.config.userVerifierUrl!);
  url.searchParams.set('session_uri', reference);
  return url.href;
}

/**
 * A connection whose provider answered (or whose form was accepted) waits for the app: its account
 * stays as it was (INITIATED, or EXPIRED for a reconnect), so tool calls still get a Connect Link.
 */
export async function holdConnection(deps: Deps, account: ConnectedAccount, link: ConnectLink, grant: ConnectionGrant): Promise<string> {
  // an INITIATED account is abandoned ten minutes after its last change: it starts again here, so the
  // account lives as long as its reference
  await connectedAccountsRepo(deps.db).updateIfStatus(account.id, 'INITIATED', { updatedAt: deps.clock.now() });
  const held: HeldConnection = { ...grant, callbackUrl: link.callbackUrl };
  return startVerification(deps, 'connection', account.id, account.userId, held);
}

/** What a paused MCP authorization needs to finish: the request's id (a secret, so held sealed) and its session. */
interface HeldAuthorization {
  requestId: string;
  sessionId: string;
  clientId: string;
}

export interface CompletedAuthorization {
  sessionId: string;
  clientId: string;
  /** the client's redirect URI with `code`, `state` and `iss` (RFC 9207) */
  callbackUrl: string;
}

export type CompletedVerification =
  | ({ kind: 'connection' } & CompletedConnection)
  | ({ kind: 'mcp_authorization' } & CompletedAuthorization);

/**
 * An MCP client's authorization, with a verifier set: the person pressed Continue on the consent page,
 * and the app must now name the session's user: the app is what authenticates the resource owner
 * (RFC 6749 §4.1 step B) for latchkey. The request stays pending meanwhile.
 */
export async function holdAuthorization(deps: Deps, requestId: string, request: OAuthRequest): Promise<string> {
  const session = await getSession(deps, request.sessionId);
  const held: HeldAuthorization = { requestId, sessionId: session.id, clientId: request.clientId };
  return startVerification(deps, 'mcp_authorization', request.idHash, session.userId, held);
}

/**
 * `complete_auth`: spends the reference atomically (of two concurrent calls exactly one gets it), then
 * the named user either owns the subject (it finishes) or not (it fails, and the caller learns nothing
 * more). Unknown, expired and used references are one answer, so none can be told from another. A
 * reference finishes only the kind of flow it was made for.
 */
export async function completeAuth(deps: Deps, sessionUri: string, userId: string): Promise<CompletedVerification> {
  const verification = await verificationsRepo(deps.db).consume(hashSecret(sessionUri), deps.clock.now());
  if (!verification) throw new AppError('VERIFICATION_NOT_FOUND');
  const held = deps.vault.openJson<object>(verification.payloadSealed, sealedAad(PAYLOAD_COLUMN, verification.id));
  if (verification.kind === 'mcp_authorization')
    return { kind: verification.kind, ...(await completeAuthorization(deps, verification, held as HeldAuthorization, userId)) };
  return { kind: verification.kind, ...(await completeConnection(deps, verification, held as HeldConnection, userId)) };
}

async function completeConnection(
  deps: Deps,
  verification: Verification,
  held: HeldConnection,
  userId: string,
): Promise<CompletedConnection> {
  const account = await connectedAccountsRepo(deps.db).findById(verification.subjectId);
  if (!account) throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: 'The connection this session_uri completes was deleted.' });
  if (userId !== verification.userId) {
    if (LINKABLE_STATUSES.includes(account.status)) await failAccount(deps, account.id, STATUS_REASONS.IDENTITY_MISMATCH, account.status);
    // the held payload went with the spent row; the tokens it carried are someone else's (the person
    // who finished the flow), so they are revoked at the provider too, as a delete does (RFC 7009)
    await revokeUnclaimed(deps, account, held);
    throw new AppError('VERIFICATION_USER_MISMATCH');
  }
  const active = await activateAccount(deps, account, held.credentials, held.connectionData, held.expiresAt);
  return { account: active, callbackUrl: connectionResultUrl(held.callbackUrl, account.id, 'success') };
}

async function completeAuthorization(
  deps: Deps,
  verification: Verification,
  held: HeldAuthorization,
  userId: string,
): Promise<CompletedAuthorization> {
  if (userId !== verification.userId) {
    // the request dies with its reference: the client gets no code, and only a new /oauth/authorize starts over
    await abandonAuthorization(deps, held.requestId);
    throw new AppError('VERIFICATION_USER_MISMATCH', {
      message: 'The user_id is not the user of the session this MCP client asked for; the authorization is refused.',
    });
  }
  const session = await getSession(deps, held.sessionId);
  const callbackUrl = await approveAuthorization(deps, held.requestId, session);
  if (!callbackUrl)
    throw new AppError('VERIFICATION_NOT_FOUND', {
      message: 'The MCP authorization this session_uri completes expired or was already answered; start again from the MCP client.',
    });
  return { sessionId: session.id, clientId: held.clientId, callbackUrl };
}
