import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiKeysRepo } from '../storage/repos/api-keys.ts';
import { ensureInstallationId } from '../storage/repos/installation.ts';
import { migrateToLatest, openStorage, type Storage } from '../storage/db.ts';
import { bootstrapApiKey } from './auth/api-keys.ts';
import { loadCatalogue } from './catalogue/load.ts';
import type { Config } from './config.ts';
import { fetchExchange } from './execution/exchange.ts';
import { nodeExchange } from './execution/node-exchange.ts';
import { addressPolicy } from './execution/address-policy.ts';
import { systemClock, type Clock, type Deps } from './deps.ts';
import { newId } from './ids.ts';
import type { Logger } from './log.ts';
import { loadOrCreateKeyFile } from './vault/key-file.ts';
import { Vault } from './vault/vault.ts';

export const BUILT_IN_TOOLKITS_DIR = fileURLToPath(new URL('../tools', import.meta.url));

export interface Built {
  deps: Deps;
  storage: Storage;
  /** set only when this start created the first API key: shown once, then gone */
  createdApiKey: string | null;
}

/**
 * The composition root's work, apart from listening: catalogue (fails fast on a bad toolkit file),
 * data directory, master key, database and migrations, installation id, first API key.
 */
export async function buildDeps(config: Config, log: Logger, overrides: { clock?: Clock; fetch?: typeof fetch } = {}): Promise<Built> {
  const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR, ...config.toolkitsDirs]);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  let keys = config.encryptionKeys;
  if (!keys) {
    const file = loadOrCreateKeyFile(config.dataDir);
    keys = file.keys;
    log.warn(
      { key_file: file.path, created: file.created },
      'LATCHKEY_ENCRYPTION_KEY is not set: secrets are encrypted with the key file in the data directory. ' +
        'Anyone who can read that file can read every stored credential; set LATCHKEY_ENCRYPTION_KEY in production.',
    );
  }
  const vault = new Vault(keys);
  const clock = overrides.clock ?? systemClock;

  const storage = openStorage(config.databasePath);
  try {
    await migrateToLatest(storage.db);
    const installationId = await ensureInstallationId(storage.db, newId('lk'), clock.now());
    const { createdKey } = await bootstrapApiKey(apiKeysRepo(storage.db), config, clock);
    const deps: Deps = {
      config,
      db: storage.db,
      vault,
      clock,
      fetch: overrides.fetch ?? globalThis.fetch,
      // a test's fetch (routing provider hosts to a stand-in) applies to tool calls too
      exchange: overrides.fetch ? fetchExchange(overrides.fetch) : nodeExchange(addressPolicy(config)),
      catalogue,
      log,
      installationId,
      lifecycle: { draining: false },
    };
    return { deps, storage, createdApiKey: createdKey };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
