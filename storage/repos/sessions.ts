import { type Kysely, sql } from 'kysely';
import type { StoredSession } from '../domain.ts';
import { epoch, integer, mapper, plain } from '../mapping.ts';
import type { ParsedJsonCache } from '../parsed-json-cache.ts';
import { prepared } from '../prepared.ts';
import type { Database, SessionsTable } from '../schema.ts';

// the config is mapped beside the declaration: its parse is keyed by the row id (ParsedJsonCache)
const columns = mapper<Omit<StoredSession, 'config'>, SessionsTable>({
  id: plain('id'),
  userId: plain('user_id'),
  configVersion: integer('config_version'),
  mcpTokenHash: plain('mcp_token_hash'),
  mcpTokenSealed: plain('mcp_token_sealed'),
  createdAt: epoch('created_at'),
  updatedAt: epoch('updated_at'),
});

type SessionChanges = Partial<Pick<StoredSession, 'config' | 'configVersion' | 'updatedAt'>>;

function sessionFromRow(row: SessionsTable, configs: ParsedJsonCache | undefined): StoredSession {
  const session = columns.fromRow(row) as StoredSession;
  session.config = configs ? configs.parse(row.id, row.config) : JSON.parse(row.config);
  return session;
}

const toRow = (session: StoredSession): SessionsTable => ({ ...columns.toRow(session), config: JSON.stringify(session.config) });

const toChanges = ({ config, ...rest }: SessionChanges) => ({
  ...columns.toChanges(rest),
  ...(config === undefined ? {} : { config: JSON.stringify(config) }),
});

/**
 * Sessions. Given `configs` (the app's cache), reads share one frozen config object per stored text:
 * every MCP request reads the row, and parsing its config each time would cost more than the read.
 */
export function sessionsRepo(db: Kysely<Database>, configs?: ParsedJsonCache) {
  const fromRow = (row: SessionsTable) => sessionFromRow(row, configs);
  return {
    async insert(session: StoredSession): Promise<void> {
      await db.insertInto('sessions').values(toRow(session)).execute();
    },

    async insertMany(sessions: StoredSession[]): Promise<void> {
      const rows = sessions.map(toRow);
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 500)
          await trx
            .insertInto('sessions')
            .values(rows.slice(i, i + 500))
            .execute();
      });
    },

    /** every MCP request authenticated with the project's API key: prepared once per process */
    async findById(id: string): Promise<StoredSession | undefined> {
      const query = prepared(db, 'sessions.byId', (sessionId: string) => db.selectFrom('sessions').selectAll().where('id', '=', sessionId));
      const row = (await query(id))[0];
      return row && fromRow(row);
    },

    /** every MCP request: prepared once per process */
    async findByTokenHash(tokenHash: string): Promise<StoredSession | undefined> {
      const query = prepared(db, 'sessions.byTokenHash', (hash: string) =>
        db.selectFrom('sessions').selectAll().where('mcp_token_hash', '=', hash),
      );
      const row = (await query(tokenHash))[0];
      return row && fromRow(row);
    },

    /**
     * every MCP request with an OAuth access token: the session of a live (unexpired) access token,
     * in one statement; a token whose grant or session was deleted is gone with them. Prepared once.
     */
    async findByAccessTokenHash(tokenHash: string, now: number): Promise<StoredSession | undefined> {
      const query = prepared(db, 'sessions.byAccessTokenHash', (hash: string, at: number) =>
        db
          .selectFrom('oauth_tokens')
          .innerJoin('oauth_grants', 'oauth_grants.id', 'oauth_tokens.grant_id')
          .innerJoin('sessions', 'sessions.id', 'oauth_grants.session_id')
          .selectAll('sessions')
          .where('oauth_tokens.token_hash', '=', hash)
          .where('oauth_tokens.kind', '=', 'access')
          .where('oauth_tokens.expires_at', '>', at),
      );
      const row = (await query(tokenHash, now))[0];
      return row && fromRow(row);
    },

    /** Optimistic concurrency: the update lands only if the version is still the one read. */
    async updateIfVersion(id: string, version: number, changes: SessionChanges): Promise<boolean> {
      const result = await db
        .updateTable('sessions')
        .set(toChanges(changes))
        .where('id', '=', id)
        .where('config_version', '=', version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /**
     * Replaces a session's config whatever its version, and counts the version up (an MCP server's
     * instances follow the server's config: the server's update is the one writer, in its transaction).
     */
    async replaceConfig(id: string, config: unknown, now: number): Promise<void> {
      await db
        .updateTable('sessions')
        .set({ config: JSON.stringify(config), config_version: sql<number>`config_version + 1`, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    /** A user's sessions, newest first (the console's user page). */
    async listByUser(userId: string, limit: number): Promise<StoredSession[]> {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
