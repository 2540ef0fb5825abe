import { connectionResultUrl } from '../callback-url.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { verificationsRepo } from '../../storage/repos/verifications.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { LINKABLE_STATUSES, STATUS_REASONS, type Credentials } from './account-state.ts';
import { activateAccount, failAccount, revokeUnclaimed } from './connected-accounts.ts';
import type { ConnectLink, ConnectedAccount, VerificationKind } from '../../storage/domain.ts';

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

/**
 * `complete_auth`: spends the reference atomically (of two concurrent calls exactly one gets it), then
 * the named user either owns the subject (it finishes) or not (it fails, and the caller learns nothing
 * more). Unknown, expired and used references are one answer, so none can be told from another.
 */
export async function completeAuth(deps: Deps, sessionUri: string, userId: string): Promise<CompletedConnection> {
  const verification = await verificationsRepo(deps.db).consume(hashSecret(sessionUri), deps.clock.now());
  if (!verification) throw new AppError('VERIFICATION_NOT_FOUND');
  const held = deps.vault.openJson<HeldConnection>(verification.payloadSealed, sealedAad(PAYLOAD_COLUMN, verification.id));
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
