import type { Kysely } from 'kysely';

/**
 * The per-call account lookup (user, toolkit, ACTIVE, newest first) used the status index and scanned
 * every ACTIVE account: found by the lookup-growth benchmark. This index answers it directly, flat
 * from ten thousand to a million accounts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('connected_accounts_user').execute();
  await db.schema
    .createIndex('connected_accounts_user_usable')
    .on('connected_accounts')
    .columns(['user_id', 'toolkit_slug', 'status', 'updated_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('connected_accounts_user_usable').execute();
  await db.schema
    .createIndex('connected_accounts_user')
    .on('connected_accounts')
    .columns(['user_id', 'toolkit_slug', 'created_at'])
    .execute();
}
