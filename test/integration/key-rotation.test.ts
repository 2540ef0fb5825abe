import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openStorage, type Storage } from '../../storage/db.ts';
import { sealedValuesRepo } from '../../storage/repos/sealed-values.ts';
import { sealed, sealedColumns, sealedAad } from '../../storage/schema.ts';
import { rotateSealedValues } from '../../src/vault/rotate.ts';
import { Vault } from '../../src/vault/vault.ts';
import { openAllSealed, seedSealedRows } from '../helpers/seed.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const oldKey = { id: 'old', key: randomBytes(32) };
const newKey = { id: 'new', key: randomBytes(32) };
let storage: Storage;
let cleanup: () => void;

async function setup(rows: number) {
  const dir = makeTempDir();
  cleanup = dir.cleanup;
  storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/latchkey.db` });
  await migrateToLatest(storage.db);
  const vault = new Vault([oldKey]);
  for (let i = 0; i < rows; i++) {
    await seedSealedRows(storage.db, vault, String(i).padStart(3, '0'), {
      clientSecret: `cs-${i}`,
      accessToken: `at-${i}`,
      sessionToken: `st-${i}`,
      linkToken: `lt-${i}`,
    });
  }
}

afterEach(async () => {
  await storage.close();
  cleanup();
});

describe('key rotation', () => {
  it('re-encrypts every sealed row under the new key, and every row opens at every step', async () => {
    await setup(7);
    const ring = new Vault([newKey, oldKey]);
    const total = await openAllSealed(storage.db, ring);
    expect(total).toBe(7 * 4);
    let batches = 0;
    const report = await rotateSealedValues(storage.db, ring, {
      batchSize: 3,
      afterBatch: async () => {
        batches += 1;
        // a live server holding the ring must still open everything mid-rotation
        expect(await openAllSealed(storage.db, ring)).toBe(total);
      },
    });
    expect(batches).toBeGreaterThan(4);
    expect(report.rewritten).toBe(total);
    const repo = sealedValuesRepo(storage.db);
    for (const column of sealedColumns()) expect(await repo.countStale(column, ring.currentPrefix)).toBe(0);
    // the old key can now be dropped
    expect(await openAllSealed(storage.db, new Vault([newKey]))).toBe(total);
    await expect(openAllSealed(storage.db, new Vault([oldKey]))).rejects.toThrow();
    const row = await storage.db
      .selectFrom('connected_accounts')
      .select(['id', 'credentials_sealed'])
      .where('id', '=', 'ca_seed003')
      .executeTakeFirstOrThrow();
    expect(
      new Vault([newKey]).openJson(row.credentials_sealed!, sealedAad(sealed('connected_accounts', 'credentials_sealed'), row.id)),
    ).toEqual({
      access_token: 'at-3',
      refresh_token: 'at-3-refresh',
    });
  });

  it('never overwrites a value a live server rewrote during the rotation', async () => {
    await setup(2);
    const ring = new Vault([newKey, oldKey]);
    const column = sealed('connected_accounts', 'credentials_sealed');
    let raced = false;
    const report = await rotateSealedValues(storage.db, ring, {
      batchSize: 1,
      afterBatch: async () => {
        if (raced) return;
        raced = true;
        // the server refreshes ca_seed001's tokens while rotation is still on auth_configs
        await storage.db
          .updateTable('connected_accounts')
          .set({ credentials_sealed: ring.sealJson({ access_token: 'fresh' }, sealedAad(column, 'ca_seed001')) })
          .where('id', '=', 'ca_seed001')
          .execute();
      },
    });
    const row = await storage.db
      .selectFrom('connected_accounts')
      .select('credentials_sealed')
      .where('id', '=', 'ca_seed001')
      .executeTakeFirstOrThrow();
    expect(ring.openJson(row.credentials_sealed!, sealedAad(column, 'ca_seed001'))).toEqual({ access_token: 'fresh' });
    expect(report.rewritten).toBe(2 * 4 - 1);
  });

  it('stops with the row named when a value cannot be opened by the ring', async () => {
    await setup(1);
    await expect(rotateSealedValues(storage.db, new Vault([newKey]))).rejects.toThrow(
      /auth_configs.credentials_sealed of row ac_seed000 cannot be opened/,
    );
  });
});
