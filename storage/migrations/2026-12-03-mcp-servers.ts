import type { Kysely } from 'kysely';

/**
 * Composio's MCP servers (issue 21): a named, reusable set of toolkits (each with the auth config it
 * connects through), allowed tools and whether connections are managed in chat; its toolkits one row
 * each, so lists filter by toolkit or auth config in SQL; and one instance per user a URL was
 * generated for, which is a session of that user (it goes with its session; the server's deletion deletes both).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mcp_servers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('allowed_tools', 'text', (c) => c.notNull())
    .addColumn('managed_auth', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('mcp_server_toolkits')
    .addColumn('server_id', 'text', (c) => c.notNull().references('mcp_servers.id').onDelete('cascade'))
    .addColumn('toolkit', 'text', (c) => c.notNull())
    .addColumn('auth_config_id', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('mcp_server_toolkits_pk', ['server_id', 'toolkit'])
    .execute();
  await db.schema.createIndex('mcp_server_toolkits_toolkit').on('mcp_server_toolkits').columns(['toolkit']).execute();
  await db.schema.createIndex('mcp_server_toolkits_auth_config').on('mcp_server_toolkits').columns(['auth_config_id']).execute();
  await db.schema
    .createTable('mcp_server_instances')
    .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
    // restrict, not cascade: deleting a server deletes its instances and their sessions explicitly
    // (a cascade would leave the session, which is the URL, working without its server)
    .addColumn('server_id', 'text', (c) => c.notNull().references('mcp_servers.id').onDelete('restrict'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('mcp_server_instances_user', ['server_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['mcp_server_instances', 'mcp_server_toolkits', 'mcp_servers']) await db.schema.dropTable(table).execute();
}
