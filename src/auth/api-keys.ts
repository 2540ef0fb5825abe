import type { Config } from '../config.ts';
import type { Clock } from '../deps.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import type { ApiKeyRow, ApiKeysRepo } from '../../storage/repos/api-keys.ts';

export function generateApiKey(): string {
  return newSecret('ak');
}

export async function createApiKey(repo: ApiKeysRepo, clock: Clock, name: string): Promise<{ id: string; key: string }> {
  const key = generateApiKey();
  const id = newId('key');
  await repo.insert({ id, name, key_hash: hashSecret(key), key_hint: key.slice(-4), created_at: clock.now() });
  return { id, key };
}

/**
 * Makes sure the server can be called: LATCHKEY_API_KEY is registered (by hash) if set; otherwise, when
 * no key exists yet, one is created and returned so start-up can print it once. It is never stored or logged.
 */
export async function bootstrapApiKey(repo: ApiKeysRepo, config: Config, clock: Clock): Promise<{ createdKey: string | null }> {
  if (config.apiKey) {
    await repo.insertIfAbsent({
      id: newId('key'),
      name: 'LATCHKEY_API_KEY',
      key_hash: hashSecret(config.apiKey),
      key_hint: config.apiKey.slice(-4),
      created_at: clock.now(),
    });
    return { createdKey: null };
  }
  if ((await repo.countActive()) > 0) return { createdKey: null };
  const { key } = await createApiKey(repo, clock, 'first key');
  return { createdKey: key };
}

export async function authenticateApiKey(repo: ApiKeysRepo, presented: string): Promise<ApiKeyRow | undefined> {
  if (!presented.startsWith('ak_') || presented.length > 200) return undefined;
  return repo.findActiveByHash(hashSecret(presented));
}
