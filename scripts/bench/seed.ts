// Bulk rows for the memory and growth figures, written straight to the database the server uses
// (WAL lets the bench write while the server reads), with the same sealing the server applies.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import { newId } from '../../src/ids.ts';
import { sealCredentials } from '../../src/services/account-state.ts';
import { defaultSessionConfig } from '../../src/sessions/config.ts';
import { newSession } from '../../src/sessions/session.ts';
import { cleanRefreshState, connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';

/** Sessions of `toolkits` for users `seed-<i>`; returns each session's id and MCP token. */
export async function seedSessions(deps: Deps, count: number, toolkits: string[]): Promise<Array<{ id: string; token: string }>> {
  const made = Array.from({ length: count }, (_, i) =>
    newSession(deps, { ...defaultSessionConfig(`seed-${i}`), toolkits: { enabled: toolkits }, preload: 'all' }),
  );
  await sessionsRepo(deps.db).insertMany(made.map((m) => m.session));
  return made.map(({ session, token }) => ({ id: session.id, token }));
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
