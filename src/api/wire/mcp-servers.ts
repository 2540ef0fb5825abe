import type { Deps } from '../../deps.ts';
import { answerBase } from '../../sessions/mcp-url.ts';
import type { McpServer, McpServerInstance } from '../../services/mcp-servers.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One word for a POSIX shell, whatever it holds: in single quotes nothing is expanded (POSIX.1-2017
 * XCU 2.2.2), and a single quote itself is closed, escaped and reopened ('\'').
 */
const shellWord = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * An MCP server in Composio's shape (GET /api/v3.1/mcp/{id}, the list items). Its `mcp_url` names the
 * server (its REST resource here); latchkey serves MCP only at the URL generated for a user, so the
 * `commands` say to generate one and send the project key beside it, as Composio's MCP URLs require.
 */
export function mcpServerWire(deps: Deps, server: McpServer, instanceCount: number, requestOrigin: string) {
  const userUrl = `<the user's URL from composio.mcp.generate(userId, '${server.id}')>`;
  const key = '<project API key>';
  return {
    id: server.id,
    name: server.name,
    auth_config_ids: server.toolkits.flatMap((t) => (t.authConfigId ? [t.authConfigId] : [])),
    allowed_tools: server.allowedTools,
    mcp_url: `${answerBase(deps, requestOrigin)}/api/v3.1/mcp/${server.id}`,
    toolkits: server.toolkits.map((t) => t.toolkit),
    toolkit_icons: Object.fromEntries(server.toolkits.map((t) => [t.toolkit, deps.catalogue.toolkit(t.toolkit)?.logo ?? ''])),
    commands: {
      claude: `claude mcp add --transport http ${shellWord(server.name)} ${shellWord(userUrl)} --header ${shellWord(`x-api-key: ${key}`)}`,
      cursor: JSON.stringify({ mcpServers: { [server.name]: { url: userUrl, headers: { 'x-api-key': key } } } }),
      windsurf: JSON.stringify({ mcpServers: { [server.name]: { serverUrl: userUrl, headers: { 'x-api-key': key } } } }),
    },
    updated_at: iso(server.updatedAt),
    created_at: iso(server.createdAt),
    server_instance_count: instanceCount,
    managed_auth_via_composio: server.managedAuth,
  };
}

/** A user's instance (GET /api/v3.1/mcp/servers/{id}/instances): Composio's `instance_id` is the user id. */
export function instanceWire(instance: McpServerInstance) {
  return {
    id: instance.sessionId,
    instance_id: instance.userId,
    mcp_server_id: instance.serverId,
    created_at: iso(instance.createdAt),
    updated_at: iso(instance.updatedAt),
  };
}
