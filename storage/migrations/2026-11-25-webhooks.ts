import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/** Webhook subscriptions and the durable outbox: an event row is written in the same transaction as the change it reports. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_url', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled_events', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull().defaultTo('V3'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The outbox order: SQLite's AUTOINCREMENT rowid (never reused, as it was first written), an identity
  // column on PostgreSQL, which has no AUTOINCREMENT (Kysely would write MySQL's auto_increment there).
  await db.schema
    .createTable('webhook_outbox')
    .addColumn('seq', isPostgres(db) ? 'bigint' : 'integer', (c) =>
      isPostgres(db) ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('webhook_subscriptions.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_outbox_due').on('webhook_outbox').columns(['delivered_at', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_outbox_order').on('webhook_outbox').columns(['subscription_id', 'account_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_outbox').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
}
