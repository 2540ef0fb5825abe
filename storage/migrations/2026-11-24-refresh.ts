import type { Kysely } from 'kysely';

/** Token lifecycle: refresh bookkeeping on accounts, and a lease table so two processes never refresh one account at once. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('connected_accounts')
    .addColumn('refresh_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('connected_accounts').addColumn('refresh_failing_since', 'bigint').execute();
  await db.schema.alterTable('connected_accounts').addColumn('next_refresh_at', 'bigint').execute();
  await db.schema.alterTable('connected_accounts').addColumn('last_refreshed_at', 'bigint').execute();
  await db.schema
    .createTable('refresh_leases')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refresh_leases').execute();
}
