import type { Kysely } from 'kysely';
import type { Database, McpClientsTable } from '../schema.ts';

export function mcpClientsRepo(db: Kysely<Database>) {
  return {
    async insert(row: McpClientsTable): Promise<void> {
      await db.insertInto('mcp_clients').values(row).execute();
    },
    async find(id: string, sessionId: string): Promise<McpClientsTable | undefined> {
      return db.selectFrom('mcp_clients').selectAll().where('id', '=', id).where('session_id', '=', sessionId).executeTakeFirst();
    },
    async delete(id: string, sessionId: string): Promise<void> {
      await db.deleteFrom('mcp_clients').where('id', '=', id).where('session_id', '=', sessionId).execute();
    },
  };
}
