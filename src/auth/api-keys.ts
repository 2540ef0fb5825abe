import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Clock, Deps } from '../deps.ts';
import { hashSecret, newId, newSecret, presentedSecretHash } from '../ids.ts';
import { recordAdminEvent } from '../services/audit-log.ts';
import { type Actor, SYSTEM_ACTOR } from '../services/actor.ts';
import { apiKeysRepo } from '../../storage/repos/api-keys.ts';
import type { ApiKey } from '../../storage/domain.ts';
import type { Database } from '../../storage/schema.ts';

/** What the key functions need: the database and the time (the CLI has no Deps). */
type KeyStore = { db: Kysely<Database>; clock: Clock };

const keyChange = (verb: string, id: string, name?: string) => ({
  action: `api_key.${verb}`,
  subjectType: 'api_key',
  subjectId: id,
  detail: name === undefined ? null : { name },
});

export function generateApiKey(): string {
  return newSecret('ak');
}

export async function createApiKey(store: KeyStore, name: string, actor: Actor = SYSTEM_ACTOR): Promise<{ id: string; key: string }> {
  const key = generateApiKey();
  const id = newId('key');
  await apiKeysRepo(store.db).insert({ id, name, keyHash: hashSecret(key), keyHint: key.slice(-4), createdAt: store.clock.now() });
  await recordAdminEvent(store, keyChange('created', id, name), actor);
  return { id, key };
}

/** Revokes an active key; false when there is none with this id. */
export async function revokeApiKey(store: KeyStore, id: string, actor: Actor): Promise<boolean> {
  if (!(await apiKeysRepo(store.db).revoke(id, store.clock.now()))) return false;
  await recordAdminEvent(store, keyChange('revoked', id), actor);
  return true;
}

/** LATCHKEY_API_KEY, when set, is registered (by hash) so it opens the API. */
export async function registerConfiguredApiKey(store: KeyStore, config: Config): Promise<void> {
  if (!config.apiKey) return;
  const id = newId('key');
  const inserted = await apiKeysRepo(store.db).insertIfAbsent({
    id,
    name: 'LATCHKEY_API_KEY',
    keyHash: hashSecret(config.apiKey),
    keyHint: config.apiKey.slice(-4),
    createdAt: store.clock.now(),
  });
  if (inserted) await recordAdminEvent(store, keyChange('created', id, 'LATCHKEY_API_KEY'), SYSTEM_ACTOR);
}

/**
 * When no key exists (and none is configured), creates one and returns it so start-up can print it
 * once; it is never stored in clear or logged. Called once the server listens, so a start that fails
 * stores no key that nobody saw.
 */
export async function createFirstApiKey(store: KeyStore, config: Config): Promise<string | null> {
  if (config.apiKey || (await apiKeysRepo(store.db).countActive()) > 0) return null;
  return (await createApiKey(store, 'first key')).key;
}

export async function authenticateApiKey(deps: Pick<Deps, 'db'>, presented: string): Promise<ApiKey | undefined> {
  if (!presented.startsWith('ak_') || presented.length > 200) return undefined;
  return apiKeysRepo(deps.db).findActiveByHash(presentedSecretHash(presented));
}
