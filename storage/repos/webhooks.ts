import { sql, type Kysely, type Selectable } from 'kysely';
import type { OutboxEvent, WebhookSubscription } from '../domain.ts';
import { epoch, epochOrNull, integer, integerOrNull, json, mapper, plain } from '../mapping.ts';
import type { Database, WebhookOutboxTable, WebhookSubscriptionsTable } from '../schema.ts';

const subscriptions = mapper<WebhookSubscription, WebhookSubscriptionsTable>({
  id: plain('id'),
  webhookUrl: plain('webhook_url'),
  secretSealed: plain('secret_sealed'),
  enabledEvents: json('enabled_events'),
  version: plain('version'),
  createdAt: epoch('created_at'),
  updatedAt: epoch('updated_at'),
});

const events = mapper<OutboxEvent, Selectable<WebhookOutboxTable>>({
  seq: integer('seq'),
  eventId: plain('event_id'),
  subscriptionId: plain('subscription_id'),
  eventType: plain('event_type'),
  accountId: plain('account_id'),
  payload: plain('payload'),
  attempts: integer('attempts'),
  nextAttemptAt: epoch('next_attempt_at'),
  claimedUntil: epochOrNull('claimed_until'),
  deliveredAt: epochOrNull('delivered_at'),
  lastStatus: integerOrNull('last_status'),
  createdAt: epoch('created_at'),
});

export function webhookSubscriptionsRepo(db: Kysely<Database>) {
  return {
    async insert(subscription: WebhookSubscription): Promise<void> {
      await db.insertInto('webhook_subscriptions').values(subscriptions.toRow(subscription)).execute();
    },
    async findById(id: string): Promise<WebhookSubscription | undefined> {
      return subscriptions.maybe(await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst());
    },
    async list(): Promise<WebhookSubscription[]> {
      return (await db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute()).map(subscriptions.fromRow);
    },
    async update(id: string, changes: Partial<WebhookSubscription>): Promise<boolean> {
      const result = await db
        .updateTable('webhook_subscriptions')
        .set(subscriptions.toChanges(changes))
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export function outboxRepo(db: Kysely<Database>) {
  return {
    /** New events (the database numbers them). */
    async insert(list: Array<Omit<OutboxEvent, 'seq'>>): Promise<void> {
      if (list.length === 0) return;
      // seq is generated: every other column is written
      const rows = list.map((event) => {
        const { seq: _, ...row } = events.toRow({ ...event, seq: 0 });
        return row;
      });
      await db.insertInto('webhook_outbox').values(rows).execute();
    },

    /**
     * Due deliveries, oldest first, skipping any whose earlier event for the same subscription and
     * account is still undelivered: a receiver sees each account's events in order.
     */
    async listDue(now: number, limit: number): Promise<OutboxEvent[]> {
      const rows = await db
        .selectFrom('webhook_outbox as o')
        .selectAll('o')
        .where('o.delivered_at', 'is', null)
        .where('o.next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('o.claimed_until', 'is', null), eb('o.claimed_until', '<', now)]))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_outbox as e')
                .select(sql`1`.as('one'))
                .whereRef('e.subscription_id', '=', 'o.subscription_id')
                .whereRef('e.account_id', '=', 'o.account_id')
                .whereRef('e.seq', '<', 'o.seq')
                .where('e.delivered_at', 'is', null),
            ),
          ),
        )
        .orderBy('o.seq')
        .limit(limit)
        .execute();
      return rows.map(events.fromRow);
    },

    /** Claims a delivery for this process; false when another process claimed it first. */
    async claim(seq: number, now: number, ttlMs: number): Promise<boolean> {
      const result = await db
        .updateTable('webhook_outbox')
        .set({ claimed_until: now + ttlMs })
        .where('seq', '=', seq)
        .where('delivered_at', 'is', null)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async markDelivered(seq: number, status: number, now: number, attempts: number): Promise<void> {
      await db
        .updateTable('webhook_outbox')
        .set({ delivered_at: now, last_status: status, attempts, claimed_until: null })
        .where('seq', '=', seq)
        .execute();
    },

    async markFailed(seq: number, status: number | null, attempts: number, nextAttemptAt: number): Promise<void> {
      await db
        .updateTable('webhook_outbox')
        .set({ last_status: status, attempts, next_attempt_at: nextAttemptAt, claimed_until: null })
        .where('seq', '=', seq)
        .execute();
    },

    async pendingCount(): Promise<number> {
      const row = await db
        .selectFrom('webhook_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('delivered_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The undelivered events: how many, and when the oldest was written (null when none). */
    async backlog(): Promise<{ count: number; oldestAt: number | null }> {
      const row = await db
        .selectFrom('webhook_outbox')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
        .where('delivered_at', 'is', null)
        .executeTakeFirstOrThrow();
      return { count: Number(row.n), oldestAt: row.oldest === null || row.oldest === undefined ? null : Number(row.oldest) };
    },
  };
}
