import type { Deps } from '../deps.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';
import { outboxRepo } from '../../storage/repos/webhooks.ts';
import type { OutboxEvent, StoredSession } from '../../storage/domain.ts';
import { listAccounts } from './account-listing.ts';
import { abandonedBefore } from './account-state.ts';
import type { AccountView } from './account-view.ts';

/** The operator's questions across the whole installation (the console's overview and search), read-only. */
export interface Overview {
  /** accounts per status as the API shows them */
  byStatus: Record<string, number>;
  /** the newest FAILED and EXPIRED accounts, with their reason */
  recentFailures: AccountView[];
  /** ACTIVE accounts whose token expires within the refresh margin, and those whose last refresh failed */
  refresh: { dueSoon: number; failing: number };
  /** webhook events not yet delivered, and when the oldest of them was queued */
  webhooks: { pending: number; oldestPendingAt: number | null };
}

export async function overview(deps: Deps, failures = 10): Promise<Overview> {
  const accounts = connectedAccountsRepo(deps.db);
  const outbox = outboxRepo(deps.db);
  const [byStatus, recent, dueSoon, failing, pending, oldestPendingAt] = await Promise.all([
    accounts.countByStatus(abandonedBefore(deps)),
    listAccounts(deps, { statuses: ['FAILED', 'EXPIRED'], orderBy: 'updatedAt', direction: 'desc', offset: 0, limit: failures }),
    accounts.countExpiringBefore(deps.clock.now() + deps.config.refresh.marginMs),
    accounts.countRefreshFailing(),
    outbox.pendingCount(),
    outbox.oldestPendingAt(),
  ]);
  return { byStatus, recentFailures: recent.items, refresh: { dueSoon, failing }, webhooks: { pending, oldestPendingAt } };
}

/** User ids (of connected accounts) starting with `prefix`. */
export function findUserIds(deps: Deps, prefix: string, limit = 50): Promise<string[]> {
  return connectedAccountsRepo(deps.db).userIdsByPrefix(prefix, limit);
}

export function userSessions(deps: Deps, userId: string, limit = 50): Promise<StoredSession[]> {
  return sessionsRepo(deps.db).listByUser(userId, limit);
}

/** The outbox, newest first: each event with its attempts, last status and next retry. */
export function recentDeliveries(deps: Deps, limit: number, offset: number): Promise<OutboxEvent[]> {
  return outboxRepo(deps.db).listRecent(limit, offset);
}
