// Bulk rows for the memory and growth figures, written straight to the database the server uses
// (WAL lets the bench write while the server reads), with the same sealing the server applies.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import { hashSecret, newId, newSecret } from '../../src/ids.ts';
import { sealCredentials } from '../../src/services/account-state.ts';
import { defaultSessionConfig } from '../../src/sessions/config.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { cleanRefreshState, connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';
import type { ConnectedAccount, StoredSession } from '../../storage/domain.ts';

const TOKEN_COLUMN = sealed('sessions', 'mcp_token_sealed');

/** Sessions of `toolkits` for users `seed-<i>`; returns each session's id and MCP token. */
export async function seedSessions(deps: Deps, count: number, toolkits: string[]): Promise<Array<{ id: string; token: string }>> {
  const now = Date.now();
  const made: Array<{ id: string; token: string }> = [];
  const sessions: StoredSession[] = Array.from({ length: count }, (_, i) => {
    const id = newId('trs');
    const token = newSecret('lks');
    made.push({ id, token });
    const config = { ...defaultSessionConfig(`seed-${i}`), toolkits: { enabled: toolkits }, preload: 'all' as const };
    return {
      id,
      userId: `seed-${i}`,
      config,
      configVersion: 1,
      mcpTokenHash: hashSecret(token),
      mcpTokenSealed: deps.vault.seal(token, sealedAad(TOKEN_COLUMN, id)),
      createdAt: now,
      updatedAt: now,
    };
  });
  await sessionsRepo(deps.db).insertMany(sessions);
  return made;
}

/** ACTIVE bearer-token accounts of `toolkit` for users `seed-user-<offset+i>`, in chunks. */
export async function seedAccounts(deps: Deps, count: number, offset: number, toolkit: string, authConfigId: string): Promise<void> {
  const repo = connectedAccountsRepo(deps.db);
  const chunk = 50_000;
  for (let start = 0; start < count; start += chunk) {
    const now = Date.now();
    const accounts: ConnectedAccount[] = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => {
      const id = newId('ca');
      return {
        id,
        userId: `seed-user-${offset + start + i}`,
        toolkitSlug: toolkit,
        authConfigId,
        authScheme: 'BEARER_TOKEN',
        status: 'ACTIVE',
        statusReason: null,
        alias: null,
        isDisabled: false,
        connectionData: {},
        credentialsSealed: sealCredentials(deps, id, { token: randomBytes(12).toString('hex') }),
        expiresAt: null,
        createdAt: now,
        updatedAt: now,
        ...cleanRefreshState(null),
      };
    });
    await repo.insertMany(accounts);
  }
}
