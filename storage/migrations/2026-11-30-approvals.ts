import type { Kysely } from 'kysely';

/**
 * Approvals a session asked its user for (a tool call held until a person says yes), and the
 * `requestState`s of MCP input-required answers already used, so none is accepted twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_sealed', 'text', (c) => c.notNull())
    .addColumn('toolkit_slug', 'text', (c) => c.notNull())
    .addColumn('tool_slug', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('call_hash', 'text', (c) => c.notNull())
    .addColumn('arguments_sealed', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('approvals_session_call').on('approvals').columns(['session_id', 'call_hash']).execute();
  await db.schema
    .createTable('request_state_uses')
    .addColumn('state_id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_state_uses_expiry').on('request_state_uses').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('request_state_uses').execute();
  await db.schema.dropTable('approvals').execute();
}
