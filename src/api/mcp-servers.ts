import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { requestActor } from '../http/api-key-auth.ts';
import type { AppEnv } from '../http/env.ts';
import { commaList, readJson, validate } from '../http/read-json.ts';
import {
  createMcpServer,
  deleteInstance,
  deleteMcpServer,
  getMcpServer,
  instanceCounts,
  instanceFor,
  listInstances,
  listMcpServers,
  updateMcpServer,
} from '../services/mcp-servers.ts';
import { mcpUrl } from '../sessions/mcp-url.ts';
import type { McpServer, McpServerInput } from '../services/mcp-servers.ts';
import { MAX_PAGE_SIZE } from './pagination.ts';
import { requestOrigin } from './sessions.ts';
import { instanceWire, mcpServerWire } from './wire/mcp-servers.ts';

const slug = z.string().min(1).max(100);
const slugs = z.array(slug).max(100);
const toolSlugs = z.array(z.string().min(1).max(200)).max(1000);
const name = z.string().trim().min(1).max(200);

// Composio's custom tools are not part of latchkey: a list of them is refused, never silently dropped
const noCustomTools = z.array(z.string()).max(0, 'custom tools are not supported by latchkey').optional();

// what a create or PATCH may set; a create needs a name (the client's POST /mcp/servers also auth_config_ids)
const serverFields = {
  name: name.optional(),
  toolkits: slugs.optional(),
  auth_config_ids: slugs.optional(),
  allowed_tools: toolSlugs.optional(),
  managed_auth_via_composio: z.boolean().optional(),
};
const updateBody = z.object(serverFields).passthrough();
const createCustomBody = z.object({ ...serverFields, name, custom_tools: noCustomTools }).passthrough();
const createBody = z.object({ ...serverFields, name, auth_config_ids: slugs, no_auth_apps: slugs.optional() }).passthrough();
const generateBody = z
  .object({
    mcp_server_id: slug,
    user_ids: z.array(z.string().min(1).max(256)).max(100).optional(),
    // a URL per connected account is not served: each URL is a user's, and picks among that user's accounts
    connected_account_ids: z.array(z.string()).max(0, 'URLs per connected account are not supported: pass user_ids').optional(),
    // the server's own managed_auth_via_composio decides (its instances follow the server, one per user)
    managed_auth_by_composio: z.boolean().optional(),
  })
  .passthrough();
const instanceBody = z.object({ user_id: z.string().min(1).max(256) }).passthrough();

const ordering = {
  order_by: z.enum(['created_at', 'updated_at']).default('created_at'),
  order_direction: z.enum(['asc', 'desc']).default('desc'),
  page_no: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
};
const listQuery = z.object({
  ...ordering,
  name: z.string().max(200).optional(),
  toolkits: z.string().max(2000).optional(),
  auth_config_ids: z.string().max(4000).optional(),
});
const instancesQuery = z.object({ ...ordering, search: z.string().max(256).optional() });

/** A create or update body, as the service takes it (`no_auth_apps` are toolkits without an auth config). */
const inputOf = (body: z.infer<typeof updateBody> & { no_auth_apps?: string[] }): McpServerInput => ({
  name: body.name,
  toolkits: body.toolkits ?? body.no_auth_apps,
  authConfigIds: body.auth_config_ids,
  allowedTools: body.allowed_tools,
  managedAuth: body.managed_auth_via_composio,
});

type Ordering = z.infer<z.ZodObject<typeof ordering>>;

const page = (q: Ordering) => ({ orderBy: q.order_by, direction: q.order_direction, limit: q.limit, offset: (q.page_no - 1) * q.limit });
const totalPages = (total: number, limit: number) => Math.max(1, Math.ceil(total / limit));

/**
 * Composio's MCP servers API (`composio.mcp.*` of @composio/core; paths of @composio/client), over
 * services/mcp-servers.ts. The URL generated for a user is that user's instance's session MCP URL.
 */
