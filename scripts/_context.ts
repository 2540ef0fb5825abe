// Shared by the operator scripts: the same configuration and storage the server uses.
import { migrateToLatest, openStorage, type Storage } from '../storage/db.ts';
import { ConfigError, parseConfig, type Config } from '../src/config.ts';
import { loadOrCreateKeyFile } from '../src/vault/key-file.ts';
import { Vault } from '../src/vault/vault.ts';

export function configOrExit(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export async function openMigrated(config: Config): Promise<Storage> {
  const storage = openStorage(config.databasePath);
  await migrateToLatest(storage.db);
  return storage;
}

export function vaultFor(config: Config): Vault {
  return new Vault(config.encryptionKeys ?? loadOrCreateKeyFile(config.dataDir).keys);
}
