import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { McpServer, McpServerInstance, McpServerToolkit, StoredSession } from '../domain.ts';
import { epoch, flag, json, mapper, plain } from '../mapping.ts';
import type { Database, McpServerInstancesTable, McpServersTable } from '../schema.ts';
import { writeTransaction } from '../db.ts';
import { isUniqueViolation } from '../unique-violation.ts';
import { likePattern } from './activity-log.ts';
import { sessionsRepo } from './sessions.ts';

const serverRows = mapper<Omit<McpServer, 'toolkits'>, McpServersTable>({
  id: plain('id'),
  name: plain('name'),
  allowedTools: json('allowed_tools'),
  managedAuth: flag('managed_auth'),
  createdAt: epoch('created_at'),
  updatedAt: epoch('updated_at'),
});

const instanceRows = mapper<McpServerInstance, McpServerInstancesTable>({
  sessionId: plain('session_id'),
  serverId: plain('server_id'),
  userId: plain('user_id'),
  createdAt: epoch('created_at'),
  updatedAt: epoch('updated_at'),
});

/** One page of a list, newest or oldest first by creation or by change. */
export interface Paging {
  orderBy: 'created_at' | 'updated_at';
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** A filtered query's rows of one page and how many rows it has in all; `tieBreak` (the key) makes the order total. */
async function paged<T extends 'mcp_servers' | 'mcp_server_instances'>(
  query: SelectQueryBuilder<Database, T, object>,
  tieBreak: 'id' | 'session_id',
  paging: Paging,
): Promise<{ rows: Database[T][]; total: number }> {
  // the two tables share the ordering columns; Kysely cannot see that through the union
  const q = query as unknown as SelectQueryBuilder<Database, 'mcp_servers', object>;
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll()
    .orderBy(paging.orderBy, paging.direction)
    .orderBy(tieBreak as 'id')
    .limit(paging.limit)
    .offset(paging.offset)
    .execute();
  return { rows: rows as unknown as Database[T][], total: Number(total.n) };
}

export interface McpServerFilter extends Paging {
  /** part of the name, any case */
  name?: string;
  /** servers with any of these toolkits */
  toolkits?: string[];
  /** servers with any of these auth configs */
  authConfigIds?: string[];
}

export interface InstanceFilter extends Paging {
  serverId: string;
  /** part of the user id */
  search?: string;
}

/** The session config of a user's instance of this state of its server. */
export type InstanceConfigOf = (server: McpServer, userId: string) => unknown;

const toolkitRows = (serverId: string, toolkits: McpServerToolkit[]) =>
  toolkits.map((t, position) => ({ server_id: serverId, toolkit: t.toolkit, auth_config_id: t.authConfigId, position }));

/** A unique violation on a server's name (a rename or create another process committed first) reads as "taken". */
async function nameTakenAsFalse<T>(write: () => Promise<T>): Promise<T | false> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'mcp_servers', 'name')) return false;
    throw error;
  }
}

