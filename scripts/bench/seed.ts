// Bulk rows for the memory and growth figures, written straight to the database the server uses
// (WAL lets the bench write while the server reads), with the same sealing the server applies.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import { hashSecret, newId, newSecret } from '../../src/ids.ts';
import { sealCredentials } from '../../src/services/account-state.ts';
import { defaultSessionConfig } from '../../src/sessions/config.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { cleanRefreshState, connectedAccountsRepo, type ConnectedAccountRow } from '../../storage/repos/connected-accounts.ts';
import { sessionsRepo, type SessionRow } from '../../storage/repos/sessions.ts';

const TOKEN_COLUMN = sealed('sessions', 'mcp_token_sealed');

/** Sessions of `toolkits` for users `seed-<i>`; returns each session's id and MCP token. */
export async function seedSessions(deps: Deps, count: number, toolkits: string[]): Promise<Array<{ id: string; token: string }>> {
  const now = Date.now();
  const made: Array<{ id: string; token: string }> = [];
  const rows: SessionRow[] = Array.from({ length: count }, (_, i) => {
    const id = newId('trs');
    const token = newSecret('lks');
    made.push({ id, token });
    const config = { ...defaultSessionConfig(`seed-${i}`), toolkits: { enabled: toolkits }, preload: 'all' as const };
    return {
      id,
      user_id: `seed-${i}`,
      config: JSON.stringify(config),
      config_version: 1,
      mcp_token_hash: hashSecret(token),
      mcp_token_sealed: deps.vault.seal(token, sealedAad(TOKEN_COLUMN, id)),
      created_at: now,
      updated_at: now,
    };
  });
  await sessionsRepo(deps.db).insertMany(rows);
  return made;
}

/** ACTIVE bearer-token accounts of `toolkit` for users `seed-user-<offset+i>`, in chunks. */
export async function seedAccounts(deps: Deps, count: number, offset: number, toolkit: string, authConfigId: string): Promise<void> {
  const repo = connectedAccountsRepo(deps.db);
  const chunk = 50_000;
  for (let start = 0; start < count; start += chunk) {
    const now = Date.now();
    const rows: ConnectedAccountRow[] = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => {
      const id = newId('ca');
      return {
        id,
        user_id: `seed-user-${offset + start + i}`,
        toolkit_slug: toolkit,
        auth_config_id: authConfigId,
        auth_scheme: 'BEARER_TOKEN',
        status: 'ACTIVE',
        status_reason: null,
        alias: null,
        is_disabled: 0,
        connection_data: '{}',
        credentials_sealed: sealCredentials(deps, id, { token: randomBytes(12).toString('hex') }),
        expires_at: null,
        created_at: now,
        updated_at: now,
        ...cleanRefreshState(null),
      };
    });
    await repo.insertMany(rows);
  }
}
