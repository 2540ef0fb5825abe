import { sql, type Kysely, type Selectable } from 'kysely';
import type { OutboxEvent, WebhookSubscription } from '../domain.ts';
import { epoch, epochOrNull, integer, integerOrNull, json, mapper, plain } from '../mapping.ts';
import { isPostgres, leaseTime } from '../dialect.ts';
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
     * Claims up to `limit` due deliveries for this process, oldest first, in one statement, and returns
     * them in order. Skipped: any event whose earlier event for the same subscription and account is
     * still undelivered (claimed or not), so a receiver sees each account's events in order and never
     * two of them at once. On PostgreSQL the candidates are locked `for update skip locked`: two
     * processes claiming at once take disjoint rows instead of waiting on each other, and a claim's
     * expiry is judged by the database's clock (dialect.ts: leaseTime). SQLite's single writer makes the
     * statement atomic by itself.
     *
     * Order across processes rests on an invariant of the writers (src/webhooks/events.ts): an event is
     * inserted in the same transaction that first updates its account's row, so two transactions
     * emitting for one account are serialised by that row's lock and number their events in commit
     * order; a later event can never be visible while an earlier one is not.
     */
    async claimDue(now: number, limit: number, ttlMs: number): Promise<OutboxEvent[]> {
      const postgres = isPostgres(db);
      const due = db
        .selectFrom('webhook_outbox as o')
        .select('o.seq')
        .where('o.delivered_at', 'is', null)
        .where('o.next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('o.claimed_until', 'is', null), eb('o.claimed_until', '<', leaseTime(db, now))]))
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
        .$if(postgres, (q) => q.forUpdate().skipLocked());
      const rows = await db
        .updateTable('webhook_outbox')
        .set({ claimed_until: leaseTime(db, now, ttlMs) })
        .where('seq', 'in', due)
        .returningAll()
        .execute();
      return rows.map(events.fromRow).sort((a, b) => a.seq - b.seq);
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

    /** The newest events, delivered or not (the console's deliveries page). */
    async listRecent(limit: number, offset: number): Promise<OutboxEvent[]> {
      const rows = await db.selectFrom('webhook_outbox').selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute();
      return rows.map(events.fromRow);
    },

    /** When the oldest undelivered event was queued, or null when none waits. */
    async oldestPendingAt(): Promise<number | null> {
      const row = await db
        .selectFrom('webhook_outbox')
        .select((eb) => eb.fn.min('created_at').as('oldest'))
        .where('delivered_at', 'is', null)
        .executeTakeFirst();
      return row?.oldest == null ? null : Number(row.oldest);
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
