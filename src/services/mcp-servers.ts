import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { defaultSessionConfig, type SessionConfig } from '../sessions/config.ts';
import { newSession } from '../sessions/session.ts';
import { recordAdminEvent } from './audit-log.ts';
import type { Actor } from './actor.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { mcpServersRepo, type InstanceFilter, type McpServerFilter } from '../../storage/repos/mcp-servers.ts';
import type { McpServer, McpServerInstance, McpServerToolkit } from '../../storage/domain.ts';

export type { McpServer, McpServerInstance };

/**
 * Composio's MCP servers (`composio.mcp.*`, issue 21): a named set of toolkits, the auth configs they
 * connect through, allowed tools and whether connections are managed in chat. A URL generated for a
 * user opens that user's instance, which is a session of that user whose config is the server's
 * (`instanceConfig`): the session MCP endpoint serves it as it serves any session (meta tools, Connect
 * Links, the user's own accounts, every credential a session URL takes). The server is the one writer
 * of those configs: its update rewrites them in the same transaction, and its deletion deletes them.
 */

export interface McpServerInput {
  name?: string;
  toolkits?: string[];
  authConfigIds?: string[];
  allowedTools?: string[];
  managedAuth?: boolean;
  /**
   * Composio's POST /mcp/servers names toolkits by their auth configs (`auth_config_ids` beside
   * `no_auth_apps`): there an auth config adds its toolkit. Elsewhere a listed `toolkits` is the
   * whole set, and an auth config of a toolkit not in it is refused.
   */
  authConfigsAddToolkits?: boolean;
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message: `${field}: ${message}`, errors: [{ field, message }] });
}

const servers = (deps: Pick<Deps, 'db'>) => mcpServersRepo(deps.db);

const notFound = (message: string) => new AppError('MCP_SERVER_NOT_FOUND', { message });

/**
 * The server's toolkits: those named, each with its auth config (Composio's SDK sends a
 * `{toolkit, authConfigId}` pair as both). An auth config of a toolkit not named is refused unless
 * `addToolkits` (then it stands for its toolkit). Every toolkit must be in the catalogue, every auth
 * config must exist, and a toolkit has at most one.
 */
async function resolveToolkits(deps: Deps, toolkits: string[], authConfigIds: string[], addToolkits: boolean): Promise<McpServerToolkit[]> {
  const out: McpServerToolkit[] = [];
  for (const slug of toolkits.map((t) => t.toLowerCase())) {
    if (!deps.catalogue.toolkit(slug)) throw invalid('toolkits', `unknown toolkit ${slug}`);
    if (!out.some((t) => t.toolkit === slug)) out.push({ toolkit: slug, authConfigId: null });
  }
  for (const id of authConfigIds) {
    const config = await authConfigsRepo(deps.db).findById(id);
    if (!config) throw new AppError('AUTH_CONFIG_NOT_FOUND', { message: `Auth config ${id} was not found.` });
    const entry = out.find((t) => t.toolkit === config.toolkitSlug);
    if (entry?.authConfigId && entry.authConfigId !== id)
      throw invalid('auth_config_ids', `${entry.authConfigId} and ${id} are both ${config.toolkitSlug} auth configs: name one per toolkit`);
    if (entry) entry.authConfigId = id;
    else if (!addToolkits)
      throw invalid('auth_config_ids', `${id} is a ${config.toolkitSlug} auth config, and ${config.toolkitSlug} is not in toolkits`);
    else out.push({ toolkit: config.toolkitSlug, authConfigId: id });
  }
  if (out.length === 0) throw invalid('toolkits', 'name at least one toolkit or auth config');
  return out;
}

/** Allowed tools must be tools of the server's toolkits (a tool elsewhere could never be listed). */
function checkAllowedTools(deps: Deps, toolkits: McpServerToolkit[], allowed: string[]): string[] {
  const slugs = [...new Set(allowed.map((s) => s.toUpperCase()))];
  for (const slug of slugs) {
    const entry = deps.catalogue.tool(slug);
    if (!entry) throw invalid('allowed_tools', `unknown tool ${slug}`);
    if (!toolkits.some((t) => t.toolkit === entry.toolkit.slug))
      throw invalid('allowed_tools', `${slug} is a ${entry.toolkit.slug} tool, and ${entry.toolkit.slug} is not a toolkit of this server`);
  }
  return slugs;
}

/**
 * The session config of a user's instance: the server's toolkits and auth configs, its allowed tools
 * (each toolkit limited to its own; none allowed: all of them) listed directly beside the meta tools,
 * as a Composio MCP server lists its tools, and Connect Links in chat when connections are managed.
 */
