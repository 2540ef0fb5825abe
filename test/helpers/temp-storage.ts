import { migrateToLatest, openStorage, type Storage } from '../../storage/db.ts';
import { makeTempDir } from './temp-dir.ts';
import { createTestDatabase, testBackend } from './test-database.ts';

/**
 * Migrated storage: a SQLite file in a fresh directory, or with LATCHKEY_TEST_BACKEND=postgres a fresh
 * database on the test cluster; `close` closes it and removes the directory or database.
 */
export async function openTempStorage(): Promise<{ storage: Storage; close: () => Promise<void> }> {
  const dir = makeTempDir();
  const database = testBackend === 'postgres' ? await createTestDatabase() : undefined;
  const storage = openStorage(
    database ? { dialect: 'postgres', url: database.url } : { dialect: 'sqlite', path: `${dir.path}/latchkey.db` },
  );
  await migrateToLatest(storage.db);
  return {
    storage,
    close: async () => {
      await storage.close();
      await database?.drop();
      dir.cleanup();
    },
  };
}
