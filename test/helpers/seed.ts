import type { Kysely } from 'kysely';
import { cleanRefreshState, type ConnectedAccountRow } from '../../storage/repos/connected-accounts.ts';
import { sealed, sealedAad, sealedColumns, type Database } from '../../storage/schema.ts';
import type { Vault } from '../../src/vault/vault.ts';

const authConfigCredentials = sealed('auth_configs', 'credentials_sealed');
const accountCredentials = sealed('connected_accounts', 'credentials_sealed');
const linkToken = sealed('connect_links', 'token_sealed');
const sessionToken = sealed('sessions', 'mcp_token_sealed');

/** An ACTIVE OAuth2 account row, its credentials already sealed under its own AAD, as a completed Connect flow leaves it. */
export function activeOAuth2Account(a: {
  id: string;
  userId: string;
  toolkitSlug: string;
  authConfigId: string;
  credentialsSealed: string;
  expiresAt: number | null;
  now: number;
}): ConnectedAccountRow {
  return {
    id: a.id,
    user_id: a.userId,
    toolkit_slug: a.toolkitSlug,
    auth_config_id: a.authConfigId,
    auth_scheme: 'OAUTH2',
    status: 'ACTIVE',
    status_reason: null,
    alias: null,
    is_disabled: 0,
    connection_data: '{}',
    credentials_sealed: a.credentialsSealed,
    expires_at: a.expiresAt,
    created_at: a.now,
    updated_at: a.now,
    ...cleanRefreshState(null),
  };
}

/**
 * Stores one user's worth of sealed secrets the way the services do (sealed under the row's AAD):
 * an auth config with a client secret, an account with tokens, a session with its MCP token.
 */
export async function seedSealedRows(
  db: Kysely<Database>,
  vault: Vault,
  n: string,
  secrets: { clientSecret: string; accessToken: string; sessionToken: string; linkToken: string },
) {
  const now = Date.now();
  const ac = `ac_seed${n}`;
  const ca = `ca_seed${n}`;
  await db
    .insertInto('auth_configs')
    .values({
      id: ac,
      toolkit_slug: 'github',
      name: 'seed',
      type: 'custom',
      auth_scheme: 'OAUTH2',
      is_composio_managed: 0,
      status: 'ENABLED',
      settings: JSON.stringify({ client_id: 'client-id' }),
      credentials_sealed: vault.sealJson({ client_secret: secrets.clientSecret }, sealedAad(authConfigCredentials, ac)),
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('connected_accounts')
    .values(
      activeOAuth2Account({
        id: ca,
        userId: `user-${n}`,
        toolkitSlug: 'github',
        authConfigId: ac,
        credentialsSealed: vault.sealJson(
          { access_token: secrets.accessToken, refresh_token: `${secrets.accessToken}-refresh` },
          sealedAad(accountCredentials, ca),
        ),
        expiresAt: null,
        now,
      }),
    )
    .execute();
  const ln = `lnk_seed${n}`;
  await db
    .insertInto('connect_links')
    .values({
      id: ln,
      token_hash: `hash-${n}`,
      token_sealed: vault.seal(secrets.linkToken, sealedAad(linkToken, ln)),
      connected_account_id: ca,
      user_id: `user-${n}`,
      auth_config_id: ac,
      callback_url: null,
      state_hash: null,
      flow_sealed: null,
      expires_at: now + 600_000,
      used_at: null,
      created_at: now,
    })
    .execute();
  const trs = `trs_seed${n}`;
  await db
    .insertInto('sessions')
    .values({
      id: trs,
      user_id: `user-${n}`,
      config: '{}',
      config_version: 1,
      mcp_token_hash: `hash-${n}`,
      mcp_token_sealed: vault.seal(secrets.sessionToken, sealedAad(sessionToken, trs)),
      created_at: now,
      updated_at: now,
    })
    .execute();
}

/** Opens every sealed value in the database with `vault`; returns how many opened (throws on the first that does not). */
export async function openAllSealed(db: Kysely<Database>, vault: Vault): Promise<number> {
  let opened = 0;
  for (const column of sealedColumns()) {
    const rows = (await db
      .selectFrom(column.table)
      .select(['id', `${column.column} as value` as never])
      .execute()) as unknown as Array<{ id: string; value: string | null }>;
    for (const row of rows) {
      if (row.value === null) continue;
      vault.open(row.value, sealedAad(column, row.id));
      opened += 1;
    }
  }
  return opened;
}
