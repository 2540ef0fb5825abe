import { connectionResultUrl } from '../callback-url.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, newId, newSecret, sameSecret } from '../ids.ts';
import { abandonAuthorization, approveAuthorization, pendingAuthorization } from '../grants/authorizations.ts';
import { getSession } from '../sessions/session.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { verificationsRepo } from '../../storage/repos/verifications.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { LINKABLE_STATUSES, STATUS_REASONS, type Credentials } from './account-state.ts';
import { activateAccount, failAccount } from './connected-accounts.ts';
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

/** The browser's way back from the app once it named the right user: long enough for one redirect. */
const RETURN_TTL_MS = 2 * 60_000;

/** The kinds `complete_auth` redeems; a return reference is redeemed only by the browser, at the return route. */
const APP_KINDS: readonly VerificationKind[] = ['connection', 'mcp_authorization'];

/** Stores a payload for a subject (replacing any earlier row of it) under a new single-use reference, returned. */
async function storeVerification(
  deps: Deps,
  row: { kind: VerificationKind; subjectId: string; userId: string; ttlMs: number },
  payload: object,
): Promise<string> {
  const reference = newSecret(row.kind === 'mcp_authorization_return' ? 'lkr' : 'lkv');
  const id = newId('ver');
  const now = deps.clock.now();
  await verificationsRepo(deps.db).insert({
    id,
    kind: row.kind,
    subjectId: row.subjectId,
    userId: row.userId,
    refHash: hashSecret(reference),
    payloadSealed: deps.vault.sealJson(payload, sealedAad(PAYLOAD_COLUMN, id)),
    createdAt: now,
    expiresAt: now + row.ttlMs,
    usedAt: null,
  });
  return reference;
}

