import type { Kysely } from 'kysely';
import type { ApiKeysTable, Database } from '../schema.ts';

export type ApiKeyRow = ApiKeysTable;

export function apiKeysRepo(db: Kysely<Database>) {
  return {
    async insert(row: Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'>): Promise<void> {
      await db
        .insertInto('api_keys')
        .values({ ...row, last_used_at: null, revoked_at: null })
        .execute();
    },

    /** Inserts unless a key with this hash exists (revoked or not): a revoked env key stays revoked. */
    async insertIfAbsent(row: Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'>): Promise<boolean> {
      const result = await db
        .insertInto('api_keys')
        .values({ ...row, last_used_at: null, revoked_at: null })
        .onConflict((oc) => oc.column('key_hash').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async findActiveByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
    },

    async countActive(): Promise<number> {
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async list(): Promise<ApiKeyRow[]> {
      return db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    },

    async revoke(id: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async touch(id: string, now: number): Promise<void> {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}

export type ApiKeysRepo = ReturnType<typeof apiKeysRepo>;