export function mcpServerRoutes(deps: Deps) {
  const one = async (c: Context, server: McpServer) => {
    const counts = await instanceCounts(deps, [server]);
    return mcpServerWire(deps, server, counts.get(server.id) ?? 0, requestOrigin(c));
  };

  // `app/{appKey}`: the servers with that toolkit, whatever the query says
  const list = async (c: Context, appKey?: string) => {
    const q = validate(listQuery, c.req.query(), 'query');
    const { servers, total } = await listMcpServers(deps, {
      name: q.name || undefined,
      toolkits: (appKey ? [appKey] : commaList(q.toolkits))?.map((t) => t.toLowerCase()),
      authConfigIds: commaList(q.auth_config_ids),
      ...page(q),
    });
    const counts = await instanceCounts(deps, servers);
    return c.json({
      items: servers.map((s) => mcpServerWire(deps, s, counts.get(s.id) ?? 0, requestOrigin(c))),
      total_pages: totalPages(total, q.limit),
      current_page: q.page_no,
    });
  };

  return new Hono<AppEnv>()
    .post('/mcp/servers/custom', async (c) => {
      const body = await readJson(c, createCustomBody);
      const server = await createMcpServer(deps, { ...inputOf(body), name: body.name }, requestActor(c));
      return c.json(await one(c, server), 201);
    })
    .post('/mcp/servers', async (c) => {
      const body = await readJson(c, createBody);
      const input = { ...inputOf(body), name: body.name, authConfigsAddToolkits: true };
      const server = await createMcpServer(deps, input, requestActor(c));
      return c.json(await one(c, server), 201);
    })
    .get('/mcp/servers', (c) => list(c))
    .get('/mcp/app/:appKey', (c) => list(c, c.req.param('appKey')))
    .post('/mcp/servers/generate', async (c) => {
      const body = await readJson(c, generateBody);
      const server = await getMcpServer(deps, body.mcp_server_id);
      const urls: string[] = [];
      for (const userId of body.user_ids ?? []) {
        const instance = await instanceFor(deps, server.id, userId);
        urls.push(mcpUrl(deps, instance.sessionId, requestOrigin(c)));
      }
      return c.json({ mcp_url: (await one(c, server)).mcp_url, connected_account_urls: [], user_ids_url: urls });
    })
    .get('/mcp/servers/:serverId/instances', async (c) => {
      const server = await getMcpServer(deps, c.req.param('serverId'));
      const q = validate(instancesQuery, c.req.query(), 'query');
      const { instances, total } = await listInstances(deps, { serverId: server.id, search: q.search || undefined, ...page(q) });
      return c.json({
        instances: instances.map(instanceWire),
        server_id: server.id,
        server_name: server.name,
        total_pages: totalPages(total, q.limit),
        current_page: q.page_no,
      });
    })
    .post('/mcp/servers/:serverId/instances', async (c) => {
      const body = await readJson(c, instanceBody);
      const server = await getMcpServer(deps, c.req.param('serverId'));
      return c.json(instanceWire(await instanceFor(deps, server.id, body.user_id)), 201);
    })
    .delete('/mcp/servers/:serverId/instances/:instanceId', async (c) => {
      await deleteInstance(deps, c.req.param('serverId'), c.req.param('instanceId'));
      return c.json({ message: 'Instance deleted; its URL is refused from now on.', deleted_connected_accounts: 0 });
    })
    .get('/mcp/:id', async (c) => c.json({ ...(await one(c, await getMcpServer(deps, c.req.param('id')))), deleted: false }))
    .patch('/mcp/:id', async (c) => {
      const body = await readJson(c, updateBody);
      const server = await updateMcpServer(deps, c.req.param('id'), inputOf(body), requestActor(c));
      return c.json({ ...(await one(c, server)), deleted: false });
    })
    .delete('/mcp/:id', async (c) => {
      await deleteMcpServer(deps, c.req.param('id'), requestActor(c));
      return c.json({ id: c.req.param('id'), deleted: true });
    });
}
