import type { Kysely } from 'kysely';

/**
 * Pending identity verifications (the app's verifier confirms which of its users finished a flow,
 * then calls `complete_auth`): one row per paused subject, found by the hash of its single-use
 * reference. `kind` names what waits (a connection today; an MCP authorization can use the same rows).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('ref_hash', 'text', (c) => c.notNull().unique())
    .addColumn('payload_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('verifications_expiry').on('verifications').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verifications').execute();
}
