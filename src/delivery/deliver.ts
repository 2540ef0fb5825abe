import { connectedAccountWire } from '../api/wire/accounts.ts';
import type { Deps } from '../deps.ts';
import type { AccountView } from '../services/account-view.ts';
import { signWebhook } from '../webhooks/sign.ts';
import { outboxRepo, webhookSubscriptionsRepo, type OutboxRow } from '../../storage/repos/webhooks.ts';
import { sealedAad, SEALED_COLUMNS } from '../../storage/schema.ts';

const SECRET_COLUMN = SEALED_COLUMNS[5];
/** how long a delivery stays claimed: past it (its process died mid-send) another pass sends it again */
export const DELIVERY_CLAIM_MS = 30_000;
const TIMEOUT_MS = 10_000;
const BACKOFF_MAX_MS = 10 * 60_000;

/** 1 s, 2 s, 4 s … up to 10 minutes between attempts; delivery never gives up on its own. */
export function backoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

/**
 * What a receiver gets: Composio's event envelope with the account in its wire shape. The outbox keeps
 * the account as it was at the change (already masked); a row written before it did carries the body.
 */
function bodyOf(stored: string): string {
  const event = JSON.parse(stored) as { id: string; timestamp: string; type: string; account?: AccountView; metadata: unknown };
  if (!event.account) return stored;
  return JSON.stringify({ id: event.id, timestamp: event.timestamp, type: event.type, data: connectedAccountWire(event.account), metadata: event.metadata });
}

async function deliverOne(deps: Deps, row: OutboxRow): Promise<void> {
  const outbox = outboxRepo(deps.db);
  const subscription = await webhookSubscriptionsRepo(deps.db).findById(row.subscription_id);
  if (!subscription) return;
  const attempts = row.attempts + 1;
  const timestamp = Math.floor(deps.clock.now() / 1000);
  const secret = deps.vault.open(subscription.secret_sealed, sealedAad(SECRET_COLUMN, subscription.id));
  const body = bodyOf(row.payload);
  let status: number | null = null;
  try {
    // through the exchange, whose address policy also applies to what the URL's name resolves to now
    const response = await deps.exchange(
      {
        method: 'POST',
        url: new URL(subscription.webhook_url),
        headers: {
          'content-type': 'application/json',
          'webhook-id': row.event_id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, row.event_id, timestamp, body),
          'x-composio-webhook-version': subscription.version,
          'x-composio-delivery-attempt': String(attempts),
        },
        body,
      },
      // a receiver's answer is not used, only its status: a 2xx with a large page is still delivered
      { deadline: Date.now() + TIMEOUT_MS, timeoutMs: TIMEOUT_MS, maxResponseBytes: 0, statusOnly: true },
    );
    status = response.status;
  } catch {
    status = null;
  }
  if (status !== null && status >= 200 && status < 300) {
    await outbox.markDelivered(row.seq, status, deps.clock.now(), attempts);
  } else {
    await outbox.markFailed(row.seq, status, attempts, deps.clock.now() + backoffMs(attempts));
    deps.log.warn({ subscription_id: subscription.id, event_id: row.event_id, status, attempts }, 'webhook delivery failed: will retry');
  }
}

/**
 * One pass over the outbox: claim due deliveries (so several processes share the work without
 * sending one twice at once) and send them. Returns how many were attempted.
 */
export async function deliverDue(deps: Deps, limit = 50): Promise<number> {
  const outbox = outboxRepo(deps.db);
  const due = await outbox.listDue(deps.clock.now(), limit);
  const claimed: OutboxRow[] = [];
  for (const row of due) if (await outbox.claim(row.seq, deps.clock.now(), DELIVERY_CLAIM_MS)) claimed.push(row);
  // per account in order: deliveries for one (subscription, account) pair never run side by side
  const byKey = new Map<string, OutboxRow[]>();
  for (const row of claimed) {
    const key = `${row.subscription_id}/${row.account_id}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  await Promise.all(
    [...byKey.values()].map(async (rows) => {
      for (const row of rows) await deliverOne(deps, row);
    }),
  );
  return claimed.length;
}