/** Composio's MCP servers, their toolkits, and their per-user instances (each a session). */
export function mcpServersRepo(db: Kysely<Database>) {
  async function withToolkits(rows: McpServersTable[]): Promise<McpServer[]> {
    if (rows.length === 0) return [];
    const toolkits = await db
      .selectFrom('mcp_server_toolkits')
      .selectAll()
      .where(
        'server_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('position')
      .execute();
    return rows.map((row) => ({
      ...serverRows.fromRow(row),
      toolkits: toolkits.filter((t) => t.server_id === row.id).map((t) => ({ toolkit: t.toolkit, authConfigId: t.auth_config_id })),
    }));
  }

  return {
    /** false when the name is taken (one at a time with a rename, which checks the name first) */
    async insert(server: McpServer): Promise<boolean> {
      return nameTakenAsFalse(() =>
        writeTransaction(db, async (trx) => {
          const inserted = await trx
            .insertInto('mcp_servers')
            .values(serverRows.toRow(server))
            .onConflict((oc) => oc.column('name').doNothing())
            .returning('id')
            .executeTakeFirst();
          if (!inserted) return false;
          if (server.toolkits.length > 0)
            await trx.insertInto('mcp_server_toolkits').values(toolkitRows(server.id, server.toolkits)).execute();
          return true;
        }),
      );
    },

    async findById(id: string): Promise<McpServer | undefined> {
      const row = await db.selectFrom('mcp_servers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && (await withToolkits([row]))[0];
    },

    async list(filter: McpServerFilter): Promise<{ servers: McpServer[]; total: number }> {
      let query = db.selectFrom('mcp_servers');
      if (filter.name) query = query.where(sql<boolean>`lower(name) like lower(${likePattern(filter.name)}) escape '\\'`);
      for (const [column, values] of [
        ['toolkit', filter.toolkits],
        ['auth_config_id', filter.authConfigIds],
      ] as const) {
        if (!values?.length) continue;
        query = query.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('mcp_server_toolkits')
              .select('toolkit')
              .whereRef('mcp_server_toolkits.server_id', '=', 'mcp_servers.id')
              .where(column, 'in', values),
          ),
        );
      }
      const { rows, total } = await paged(query, 'id', filter);
      return { servers: await withToolkits(rows), total };
    },

    /**
     * Writes a server's new state and, in the same write transaction, the config of every instance's
     * session, read there: an instance a concurrent generate stored (insertInstance takes the same
     * lock) is either rewritten here or was built from this state. false when the name is taken.
     */
    async update(server: McpServer, configOf: InstanceConfigOf): Promise<{ instances: number } | false> {
      return nameTakenAsFalse(() =>
        writeTransaction(db, async (trx) => {
          const clash = await trx
            .selectFrom('mcp_servers')
            .select('id')
            .where('name', '=', server.name)
            .where('id', '<>', server.id)
            .executeTakeFirst();
          if (clash) return false;
          await trx.updateTable('mcp_servers').set(serverRows.toChanges(server)).where('id', '=', server.id).execute();
          await trx.deleteFrom('mcp_server_toolkits').where('server_id', '=', server.id).execute();
          if (server.toolkits.length > 0)
            await trx.insertInto('mcp_server_toolkits').values(toolkitRows(server.id, server.toolkits)).execute();
          const instances = await trx
            .selectFrom('mcp_server_instances')
            .select(['session_id', 'user_id'])
            .where('server_id', '=', server.id)
            .execute();
          for (const i of instances) await sessionsRepo(trx).replaceConfig(i.session_id, configOf(server, i.user_id), server.updatedAt);
          await trx.updateTable('mcp_server_instances').set({ updated_at: server.updatedAt }).where('server_id', '=', server.id).execute();
          return { instances: instances.length };
        }),
      );
    },

    /**
     * Deletes a server with its instances and their sessions (their URLs, OAuth grants and tokens go
     * with them), in the write transaction insertInstance takes, so no instance is stored meanwhile;
     * an instance row restricts its server's deletion, so one missed here fails the delete, never
     * leaves a working URL behind.
     */
    async delete(id: string): Promise<boolean> {
      return writeTransaction(db, async (trx) => {
        const sessionIds = trx.selectFrom('mcp_server_instances').select('session_id').where('server_id', '=', id);
        const sessions = (await sessionIds.execute()).map((r) => r.session_id);
        await trx.deleteFrom('mcp_server_instances').where('server_id', '=', id).execute();
        if (sessions.length > 0) await trx.deleteFrom('sessions').where('id', 'in', sessions).execute();
        const result = await trx.deleteFrom('mcp_servers').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    /** The instance whose session this is (a session that follows its server), if any. */
    async instanceOfSession(sessionId: string): Promise<McpServerInstance | undefined> {
      const row = await db.selectFrom('mcp_server_instances').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
      return instanceRows.maybe(row);
    },

    async countInstances(serverIds: string[]): Promise<Map<string, number>> {
      if (serverIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('mcp_server_instances')
        .select(['server_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('server_id', 'in', serverIds)
        .groupBy('server_id')
        .execute();
      return new Map(rows.map((r) => [r.server_id, Number(r.n)]));
    },

    async findInstance(serverId: string, userId: string): Promise<McpServerInstance | undefined> {
      const row = await db
        .selectFrom('mcp_server_instances')
        .selectAll()
        .where('server_id', '=', serverId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return instanceRows.maybe(row);
    },

    /**
     * Stores a user's instance with its session, unless the user has one already (a concurrent
     * generate; one write transaction, so both see each other): then the one stored is returned. The
     * session is built by `sessionOf` from the server as read in this transaction (update and delete
     * take the same lock), never from an older copy. undefined when the server was deleted meanwhile.
     */
    async insertInstance(
      serverId: string,
      userId: string,
      sessionOf: (server: McpServer) => StoredSession,
    ): Promise<McpServerInstance | undefined> {
      return writeTransaction(db, async (trx) => {
        const server = await mcpServersRepo(trx).findById(serverId);
        if (!server) return undefined;
        const existing = await trx
          .selectFrom('mcp_server_instances')
          .selectAll()
          .where('server_id', '=', serverId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (existing) return instanceRows.fromRow(existing);
        const session = sessionOf(server);
        const instance = { sessionId: session.id, serverId, userId, createdAt: session.createdAt, updatedAt: session.createdAt };
        await sessionsRepo(trx).insert(session);
        await trx.insertInto('mcp_server_instances').values(instanceRows.toRow(instance)).execute();
        return instance;
      });
    },

    async listInstances(filter: InstanceFilter): Promise<{ instances: McpServerInstance[]; total: number }> {
      let query = db.selectFrom('mcp_server_instances').where('server_id', '=', filter.serverId);
      if (filter.search) query = query.where(sql<boolean>`user_id like ${likePattern(filter.search)} escape '\\'`);
      const { rows, total } = await paged(query, 'session_id', filter);
      return { instances: rows.map(instanceRows.fromRow), total };
    },

    /** Deletes a user's instance and its session; false when there is none. */
    async deleteInstance(serverId: string, userId: string): Promise<boolean> {
      const result = await db
        .deleteFrom('sessions')
        .where('id', 'in', (eb) =>
          eb.selectFrom('mcp_server_instances').select('session_id').where('server_id', '=', serverId).where('user_id', '=', userId),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