/** Holds a payload for a subject until the app names `userId`; answers where to send the browser. */
async function startVerification(deps: Deps, kind: VerificationKind, subjectId: string, userId: string, payload: object): Promise<string> {
  const reference = await storeVerification(deps, { kind, subjectId, userId, ttlMs: VERIFICATION_TTL_MS }, payload);
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

/**
 * What a paused MCP authorization needs to finish: the request's id (a secret, so held sealed), its
 * session, and the hash of the nonce in the cookie of the browser that pressed Continue.
 */
interface HeldAuthorization {
  requestId: string;
  sessionId: string;
  clientId: string;
  browserHash: string;
}

export interface CompletedAuthorization {
  sessionId: string;
  clientId: string;
  /** latchkey's return route with a single-use `ref`: the browser that pressed Continue gets the code there */
  callbackUrl: string;
}

/** Where the app sends the browser after a match; the code is handed out there, to the consent page's browser only. */
export const AUTHORIZATION_RETURN_PATH = '/oauth/authorize/return';

/** The cookie that binds a paused authorization to the browser that pressed Continue, one per request. */
export const authorizationCookie = (request: Pick<OAuthRequest, 'idHash'>) => `lk_authz_${request.idHash.slice(0, 16)}`;

export type CompletedVerification =
  | ({ kind: 'connection' } & CompletedConnection)
  | ({ kind: 'mcp_authorization' } & CompletedAuthorization);

/**
 * An MCP client's authorization, with a verifier set: the person pressed Continue on the consent page,
 * and the app must now name the session's user: the app is what authenticates the resource owner
 * (RFC 6749 §4.1 step B) for latchkey. The request stays pending meanwhile.
 */
export async function holdAuthorization(
  deps: Deps,
  requestId: string,
  request: OAuthRequest,
): Promise<{ verifierUrl: string; browserNonce: string }> {
  const session = await getSession(deps, request.sessionId);
  // MCP URLs are not secret: anyone can open a request for a victim's session and send the verifier
  // link on. The cookie set with this nonce ties the request to the browser that saw the consent page
  // (RFC 9700 §4.7: CSRF and session fixation of the authorization response), as a Connect Link's flow cookie does.
  const browserNonce = newSecret('lkb');
  const held: HeldAuthorization = { requestId, sessionId: session.id, clientId: request.clientId, browserHash: hashSecret(browserNonce) };
  const verifierUrl = await startVerification(deps, 'mcp_authorization', request.idHash, session.userId, held);
  return { verifierUrl, browserNonce };
}

/**
 * `complete_auth`: spends the reference atomically (of two concurrent calls exactly one gets it), then
 * the named user either owns the subject (it finishes) or not (it fails, and the caller learns nothing
 * more). Unknown, expired and used references are one answer, so none can be told from another. A
 * reference finishes only the kind of flow it was made for.
 */
export async function completeAuth(deps: Deps, sessionUri: string, userId: string): Promise<CompletedVerification> {
  const verification = await verificationsRepo(deps.db).consume(hashSecret(sessionUri), deps.clock.now(), APP_KINDS);
  if (!verification) throw new AppError('VERIFICATION_NOT_FOUND');
  const held = deps.vault.openJson<object>(verification.payloadSealed, sealedAad(PAYLOAD_COLUMN, verification.id));
  if (verification.kind === 'mcp_authorization')
    return { kind: verification.kind, ...(await completeAuthorization(deps, verification, held as HeldAuthorization, userId)) };
  return { kind: 'connection', ...(await completeConnection(deps, verification, held as HeldConnection, userId)) };
}

async function completeConnection(
  deps: Deps,
  verification: Verification,
  held: HeldConnection,
  userId: string,
): Promise<CompletedConnection> {
  const account = await connectedAccountsRepo(deps.db).findById(verification.subjectId);
  // deleted while it waited: the held tokens went with the spent row and are dropped here (never stored)
  if (!account) throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: 'The connection this session_uri completes was deleted.' });
  if (userId !== verification.userId) {
    if (LINKABLE_STATUSES.includes(account.status)) await failAccount(deps, account.id, STATUS_REASONS.IDENTITY_MISMATCH, account.status);
    // the held payload went with the spent row and is dropped here, never stored on an account. No
    // revocation at the provider: for some (Google's) it ends the person's whole grant to this client,
    // which would cut off their own ACTIVE account of the same auth config.
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
  const pending = await pendingAuthorization(deps, held.requestId);
  if (!pending || pending.request.sessionId !== held.sessionId)
    throw new AppError('VERIFICATION_NOT_FOUND', {
      message: 'The MCP authorization this session_uri completes expired or was already answered; start again from the MCP client.',
    });
  // The app vouched for the person in its browser, but that may not be the browser that pressed
  // Continue (a link sent on by whoever opened the request). No code here: the request is marked
  // verified by a short-lived return reference, and the code goes only to the browser with the cookie.
  const ref = await storeVerification(
    deps,
    { kind: 'mcp_authorization_return', subjectId: verification.subjectId, userId, ttlMs: RETURN_TTL_MS },
    held,
  );
  const url = new URL(AUTHORIZATION_RETURN_PATH, deps.config.publicUrl);
  url.searchParams.set('ref', ref);
  return { sessionId: held.sessionId, clientId: held.clientId, callbackUrl: url.href };
}

export type AuthorizationReturn = { outcome: 'approved'; redirect: string } | { outcome: 'other_browser' } | { outcome: 'unknown' };

/**
 * The browser's return from the app after a match: the reference is spent, and the code is issued
 * only if this browser's cookie holds the nonce set when Continue was pressed (compared in constant
 * time). Without it the request is abandoned: no code is ever issued for it.
 */
export async function returnFromVerifier(
  deps: Deps,
  ref: string,
  cookieOf: (request: Pick<OAuthRequest, 'idHash'>) => string | undefined,
): Promise<AuthorizationReturn> {
  const verification = ref
    ? await verificationsRepo(deps.db).consume(hashSecret(ref), deps.clock.now(), ['mcp_authorization_return'])
    : undefined;
  if (!verification) return { outcome: 'unknown' };
  const held = deps.vault.openJson<HeldAuthorization>(verification.payloadSealed, sealedAad(PAYLOAD_COLUMN, verification.id));
  const nonce = cookieOf({ idHash: verification.subjectId });
  if (!nonce || !sameSecret(hashSecret(nonce), held.browserHash)) {
    await abandonAuthorization(deps, held.requestId);
    return { outcome: 'other_browser' };
  }
  const session = await getSession(deps, held.sessionId).catch(() => undefined);
  const redirect = session && (await approveAuthorization(deps, held.requestId, session));
  return redirect ? { outcome: 'approved', redirect } : { outcome: 'unknown' };
}
