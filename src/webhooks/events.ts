import type { Kysely } from 'kysely';
import type { Deps } from '../deps.ts';
import { newId } from '../ids.ts';
import { accountView } from '../services/account-view.ts';
import { recordConnectionEvent } from '../services/audit-log.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { outboxRepo, webhookSubscriptionsRepo } from '../../storage/repos/webhooks.ts';
import type { Database } from '../../storage/schema.ts';

export const EVENT_TYPES = {
  'composio.connected_account.expired': 'A connected account can no longer be refreshed; the user must reconnect.',
  'composio.connected_account.active': 'A connected account became ACTIVE (connected or reconnected).',
  'composio.connected_account.failed': 'A connection attempt failed (denied consent, failed token exchange).',
} as const;

export type EventType = keyof typeof EVENT_TYPES;

/** The audit log's name for each event (services/audit-log.ts). */
const AUDIT_ACTIONS = {
  'composio.connected_account.expired': 'expired',
  'composio.connected_account.active': 'active',
  'composio.connected_account.failed': 'failed',
} as const satisfies Record<EventType, string>;

/**
 * Changes an account and records the event about it in one transaction: the change, its audit log
 * row and its webhooks are committed together or not at all, so a crash can lose none. `change`
 * returns whether it changed anything; only then is an event written (one outbox row per subscription
 * that wants it).
 *
 * Invariant, which per-account delivery order rests on (storage/repos/webhooks.ts: claimDue): `change`
 * updates the account's row (a conditional UPDATE) before the outbox insert, in this one transaction.
 * On PostgreSQL that row lock makes a second transaction emitting for the same account wait until this
 * one commits, so events of one account are numbered in commit order, and no later event of an account
 * becomes visible to a deliverer while an earlier one is still uncommitted.
 */
export async function emitAccountEvent(
  deps: Deps,
  type: EventType,
  accountId: string,
  change: (trx: Kysely<Database>) => Promise<boolean>,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await change(trx))) return false;
    const account = await connectedAccountsRepo(trx).findById(accountId);
    if (!account) return true;
    await recordConnectionEvent(deps, account, AUDIT_ACTIONS[type], account.statusReason ? { reason: account.statusReason } : null, {
      db: trx,
    });
    const subscriptions = (await webhookSubscriptionsRepo(trx).list()).filter((s) => s.enabledEvents.includes(type));
    if (subscriptions.length === 0) return true;
    const config = await authConfigsRepo(trx).findById(account.authConfigId);
    const eventId = newId('msg');
    const now = deps.clock.now();
    const payload = JSON.stringify({
      id: eventId,
      timestamp: new Date(now).toISOString(),
      type,
      // as it is now, masked; delivery shapes it for the wire (delivery/deliver.ts)
      account: accountView(deps, account, config),
      metadata: { project_id: deps.installationId, org_id: deps.installationId },
    });
    await outboxRepo(trx).insert(
      subscriptions.map((s) => ({
        eventId: eventId,
        subscriptionId: s.id,
        eventType: type,
        accountId: accountId,
        payload,
        attempts: 0,
        nextAttemptAt: now,
        claimedUntil: null,
        deliveredAt: null,
        lastStatus: null,
        createdAt: now,
      })),
    );
    return true;
  });
}
