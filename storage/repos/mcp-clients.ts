import type { Kysely } from 'kysely';
import type { McpClient } from '../domain.ts';
import { epoch, flag, mapper, plain } from '../mapping.ts';
import type { Database, McpClientsTable } from '../schema.ts';

const clients = mapper<McpClient, McpClientsTable>({
  id: plain('id'),
  sessionId: plain('session_id'),
  urlElicitation: flag('url_elicitation'),
  clientName: plain('client_name'),
  createdAt: epoch('created_at'),
});

export function mcpClientsRepo(db: Kysely<Database>) {
  return {
    /**
     * Records a client and, in the same transaction, drops all but the session's newest `keep`
     * (a client that initializes in a loop must not grow the table without end).
     */
    async insert(client: McpClient, keep: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('mcp_clients').values(clients.toRow(client)).execute();
        // the client just recorded stays whatever its clock says; of the others, the newest keep - 1
        // (ties within a millisecond by id: no engine-neutral insertion order to use)
        const newest = trx
          .selectFrom('mcp_clients')
          .select('id')
          .where('session_id', '=', client.sessionId)
          .where('id', '!=', client.id)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(keep - 1);
        await trx
          .deleteFrom('mcp_clients')
          .where('session_id', '=', client.sessionId)
          .where('id', '!=', client.id)
          .where('id', 'not in', newest)
          .execute();
      });
    },
    async find(id: string, sessionId: string): Promise<McpClient | undefined> {
      return clients.maybe(
        await db.selectFrom('mcp_clients').selectAll().where('id', '=', id).where('session_id', '=', sessionId).executeTakeFirst(),
      );
    },
    async delete(id: string, sessionId: string): Promise<void> {
      await db.deleteFrom('mcp_clients').where('id', '=', id).where('session_id', '=', sessionId).execute();
    },
  };
}
