import { sql, type Kysely, type Updateable } from 'kysely';
import type { Database, WebhookOutboxTable, WebhookSubscriptionsTable } from '../schema.ts';

export type WebhookSubscriptionRow = WebhookSubscriptionsTable;
export type OutboxRow = Omit<WebhookOutboxTable, 'seq'> & { seq: number };

export function webhookSubscriptionsRepo(db: Kysely<Database>) {
  return {
    async insert(row: WebhookSubscriptionRow): Promise<void> {
      await db.insertInto('webhook_subscriptions').values(row).execute();
    },
    async findById(id: string): Promise<WebhookSubscriptionRow | undefined> {
      return db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(): Promise<WebhookSubscriptionRow[]> {
      return db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute();
    },
    async update(id: string, changes: Updateable<WebhookSubscriptionsTable>): Promise<boolean> {
      const result = await db.updateTable('webhook_subscriptions').set(changes).where('id', '=', id).executeTakeFirst();
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
    async insert(rows: Array<Omit<WebhookOutboxTable, 'seq'>>): Promise<void> {
      if (rows.length > 0) await db.insertInto('webhook_outbox').values(rows).execute();
    },

    /**
     * Due deliveries, oldest first, skipping any whose earlier event for the same subscription and
     * account is still undelivered: a receiver sees each account's events in order.
     */
    async listDue(now: number, limit: number): Promise<OutboxRow[]> {
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
      return rows as OutboxRow[];
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
  };
}
