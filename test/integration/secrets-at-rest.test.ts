import { readFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { databaseContents } from '../helpers/database-contents.ts';
import { seedSealedRows } from '../helpers/seed.ts';
import { sqliteFile, sqliteHandle } from '../helpers/sqlite-only.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const secrets = {
  clientSecret: 'client-secret-PLAINTEXT-1f2e3d',
  accessToken: 'gho_PLAINTEXTACCESS0123456789',
  sessionToken: 'lks_PLAINTEXTSESSION987654',
  linkToken: 'ln_PLAINTEXTLINK55555',
};

function fileContains(path: string, needle: string): boolean {
  return existsSync(path) && readFileSync(path).includes(Buffer.from(needle, 'utf8'));
}

describe('secrets at rest', () => {
  it('keeps every stored secret out of the database: the SQLite file and its WAL (before and after a checkpoint), or a PostgreSQL dump', async () => {
    await seedSealedRows(t.deps.db, t.deps.vault, '1', secrets);
    const { key } = await createApiKey(t.deps, 'scan');
    const needles = [...Object.values(secrets), key, t.apiKey];
    const stored = (needle: string) => databaseContents(t.deps.config).some((bytes) => bytes.includes(Buffer.from(needle, 'utf8')));
    // the canary: the non-secret client id is stored in clear, so a scan that finds nothing is a real scan
    expect(stored('client-id')).toBe(true);
    for (const needle of needles) expect(stored(needle), needle).toBe(false);
    // SQLite: once the WAL is folded into the file, the file alone still holds none
    if (!t.storage.sqlite) return;
    const db = sqliteFile(t.deps.config);
    sqliteHandle(t.storage).pragma('wal_checkpoint(TRUNCATE)');
    expect(fileContains(db, 'client-id')).toBe(true);
    for (const needle of needles) expect(fileContains(db, needle), `${needle} in db after checkpoint`).toBe(false);
  });
});
