import type BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../../src/config.ts';
import type { Storage } from '../../storage/db.ts';

const SQLITE_ONLY = 'this test reads the SQLite file itself: it runs on the SQLite backend only';

/** The SQLite file of a configuration, for tests that scan the file (secrets at rest). */
export function sqliteFile(config: Config): string {
  if (config.database.dialect !== 'sqlite') throw new Error(SQLITE_ONLY);
  return config.database.path;
}

/** The raw SQLite handle of a storage, for pragmas and checkpoints. */
export function sqliteHandle(storage: Storage): BetterSqlite3.Database {
  if (!storage.sqlite) throw new Error(SQLITE_ONLY);
  return storage.sqlite;
}
