// Shared by the operator scripts: the same configuration, storage and checks the server uses.
import type { Storage } from '../storage/db.ts';
import { loadKeys, openDatabase } from '../src/bootstrap.ts';
import { parseConfig, type Config } from '../src/config.ts';
import { exitOnOperatorError, StartupError } from '../src/startup-error.ts';
import { keyRingProblem } from '../src/vault/check-ring.ts';
import { Vault } from '../src/vault/vault.ts';

export function configOrExit(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    return exitOnOperatorError(error);
  }
}

/**
 * The database at the latest schema. Only `create: true` (npm run migrate) may make a new one: the other
 * scripts refuse a missing file, so a wrong LATCHKEY_DATA_DIR does not quietly get an empty database.
 */
export async function openMigrated(config: Config, options: { create: boolean }): Promise<Storage> {
  return openDatabase(config, options).catch(exitOnOperatorError);
}

/** The key ring, refused (one line, exit 1) when it does not open what the database holds. */
export async function vaultFor(config: Config, storage: Storage): Promise<Vault> {
  try {
    const { keys, source } = loadKeys(config);
    const vault = new Vault(keys);
    const problem = await keyRingProblem(storage.db, vault, source);
    if (problem) throw new StartupError(problem);
    return vault;
  } catch (error) {
    await storage.close();
    return exitOnOperatorError(error);
  }
}
