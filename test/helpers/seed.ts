import type { Kysely } from 'kysely';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectLinksRepo } from '../../storage/repos/connect-links.ts';
import { cleanRefreshState, connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';
import { sealed, sealedAad, sealedColumns, type Database } from '../../storage/schema.ts';
import type { Vault } from '../../src/vault/vault.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';

const authConfigCredentials = sealed('auth_configs', 'credentials_sealed');
const accountCredentials = sealed('connected_accounts', 'credentials_sealed');
const linkToken = sealed('connect_links', 'token_sealed');
const sessionToken = sealed('sessions', 'mcp_token_sealed');

/** An ACTIVE OAuth2 account, its credentials already sealed under its own AAD, as a completed Connect flow leaves it. */
export function activeOAuth2Account(a: {
  id: string;
  userId: string;
  toolkitSlug: string;
  authConfigId: string;
  credentialsSealed: string;
  expiresAt: number | null;
  now: number;
}): ConnectedAccount {
  return {
    id: a.id,
    userId: a.userId,
    toolkitSlug: a.toolkitSlug,
    authConfigId: a.authConfigId,
    authScheme: 'OAUTH2',
    status: 'ACTIVE',
    statusReason: null,
    alias: null,
    isDisabled: false,
    connectionData: {},
    credentialsSealed: a.credentialsSealed,
    expiresAt: a.expiresAt,
    createdAt: a.now,
    updatedAt: a.now,
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
  await authConfigsRepo(db).insert({
    id: ac,
    toolkitSlug: 'github',
    name: 'seed',
    type: 'custom',
    authScheme: 'OAUTH2',
    isComposioManaged: false,
    status: 'ENABLED',
    settings: { client_id: 'client-id' },
    credentialsSealed: vault.sealJson({ client_secret: secrets.clientSecret }, sealedAad(authConfigCredentials, ac)),
    createdAt: now,
    updatedAt: now,
  });
  await connectedAccountsRepo(db).insert(
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
  );
  const ln = `lnk_seed${n}`;
  await connectLinksRepo(db).insert({
    id: ln,
    tokenHash: `hash-${n}`,
    tokenSealed: vault.seal(secrets.linkToken, sealedAad(linkToken, ln)),
    connectedAccountId: ca,
    userId: `user-${n}`,
    authConfigId: ac,
    callbackUrl: null,
    stateHash: null,
    flowSealed: null,
    expiresAt: now + 600_000,
    usedAt: null,
    createdAt: now,
  });
  const trs = `trs_seed${n}`;
  await sessionsRepo(db).insert({
    id: trs,
    userId: `user-${n}`,
    config: {},
    configVersion: 1,
    mcpTokenHash: `hash-${n}`,
    mcpTokenSealed: vault.seal(secrets.sessionToken, sealedAad(sessionToken, trs)),
    createdAt: now,
    updatedAt: now,
  });
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
