import type { Kysely } from 'kysely';

/**
 * The execution and audit log: one row per tool call (`tool_executions`), and one per connection or
 * administrative event (`audit_events`). Both are read newest first with filters, so every index ends
 * with the time; both are purged by age.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tool_executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('toolkit_slug', 'text', (c) => c.notNull())
    .addColumn('tool_slug', 'text', (c) => c.notNull())
    .addColumn('connected_account_id', 'text')
    .addColumn('auth_config_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('upstream_status', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error_message', 'text')
    .addColumn('request_id', 'text')
    .addColumn('payload_sealed', 'text')
    .execute();
  await db.schema.createIndex('tool_executions_time').on('tool_executions').columns(['created_at', 'id']).execute();
  for (const column of ['user_id', 'toolkit_slug', 'tool_slug', 'connected_account_id', 'session_id']) {
    await db.schema.createIndex(`tool_executions_${column}`).on('tool_executions').columns([column, 'created_at']).execute();
  }
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('toolkit_slug', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_events_time').on('audit_events').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('audit_events_kind').on('audit_events').columns(['kind', 'created_at']).execute();
  await db.schema.createIndex('audit_events_subject').on('audit_events').columns(['subject_id', 'created_at']).execute();
  await db.schema.createIndex('audit_events_user').on('audit_events').columns(['user_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('tool_executions').execute();
}
