import type { Kysely } from 'kysely';

/** MCP clients of a session (one per `initialize`), so any process knows what a client can do (URL elicitation). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mcp_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('url_elicitation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('client_name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mcp_clients_session').on('mcp_clients').columns(['session_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mcp_clients').execute();
}
