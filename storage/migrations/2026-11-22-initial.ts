import type { Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any> and never import application code.
// Times are epoch milliseconds: `bigint`, which PostgreSQL needs (they overflow its 32-bit integer) and
// SQLite reads as INTEGER affinity, the same as the `integer` these columns were first declared with.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('installation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('auth_configs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('toolkit_slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('auth_scheme', 'text', (c) => c.notNull())
    .addColumn('is_composio_managed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('ENABLED'))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('credentials_sealed', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_configs_toolkit').on('auth_configs').columns(['toolkit_slug', 'created_at']).execute();

  await db.schema
    .createTable('connected_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('toolkit_slug', 'text', (c) => c.notNull())
    .addColumn('auth_config_id', 'text', (c) => c.notNull().references('auth_configs.id').onDelete('restrict'))
    .addColumn('auth_scheme', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('alias', 'text')
    .addColumn('is_disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('connection_data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('credentials_sealed', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('connected_accounts_user')
    .on('connected_accounts')
    .columns(['user_id', 'toolkit_slug', 'created_at'])
    .execute();
  await db.schema.createIndex('connected_accounts_auth_config').on('connected_accounts').columns(['auth_config_id']).execute();
  await db.schema.createIndex('connected_accounts_expiry').on('connected_accounts').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('connect_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_sealed', 'text', (c) => c.notNull())
    .addColumn('connected_account_id', 'text', (c) => c.notNull().references('connected_accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('auth_config_id', 'text', (c) => c.notNull())
    .addColumn('callback_url', 'text')
    .addColumn('state_hash', 'text', (c) => c.unique())
    .addColumn('flow_sealed', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connect_links_account').on('connect_links').columns(['connected_account_id']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('config_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('mcp_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('mcp_token_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sessions', 'connect_links', 'connected_accounts', 'auth_configs', 'api_keys', 'installation']) {
    await db.schema.dropTable(table).execute();
  }
}
