import { createHmac } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { hashSecret, newSecret } from '../ids.ts';
import { apiKeysRepo } from '../../storage/repos/api-keys.ts';
import { consoleSessionsRepo } from '../../storage/repos/console-sessions.ts';
import { authenticateApiKey } from './api-keys.ts';

/**
 * Operator console sign-ins. The browser holds a random opaque id; the database holds only its hash
 * and which API key opened it, so neither a stolen cookie jar nor a database dump yields the key
 * (OWASP Session Management cheat sheet: server-side sessions, idle and absolute timeouts).
 */

export interface ConsoleSession {
  /** the API key the operator signed in with: who did an admin action */
  apiKeyId: string;
  /** the synchronizer token of this sign-in's forms */
  csrfToken: string;
}

const ID_PREFIX = 'lkc';

/** Opens a sign-in for a valid project API key; undefined for any other text. */
export async function signIn(deps: Deps, presentedKey: string): Promise<string | undefined> {
  const key = await authenticateApiKey(deps, presentedKey.trim());
  if (!key) return undefined;
  const now = deps.clock.now();
  const repo = consoleSessionsRepo(deps.db);
  // sweeping here keeps the table to live sign-ins without a loop of its own
  await repo.deleteStale(now - deps.config.console.idleMs, now - deps.config.console.maxAgeMs);
  const id = newSecret(ID_PREFIX);
  await repo.insert(hashSecret(id), key.id, now);
  return id;
}

/** The sign-in a cookie names, if it is still live (not idle too long, not too old, its key not revoked); counts as activity. */
export async function resumeSession(deps: Deps, id: string | undefined): Promise<ConsoleSession | undefined> {
  if (!id?.startsWith(`${ID_PREFIX}_`) || id.length > 200) return undefined;
  const repo = consoleSessionsRepo(deps.db);
  const idHash = hashSecret(id);
  const row = await repo.find(idHash);
  if (!row) return undefined;
  const now = deps.clock.now();
  const { idleMs, maxAgeMs } = deps.config.console;
  if (now - row.lastSeenAt > idleMs || now - row.createdAt > maxAgeMs || !(await apiKeysRepo(deps.db).isActive(row.apiKeyId))) {
    await repo.delete(idHash);
    return undefined;
  }
  await repo.touch(idHash, now);
  return { apiKeyId: row.apiKeyId, csrfToken: csrfTokenOf(id) };
}

export async function signOut(deps: Deps, id: string | undefined): Promise<void> {
  if (id) await consoleSessionsRepo(deps.db).delete(hashSecret(id));
}

/** Derived from the secret id, so it needs no storage and a page's token says nothing about the stored hash. */
function csrfTokenOf(id: string): string {
  return createHmac('sha256', id).update('console csrf').digest('base64url');
}
