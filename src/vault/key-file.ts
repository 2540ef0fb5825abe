import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKeyRing, type VaultKey } from './key-ring.ts';

export const KEY_FILE_NAME = 'master.key';

/**
 * The zero-setup path: with no LATCHKEY_ENCRYPTION_KEY, the master key lives in the data directory.
 * Created once with mode 0600 and `wx` so two processes starting together cannot each write their own.
 */
export function loadOrCreateKeyFile(dataDir: string): { keys: VaultKey[]; path: string; created: boolean } {
  const path = join(dataDir, KEY_FILE_NAME);
  let created = false;
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { keys: parseKeyRing(readFileSync(path, 'utf8')), path, created };
}
