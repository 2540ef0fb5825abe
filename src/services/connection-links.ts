import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';

import { writeTransaction } from '../../storage/db.ts';
import { connectLinksRepo } from '../../storage/repos/connect-links.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { expireAbandonedAccounts, LINK_TTL_MS } from './account-state.ts';
import { checkCallbackUrl, insertInitiatedAccount, issueLink, storedLink, type CreatedLink } from './connected-accounts.ts';
import type { AuthConfig } from '../../storage/domain.ts';

export interface UserLinkRequest {
  userId: string;
  toolkit: ToolkitFile;
  /** the enabled auth config a new account goes through (a session's override, or the default one) */
  authConfig: AuthConfig;
  /** re-use only accounts of this auth config (a session's override); otherwise any of the toolkit */
  onlyAuthConfigId?: string;
  /** re-use only these accounts (a session's pinned accounts of the toolkit) */
  onlyAccountIds?: string[];
  callbackUrl?: string | null;
  alias?: string;
  /** the caller asked for another account (an alias, multi-account): never re-use a pending one */
  newAccount?: boolean;
  /**
   * an explicit re-initiation by the app (session.authorize): an EXPIRED account goes back to
   * INITIATED, the status Composio's `waitForConnection` polls from (it fails fast on EXPIRED)
   */
  reinitiate?: boolean;
}

/**
 * The one way a Connect Link is handed out for a user's toolkit (tool calls without a connection,
 * COMPOSIO_MANAGE_CONNECTIONS, session.authorize). The user's pending connection is re-used: the
 * newest INITIATED account still in time, with its open link when the callback URL matches, else the
 * newest EXPIRED account. Only without one is a new INITIATED account made, so a model that retries
 * does not pile up rows.
 *
 * An EXPIRED account keeps its status and reason while its reconnect link is pending: the app's
 * `statuses=EXPIRED` listing and the expired webhook stay true until the user completes the link,
 * which brings the same account id to ACTIVE. Composio keeps one account per connection and makes a
 * new INITIATED row only for a new connection; a reconnect is of the same account, so the pending
 * state lives on the link rather than in a second row.
 *
 * Find-or-create runs in one BEGIN IMMEDIATE transaction: concurrent calls, in this process or
 * another, see each other's row instead of both inserting one.
 */
export async function linkForUser(deps: Deps, request: UserLinkRequest): Promise<CreatedLink> {
  await expireAbandonedAccounts(deps);
  const callbackUrl = checkCallbackUrl(request.callbackUrl ?? undefined);
  return writeTransaction(deps.db, async (trx) => {
    const now = deps.clock.now();
    const accounts = connectedAccountsRepo(trx);
    const pending = request.newAccount
      ? undefined
      : await accounts.findPending(request.userId, request.toolkit.slug, {
          authConfigId: request.onlyAuthConfigId,
          ids: request.onlyAccountIds,
          initiatedSince: now - LINK_TTL_MS,
        });
    if (!pending) {
      const account = await insertInitiatedAccount(deps, request.authConfig, request.toolkit, request, {}, trx);
      return issueLink(deps, account, callbackUrl, trx);
    }
    let account = pending;
    if (request.reinitiate && account.status === 'EXPIRED') {
      account = { ...account, status: 'INITIATED', statusReason: null, updatedAt: now };
      await accounts.update(account.id, { status: account.status, statusReason: null, updatedAt: now });
    }
    const open = await connectLinksRepo(trx).findOpenForAccount(account.id, now);
    if (open && open.callbackUrl === (callbackUrl ?? null)) return storedLink(deps, account, open);
    if (account.status === 'INITIATED') {
      // its ten minutes start again with the new link, so the account does not lapse while the link is valid
      account = { ...account, updatedAt: now };
      await accounts.update(account.id, { updatedAt: now });
    }
    return issueLink(deps, account, callbackUrl, trx);
  });
}
