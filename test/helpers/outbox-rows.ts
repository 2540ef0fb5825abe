import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';

/**
 * Raw outbox rows (a subscription `ws_1` and one event per id, all at `at`), for storage tests that
 * check how an engine numbers and returns them; then the outbox as read back, in order.
 */
export async function insertOutboxEvents(db: Kysely<Database>, at: number, eventIds: string[]) {
  await db
    .insertInto('webhook_subscriptions')
    .values({
      id: 'ws_1',
      webhook_url: 'https://app.example/hook',
      secret_sealed: 'x',
      enabled_events: '[]',
      version: 'V3',
      created_at: at,
      updated_at: at,
    })
    .execute();
  const event = {
    subscription_id: 'ws_1',
    event_type: 't',
    account_id: 'ca_1',
    payload: '{}',
    attempts: 0,
    next_attempt_at: at,
    created_at: at,
  };
  await db
    .insertInto('webhook_outbox')
    .values(eventIds.map((event_id) => ({ ...event, event_id })))
    .execute();
  return db.selectFrom('webhook_outbox').select(['seq', 'event_id', 'created_at']).orderBy('seq').execute();
}
