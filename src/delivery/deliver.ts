import { connectedAccountWire } from '../api/wire/accounts.ts';
import type { Deps } from '../deps.ts';
import type { AccountView } from '../services/account-view.ts';
import { processOutbox, type Delivery } from '../webhooks/outbox.ts';
import { signWebhook } from '../webhooks/sign.ts';

const TIMEOUT_MS = 10_000;

/**
 * What a receiver gets: Composio's event envelope with the account in its wire shape. The outbox keeps
 * the account as it was at the change (already masked); a row written before it did carries the body.
 */
function bodyOf(stored: string): string {
  const event = JSON.parse(stored) as { id: string; timestamp: string; type: string; account?: AccountView; metadata: unknown };
  if (!event.account) return stored;
  return JSON.stringify({
    id: event.id,
    timestamp: event.timestamp,
    type: event.type,
    data: connectedAccountWire(event.account),
    metadata: event.metadata,
  });
}

/** One POST, signed as Composio signs; the receiver's status, or null when it did not answer. */
async function sendWebhook(deps: Deps, delivery: Delivery): Promise<number | null> {
  const timestamp = Math.floor(deps.clock.now() / 1000);
  const body = bodyOf(delivery.payload);
  try {
    // through the exchange, whose address policy also applies to what the URL's name resolves to now
    const response = await deps.exchange(
      {
        method: 'POST',
        url: new URL(delivery.subscription.url),
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(delivery.subscription.secret, delivery.eventId, timestamp, body),
          'x-composio-webhook-version': delivery.subscription.version,
          'x-composio-delivery-attempt': String(delivery.attempt),
        },
        body,
      },
      // a receiver's answer is not used, only its status: a 2xx with a large page is still delivered
      { deadline: Date.now() + TIMEOUT_MS, timeoutMs: TIMEOUT_MS, maxResponseBytes: 0, statusOnly: true },
    );
    return response.status;
  } catch {
    return null;
  }
}

/** One pass over the outbox (webhooks/outbox.ts: claims, order, backoff), sending each due event. */
export async function deliverDue(deps: Deps, limit = 50): Promise<number> {
  return processOutbox(deps, (delivery) => sendWebhook(deps, delivery), limit);
}
