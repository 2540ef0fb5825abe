import { migrateToLatest, openStorage, type Storage } from '../../storage/db.ts';
import { makeTempDir } from './temp-dir.ts';

/** A migrated SQLite file in a fresh directory; `close` closes it and removes the directory. */
export async function openTempStorage(): Promise<{ storage: Storage; close: () => Promise<void> }> {
  const dir = makeTempDir();
  const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/latchkey.db` });
  await migrateToLatest(storage.db);
  return {
    storage,
    close: async () => {
      await storage.close();
      dir.cleanup();
    },
  };
}