export function instanceConfig(deps: Deps, server: McpServer, userId: string): SessionConfig {
  const config = defaultSessionConfig(userId);
  config.toolkits = { enabled: server.toolkits.map((t) => t.toolkit) };
  config.authConfigs = Object.fromEntries(server.toolkits.flatMap((t) => (t.authConfigId ? [[t.toolkit, t.authConfigId]] : [])));
  if (server.allowedTools.length > 0) {
    const toolkitOf = (slug: string) => deps.catalogue.tool(slug)?.toolkit.slug;
    config.tools = Object.fromEntries(
      server.toolkits.map((t) => [t.toolkit, { enabled: server.allowedTools.filter((slug) => toolkitOf(slug) === t.toolkit) }]),
    );
  }
  config.preload = server.allowedTools.length > 0 ? [...server.allowedTools] : 'all';
  config.manageConnections = { ...config.manageConnections, enabled: server.managedAuth };
  return config;
}

export async function createMcpServer(deps: Deps, input: McpServerInput & { name: string }, actor: Actor): Promise<McpServer> {
  // without toolkits, a custom create's auth configs name them (nothing listed says otherwise)
  const addToolkits = input.authConfigsAddToolkits === true || input.toolkits === undefined;
  const toolkits = await resolveToolkits(deps, input.toolkits ?? [], input.authConfigIds ?? [], addToolkits);
  const now = deps.clock.now();
  const server: McpServer = {
    id: newId('mcp'),
    name: input.name,
    toolkits,
    allowedTools: checkAllowedTools(deps, toolkits, input.allowedTools ?? []),
    managedAuth: input.managedAuth ?? true,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await servers(deps).insert(server))) throw nameTaken(server.name);
  await recordAdminEvent(deps, serverChange('created', server), actor);
  return server;
}

const nameTaken = (name: string) =>
  new AppError('MCP_SERVER_NAME_TAKEN', { message: `An MCP server named ${JSON.stringify(name)} exists.` });

const serverChange = (verb: string, server: McpServer, detail?: Record<string, unknown>) => ({
  action: `mcp_server.${verb}`,
  subjectType: 'mcp_server',
  subjectId: server.id,
  detail: { name: server.name, toolkits: server.toolkits.map((t) => t.toolkit), ...detail },
});

export async function getMcpServer(deps: Pick<Deps, 'db'>, id: string): Promise<McpServer> {
  const server = await servers(deps).findById(id);
  if (!server) throw notFound(`MCP server ${id} was not found.`);
  return server;
}

export async function listMcpServers(deps: Pick<Deps, 'db'>, filter: McpServerFilter) {
  return servers(deps).list(filter);
}

export async function instanceCounts(deps: Pick<Deps, 'db'>, list: McpServer[]): Promise<Map<string, number>> {
  return servers(deps).countInstances(list.map((s) => s.id));
}

/** A PATCH: what is given replaces what was (toolkits as a whole), and the instances follow at once. */
export async function updateMcpServer(deps: Deps, id: string, input: McpServerInput, actor: Actor): Promise<McpServer> {
  const current = await getMcpServer(deps, id);
  // auth configs alone are set on the server's toolkits as they are
  const toolkits =
    input.toolkits !== undefined || input.authConfigIds !== undefined
      ? await resolveToolkits(deps, input.toolkits ?? current.toolkits.map((t) => t.toolkit), input.authConfigIds ?? [], false)
      : current.toolkits;
  const next: McpServer = {
    ...current,
    name: input.name ?? current.name,
    toolkits,
    allowedTools: checkAllowedTools(deps, toolkits, input.allowedTools ?? current.allowedTools),
    managedAuth: input.managedAuth ?? current.managedAuth,
    updatedAt: deps.clock.now(),
  };
  const updated = await servers(deps).update(next, (server, userId) => instanceConfig(deps, server, userId));
  if (!updated) throw nameTaken(next.name);
  await recordAdminEvent(deps, serverChange('updated', next, updated), actor);
  return next;
}

export async function deleteMcpServer(deps: Deps, id: string, actor: Actor): Promise<void> {
  const server = await getMcpServer(deps, id);
  if (!(await servers(deps).delete(id))) throw notFound(`MCP server ${id} was not found.`);
  await recordAdminEvent(deps, serverChange('deleted', server), actor);
}

/**
 * The user's instance of a server: the one made before, or a new one, its session's config built from
 * the server as stored when the instance is (a copy read earlier may be older than an update since).
 */
export async function instanceFor(deps: Deps, serverId: string, userId: string): Promise<McpServerInstance> {
  const existing = await servers(deps).findInstance(serverId, userId);
  if (existing) return existing;
  const stored = await servers(deps).insertInstance(
    serverId,
    userId,
    (server) => newSession(deps, instanceConfig(deps, server, userId)).session,
  );
  if (!stored) throw notFound(`MCP server ${serverId} was not found.`);
  return stored;
}

export async function listInstances(deps: Pick<Deps, 'db'>, filter: InstanceFilter) {
  return servers(deps).listInstances(filter);
}

export async function deleteInstance(deps: Deps, serverId: string, userId: string): Promise<void> {
  await getMcpServer(deps, serverId);
  if (!(await servers(deps).deleteInstance(serverId, userId))) throw notFound(`MCP server ${serverId} has no instance ${userId}.`);
}
