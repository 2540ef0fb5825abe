import type { Deps } from '../deps.ts';
import { outboxRepo, webhookSubscriptionsRepo } from '../../storage/repos/webhooks.ts';
import { subscriptionSecret } from './subscriptions.ts';
import type { OutboxEvent } from '../../storage/domain.ts';

/** how long a delivery stays claimed: past it (its process died mid-send) another pass sends it again */
export const DELIVERY_CLAIM_MS = 30_000;
const BACKOFF_MAX_MS = 10 * 60_000;

/** 1 s, 2 s, 4 s … up to 10 minutes between attempts; delivery never gives up on its own. */
export function backoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

/** One attempt to hand an event to one subscription: what the sender needs, nothing sealed. */
export interface Delivery {
  eventId: string;
  /** the event as the outbox keeps it (events.ts) */
  payload: string;
  /** this attempt's number, from 1 */
  attempt: number;
  subscription: { id: string; url: string; version: string; secret: string };
}

/** Sends one delivery; answers the receiver's HTTP status, or null when none came. */
export type Send = (delivery: Delivery) => Promise<number | null>;

async function deliverOne(deps: Deps, event: OutboxEvent, send: Send): Promise<void> {
  const outbox = outboxRepo(deps.db);
  const subscription = await webhookSubscriptionsRepo(deps.db).findById(event.subscriptionId);
  if (!subscription) return;
  const attempt = event.attempts + 1;
  const status = await send({
    eventId: event.eventId,
    payload: event.payload,
    attempt,
    subscription: {
      id: subscription.id,
      url: subscription.webhookUrl,
      version: subscription.version,
      secret: subscriptionSecret(deps, subscription),
    },
  });
  if (status !== null && status >= 200 && status < 300) {
    await outbox.markDelivered(event.seq, status, deps.clock.now(), attempt);
  } else {
    await outbox.markFailed(event.seq, status, attempt, deps.clock.now() + backoffMs(attempt));
    deps.log.warn(
      { subscription_id: subscription.id, event_id: event.eventId, status, attempts: attempt },
      'webhook delivery failed: will retry',
    );
  }
}

/**
 * One pass over the outbox: claim due deliveries (so several processes share the work without
 * sending one twice at once) and send them. Returns how many were attempted.
 */
export async function processOutbox(deps: Deps, send: Send, limit = 50): Promise<number> {
  const outbox = outboxRepo(deps.db);
  const claimed = await outbox.claimDue(deps.clock.now(), limit, DELIVERY_CLAIM_MS);
  // per account in order: deliveries for one (subscription, account) pair never run side by side
  const byKey = new Map<string, OutboxEvent[]>();
  for (const event of claimed) {
    const key = `${event.subscriptionId}/${event.accountId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), event]);
  }
  await Promise.all(
    [...byKey.values()].map(async (events) => {
      for (const event of events) await deliverOne(deps, event, send);
    }),
  );
  return claimed.length;
}
