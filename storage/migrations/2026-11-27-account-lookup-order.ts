import type { Kysely } from 'kysely';

/**
 * The per-call account lookup orders newest first with the id as tie-break; without the id in the index
 * SQLite sorted the matches in a temporary B-tree on every call (the slowest of a tool call's three
 * queries, found by profiling the benchmark). With it, a backward index scan yields the order as is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('connected_accounts_user_usable').execute();
  await db.schema
    .createIndex('connected_accounts_user_usable')
    .on('connected_accounts')
    .columns(['user_id', 'toolkit_slug', 'status', 'updated_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('connected_accounts_user_usable').execute();
  await db.schema
    .createIndex('connected_accounts_user_usable')
    .on('connected_accounts')
    .columns(['user_id', 'toolkit_slug', 'status', 'updated_at'])
    .execute();
}
