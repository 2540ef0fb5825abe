import type { Config } from '../config.ts';
import type { Clock, Deps } from '../deps.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import { apiKeysRepo, type ApiKeysRepo } from '../../storage/repos/api-keys.ts';
import type { ApiKey } from '../../storage/domain.ts';

export function generateApiKey(): string {
  return newSecret('ak');
}

export async function createApiKey(repo: ApiKeysRepo, clock: Clock, name: string): Promise<{ id: string; key: string }> {
  const key = generateApiKey();
  const id = newId('key');
  await repo.insert({ id, name, keyHash: hashSecret(key), keyHint: key.slice(-4), createdAt: clock.now() });
  return { id, key };
}

/** LATCHKEY_API_KEY, when set, is registered (by hash) so it opens the API. */
export async function registerConfiguredApiKey(repo: ApiKeysRepo, config: Config, clock: Clock): Promise<void> {
  if (!config.apiKey) return;
  await repo.insertIfAbsent({
    id: newId('key'),
    name: 'LATCHKEY_API_KEY',
    keyHash: hashSecret(config.apiKey),
    keyHint: config.apiKey.slice(-4),
    createdAt: clock.now(),
  });
}

/**
 * When no key exists (and none is configured), creates one and returns it so start-up can print it
 * once; it is never stored in clear or logged. Called once the server listens, so a start that fails
 * stores no key that nobody saw.
 */
export async function createFirstApiKey(repo: ApiKeysRepo, config: Config, clock: Clock): Promise<string | null> {
  if (config.apiKey || (await repo.countActive()) > 0) return null;
  return (await createApiKey(repo, clock, 'first key')).key;
}

export async function authenticateApiKey(deps: Pick<Deps, 'db'>, presented: string): Promise<ApiKey | undefined> {
  if (!presented.startsWith('ak_') || presented.length > 200) return undefined;
  return apiKeysRepo(deps.db).findActiveByHash(hashSecret(presented));
}
