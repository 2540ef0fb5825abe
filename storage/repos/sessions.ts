import type { Kysely, Updateable } from 'kysely';
import { prepared } from '../prepared.ts';
import type { Database, SessionsTable } from '../schema.ts';

export type SessionRow = SessionsTable;

export function sessionsRepo(db: Kysely<Database>) {
  return {
    async insert(row: SessionRow): Promise<void> {
      await db.insertInto('sessions').values(row).execute();
    },

    async insertMany(rows: SessionRow[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 500)
          await trx
            .insertInto('sessions')
            .values(rows.slice(i, i + 500))
            .execute();
      });
    },

    async findById(id: string): Promise<SessionRow | undefined> {
      return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** every MCP request: prepared once per process */
    async findByTokenHash(tokenHash: string): Promise<SessionRow | undefined> {
      const query = prepared(db, 'sessions.byTokenHash', (hash: string) =>
        db.selectFrom('sessions').selectAll().where('mcp_token_hash', '=', hash),
      );
      return (await query(tokenHash))[0];
    },

    /** Optimistic concurrency: the update lands only if the version is still the one read. */
    async updateIfVersion(id: string, version: number, changes: Updateable<SessionsTable>): Promise<boolean> {
      const result = await db
        .updateTable('sessions')
        .set(changes)
        .where('id', '=', id)
        .where('config_version', '=', version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
