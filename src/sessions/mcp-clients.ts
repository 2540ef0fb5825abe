import type { Deps } from '../deps.ts';
import { newId } from '../ids.ts';
import { mcpClientsRepo } from '../../storage/repos/mcp-clients.ts';

/**
 * The MCP clients of a session, remembered across stateless requests by the `mcp-session-id` they
 * echo: what each declared at `initialize` (URL elicitation) decides how a Connect Link reaches it.
 */

/** MCP clients remembered per session: a few real clients reconnect now and then; more is a loop. */
export const MAX_CLIENTS_PER_SESSION = 20;

/** Records a client at `initialize`; returns its id (the `mcp-session-id` it will echo). */
export async function rememberClient(
  deps: Deps,
  sessionId: string,
  client: { urlElicitation: boolean; name: string | null },
): Promise<string> {
  const id = newId('mcs');
  await mcpClientsRepo(deps.db).insert(
    { id, sessionId, urlElicitation: client.urlElicitation, clientName: client.name, createdAt: deps.clock.now() },
    MAX_CLIENTS_PER_SESSION,
  );
  return id;
}

export async function clientTakesUrlElicitation(deps: Deps, clientId: string, sessionId: string): Promise<boolean> {
  return (await mcpClientsRepo(deps.db).find(clientId, sessionId))?.urlElicitation === true;
}

export async function forgetClient(deps: Deps, clientId: string, sessionId: string): Promise<void> {
  await mcpClientsRepo(deps.db).delete(clientId, sessionId);
}
