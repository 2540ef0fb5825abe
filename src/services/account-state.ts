import { CacheSlot, type Deps } from '../deps.ts';
import { ParsedJsonCache } from '../../storage/parsed-json-cache.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';

/** How a connected account's two halves are stored: secrets sealed, connection fields in clear JSON. */
const CREDENTIALS_COLUMN = sealed('connected_accounts', 'credentials_sealed');

export type Credentials = Record<string, string>;

export const STATUS_REASONS = {
  INITIATION_EXPIRED: 'Connection initiation did not complete within 10 minutes',
  CALLBACK_FAILED: 'OAuth callback failed during token exchange',
  USER_UPDATED: 'Connection status updated by user',
  AUTH_CONFIG_DISABLED: 'Auth config is disabled',
  REVOKED_BY_USER: 'Revoked via user-initiated revoke endpoint',
  REVOKED_ON_DELETE: 'Revoked as part of connection delete',
  IDENTITY_MISMATCH: 'Identity check failed: the app named another user than the one this connection was started for',
} as const;

export const LINK_TTL_MS = 10 * 60_000;

/**
 * The statuses a live Connect Link may complete its account from: INITIATED (a new connection or an
 * explicit re-initiation), and EXPIRED (a reconnect link handed to the agent leaves the account
 * EXPIRED, with its reason, until the user completes it). REVOKED, FAILED, INACTIVE never come back
 * through an old link; the link itself is single-use and expires after LINK_TTL_MS.
 */
export const LINKABLE_STATUSES: readonly string[] = ['INITIATED', 'EXPIRED'];

export function sealCredentials(deps: Deps, accountId: string, credentials: Credentials): string {
  return deps.vault.sealJson(credentials, sealedAad(CREDENTIALS_COLUMN, accountId));
}

// as many accounts as a busy process calls tools for; an account past it is opened again when used
const OPENED_CREDENTIALS = new CacheSlot('opened credentials', () => new ParsedJsonCache(2000));

/**
 * An account's secrets, opened. Every tool call needs them, and opening (AES-GCM set-up) cost more than
 * the rest of the call's reads, so the opened value is kept per account while its sealed text is the
 * same: a refresh, a rotation or a reconnect writes new sealed text and the next read opens that. Kept
 * in this process's memory only, frozen, never written anywhere.
 */
export function credentialsOf(deps: Deps, account: ConnectedAccount): Readonly<Credentials> {
  const stored = account.credentialsSealed;
  if (!stored) return {};
  const aad = sealedAad(CREDENTIALS_COLUMN, account.id);
  return deps.caches.get(OPENED_CREDENTIALS).parse(account.id, stored, (text) => deps.vault.open(text, aad)) as Credentials;
}

/** Accounts still INITIATED but last changed before this are abandoned: their link's lifetime is over. */
export function abandonedBefore(deps: Deps): number {
  return deps.clock.now() - LINK_TTL_MS;
}

/**
 * An account as a read shows it: one abandoned while INITIATED is EXPIRED, whether or not the
 * background pass (expireAbandonedAccounts) has written that yet, so a read never writes.
 */
export function withAbandonedExpired(deps: Deps, account: ConnectedAccount): ConnectedAccount {
  if (account.status !== 'INITIATED' || account.updatedAt >= abandonedBefore(deps)) return account;
  return { ...account, status: 'EXPIRED', statusReason: STATUS_REASONS.INITIATION_EXPIRED };
}

/**
 * Writes what reads derive: abandoned INITIATED accounts turn EXPIRED. Run by the background loop,
 * and before a change to accounts, so the change starts from the status the API shows.
 */
export async function expireAbandonedAccounts(deps: Deps): Promise<void> {
  await connectedAccountsRepo(deps.db).expireAbandoned(abandonedBefore(deps), STATUS_REASONS.INITIATION_EXPIRED);
}
