import type { Kysely } from 'kysely';
import type { ApiKey } from '../domain.ts';
import { epoch, epochOrNull, mapper, plain } from '../mapping.ts';
import { prepared } from '../prepared.ts';
import type { ApiKeysTable, Database } from '../schema.ts';

const apiKeys = mapper<ApiKey, ApiKeysTable>({
  id: plain('id'),
  name: plain('name'),
  keyHash: plain('key_hash'),
  keyHint: plain('key_hint'),
  createdAt: epoch('created_at'),
  lastUsedAt: epochOrNull('last_used_at'),
  revokedAt: epochOrNull('revoked_at'),
});

type NewApiKey = Omit<ApiKey, 'lastUsedAt' | 'revokedAt'>;

export function apiKeysRepo(db: Kysely<Database>) {
  return {
    async insert(key: NewApiKey): Promise<void> {
      await db
        .insertInto('api_keys')
        .values(apiKeys.toRow({ ...key, lastUsedAt: null, revokedAt: null }))
        .execute();
    },

    /** Inserts unless a key with this hash exists (revoked or not): a revoked env key stays revoked. */
    async insertIfAbsent(key: NewApiKey): Promise<boolean> {
      const result = await db
        .insertInto('api_keys')
        .values(apiKeys.toRow({ ...key, lastUsedAt: null, revokedAt: null }))
        .onConflict((oc) => oc.column('key_hash').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** every request with `x-api-key` (REST, and MCP as Composio's SDK calls it): prepared once per process */
    async findActiveByHash(keyHash: string): Promise<ApiKey | undefined> {
      const query = prepared(db, 'api_keys.activeByHash', (hash: string) =>
        db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).where('revoked_at', 'is', null),
      );
      const row = (await query(keyHash))[0];
      return row && apiKeys.fromRow(row);
    },

    async isActive(id: string): Promise<boolean> {
      const row = await db.selectFrom('api_keys').select('id').where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return row !== undefined;
    },

    async countActive(): Promise<number> {
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async list(): Promise<ApiKey[]> {
      const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
      return rows.map(apiKeys.fromRow);
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
