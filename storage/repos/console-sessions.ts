import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface ConsoleSessionRow {
  apiKeyId: string;
  createdAt: number;
  lastSeenAt: number;
}

export function consoleSessionsRepo(db: Kysely<Database>) {
  return {
    async insert(idHash: string, apiKeyId: string, now: number): Promise<void> {
      await db
        .insertInto('console_sessions')
        .values({ id_hash: idHash, api_key_id: apiKeyId, created_at: now, last_seen_at: now })
        .execute();
    },

    async find(idHash: string): Promise<ConsoleSessionRow | undefined> {
      const row = await db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return row && { apiKeyId: row.api_key_id, createdAt: Number(row.created_at), lastSeenAt: Number(row.last_seen_at) };
    },

    async touch(idHash: string, now: number): Promise<void> {
      await db.updateTable('console_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
    },

    async delete(idHash: string): Promise<void> {
      await db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
    },

    /** Sign-ins idle since `idleBefore` or opened before `createdBefore`: they can never be resumed. */
    async deleteStale(idleBefore: number, createdBefore: number): Promise<void> {
      await db
        .deleteFrom('console_sessions')
        .where((eb) => eb.or([eb('last_seen_at', '<', idleBefore), eb('created_at', '<', createdBefore)]))
        .execute();
    },
  };
}
