import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstallationId } from '../storage/repos/installation.ts';
import { migrateToLatest, openStorage, type Storage } from '../storage/db.ts';
import { createFirstApiKey, registerConfiguredApiKey } from './auth/api-keys.ts';
import { loadCatalogue } from './catalogue/load.ts';
import type { Config } from './config.ts';
import { fetchExchange } from './execution/exchange.ts';
import { undiciExchange } from './execution/undici-exchange.ts';
import { addressPolicy, publicOnlyPolicy } from './execution/address-policy.ts';
import { Caches, systemClock, type Clock, type Deps } from './deps.ts';
import { newId } from './ids.ts';
import type { Logger } from './log.ts';
import { fsStartupError, makeDirectory, StartupError } from './startup-error.ts';
import { keyRingProblem } from './vault/check-ring.ts';
import { loadOrCreateKeyFile } from './vault/key-file.ts';
import type { VaultKey } from './vault/key-ring.ts';
import { Vault } from './vault/vault.ts';

export const BUILT_IN_TOOLKITS_DIR = fileURLToPath(new URL('../tools', import.meta.url));

export interface Built {
  deps: Deps;
  storage: Storage;
  /** once listening: creates the first API key when none exists and returns it (shown once), else null */
  createFirstApiKey(): Promise<string | null>;
}

/** The key ring: LATCHKEY_ENCRYPTION_KEY, or the key file in the data directory (created on first start). */
export function loadKeys(config: Config): { keys: VaultKey[]; source: string; keyFile?: { path: string; created: boolean } } {
  if (config.encryptionKeys) return { keys: config.encryptionKeys, source: 'LATCHKEY_ENCRYPTION_KEY' };
  makeDirectory(config.dataDir);
  let file;
  try {
    file = loadOrCreateKeyFile(config.dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw fsStartupError('read or create the key file in', config.dataDir, error);
    throw error;
  }
  return { keys: file.keys, source: `the key file ${file.path}`, keyFile: file };
}

/**
 * Opens the database at the latest schema. `create: false` (the admin scripts that only read or change
 * rows) refuses a missing SQLite file, so a mistyped LATCHKEY_DATA_DIR does not quietly make an empty
 * database (PostgreSQL's database is the operator's to create; a missing one is refused by the server).
 */
export async function openDatabase(config: Config, options: { create: boolean }, log?: Logger): Promise<Storage> {
  const location = config.database;
  const where = describeDatabase(location);
  if (location.dialect === 'sqlite') {
    if (!options.create && !existsSync(location.path)) {
      throw new StartupError(
        `no database at ${where}: check LATCHKEY_DATA_DIR / LATCHKEY_DATABASE_URL (\`npm run migrate\` or \`npm start\` creates one)`,
      );
    }
    makeDirectory(dirname(location.path));
  }
  let storage: Storage | undefined;
  try {
    storage = openStorage(location, (error) => log?.warn({ err: error.message }, 'a pooled database connection failed; it is replaced'));
    await migrateToLatest(storage.db);
    return storage;
  } catch (error) {
    await storage?.close();
    // better-sqlite3 says "unable to open database file" without the path; SqliteError has a SQLITE_* code;
    // pg's errors carry a system code (ECONNREFUSED) or a SQLSTATE (3D000: no such database, 28P01: bad password)
    const code = String((error as { code?: unknown }).code ?? '');
    if (code.startsWith('SQLITE_') || code.startsWith('E') || (location.dialect === 'postgres' && /^[0-9A-Z]{5}$/.test(code)))
      throw new StartupError(`cannot open the database ${where}: ${(error as Error).message}`);
    throw error;
  }
}

/** The database for a message: the SQLite path, or the PostgreSQL URL without its password. */
function describeDatabase(location: Config['database']): string {
  if (location.dialect === 'sqlite') return location.path;
  const url = new URL(location.url);
  if (url.password) url.password = '***';
  return url.href;
}

/**
 * The composition root's work, apart from listening: catalogue (fails fast on a bad toolkit file),
 * data directory, master key, database and migrations, a check that the key opens the stored secrets,
 * installation id, the configured API key. Operator mistakes throw StartupError (one line).
 */
export async function buildDeps(config: Config, log: Logger, overrides: { clock?: Clock; fetch?: typeof fetch } = {}): Promise<Built> {
  const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR, ...config.toolkitsDirs]);
  makeDirectory(config.dataDir);
  const { keys, source, keyFile } = loadKeys(config);
  if (keyFile) {
    log.warn(
      { key_file: keyFile.path, created: keyFile.created },
      'LATCHKEY_ENCRYPTION_KEY is not set: secrets are encrypted with the key file in the data directory. ' +
        'Anyone who can read that file can read every stored credential; set LATCHKEY_ENCRYPTION_KEY in production.',
    );
  }
  const vault = new Vault(keys);
  const clock = overrides.clock ?? systemClock;

  const storage = await openDatabase(config, { create: true }, log);
  try {
    const problem = await keyRingProblem(storage.db, vault, source);
    if (problem) throw new StartupError(problem);
    const installationId = await ensureInstallationId(storage.db, newId('lk'), clock.now());
    const keyStore = { db: storage.db, clock };
    await registerConfiguredApiKey(keyStore, config);
    const deps: Deps = {
      config,
      db: storage.db,
      vault,
      clock,
      fetch: overrides.fetch ?? globalThis.fetch,
      // a test's fetch (routing provider hosts to a stand-in) applies to tool calls too
      exchange: overrides.fetch ? fetchExchange(overrides.fetch) : undiciExchange(addressPolicy(config)),
      publicExchange: overrides.fetch ? fetchExchange(overrides.fetch) : undiciExchange(publicOnlyPolicy(config)),
      catalogue,
      log,
      installationId,
      caches: new Caches(),
      lifecycle: { draining: false },
    };
    return { deps, storage, createFirstApiKey: () => createFirstApiKey(keyStore, config) };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
