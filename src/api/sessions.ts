import { newId } from '../ids.ts';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { callbackUrlField } from '../callback-url.ts';
import { isNoAuth, managedSchemes, toolWire } from './wire/catalogue.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { ToolInputError } from '../execution/execute.ts';
import type { AppEnv } from '../http/env.ts';
import { commaList, optionalId, readJson, validate } from '../http/read-json.ts';
import { runMetaTool, META_DEFINITIONS } from '../mcp/meta-tools.ts';
import { authorizeToolkit, latestAccount, resolveSessionConnection, usableAccounts } from '../services/session-accounts.ts';
import { executeProxy } from '../execution/execute.ts';
import { executionOptions } from '../services/tool-execution.ts';
import { proxyWire } from './tools.ts';
import { createSession, deleteSession, getSession, metaToolSlugs, preloadedTools, sessionToken, sessionToolkits, sessionWire, updateSession } from '../services/sessions.ts';
import { createSessionBody, updateSessionBody } from '../sessions/config.ts';
import { customToolsAnswer, customToolsWire } from '../sessions/custom-tools.ts';
import { outcomeEnvelope, runSessionTool } from '../sessions/run-tool.ts';
import { pageOf, pageQuery } from './pagination.ts';

const executeBody = z.object({ tool_slug: z.string().min(1).max(200), arguments: z.record(z.string(), z.unknown()).optional(), account: optionalId(200) }).passthrough();
const executeMetaBody = z.object({ slug: z.string().min(1).max(200), arguments: z.record(z.string(), z.unknown()).optional() }).passthrough();
const linkBody = z.object({ toolkit: z.string().min(1).max(100), callback_url: callbackUrlField.optional(), alias: z.string().max(200).optional() }).passthrough();
const toolkitsQuery = z.object({ ...pageQuery, toolkits: z.string().max(2000).optional(), is_connected: z.enum(['true', 'false']).optional(), search: z.string().max(200).optional() });
const proxyExecuteBody = z
  .object({
    toolkit_slug: z.string().min(1).max(100),
    endpoint: z.string().min(1).max(4096),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    body: z.unknown().optional(),
    parameters: z.array(z.object({ name: z.string().min(1).max(256), type: z.enum(['header', 'query']), value: z.union([z.string(), z.number(), z.boolean()]) })).max(100).optional(),
  })
  .passthrough();
const searchBody = z
  .object({
    queries: z.array(z.object({ use_case: z.string().min(1).max(1024), known_fields: z.string().max(2000).optional() }).passthrough()).min(1).max(10),
    toolkits: z.array(z.string().max(100)).max(100).optional(),
  })
  .passthrough();

const META_TOOL_WIRE = (name: string) => ({
  slug: name,
  name,
  description: META_DEFINITIONS[name]!.description,
  toolkit: { slug: 'composio', name: 'Composio', logo: '' },
  input_parameters: META_DEFINITIONS[name]!.inputSchema,
  output_parameters: { type: 'object', properties: {} },
  no_auth: true,
  available_versions: ['00000000_00'],
  version: '00000000_00',
  scopes: [],
  tags: Object.keys(META_DEFINITIONS[name]!.annotations),
  is_deprecated: false,
  deprecated: { version: '00000000_00', available_versions: ['00000000_00'], displayName: name, is_deprecated: false, toolkit: { logo: '' } },
});

/** The origin this request was sent to (from its Host header), for the session's MCP URL. */
const requestOrigin = (c: Context) => new URL(c.req.url).origin;

/** Tool-call failures the caller must fix answer as 4xx; everything upstream is in the envelope. */
function inputError(error: unknown): never {
  if (error instanceof ToolInputError) throw new AppError('TOOL_ARGUMENTS_INVALID', { message: error.message, errors: error.errors });
  throw error;
}

export function sessionRoutes(deps: Deps) {
  const create = async (c: Context<AppEnv>) => {
    const body = await readJson(c, createSessionBody);
    const experimental = customToolsAnswer(deps, validate(customToolsWire, body.experimental ?? {}, 'experimental'));
    const { session, token } = await createSession(deps, body.user_id, body);
    return c.json({ ...sessionWire(deps, session, token, requestOrigin(c)), ...(experimental ? { experimental } : {}) }, 201);
  };
  return new Hono<AppEnv>()
    .post('/tool_router/session', create)
    .post('/labs/tool_router/session', create)
    .get('/tool_router/session/:id', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      return c.json(sessionWire(deps, session, sessionToken(deps, session.row), requestOrigin(c)));
    })
    .patch('/tool_router/session/:id', async (c) => {
      const body = await readJson(c, updateSessionBody);
      const session = await updateSession(deps, c.req.param('id'), body, body.expected_config_version);
      return c.json(sessionWire(deps, session, sessionToken(deps, session.row), requestOrigin(c)));
    })
    .delete('/tool_router/session/:id', async (c) => {
      await deleteSession(deps, c.req.param('id'));
      return c.json({ session_id: c.req.param('id'), deleted: true });
    })
    .get('/tool_router/session/:id/tools', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const q = validate(z.object(pageQuery), c.req.query(), 'query');
      // as tools/list: the meta tools and the preloaded tools (Composio's session.tools())
      const items = [...metaToolSlugs(session.config).map(META_TOOL_WIRE), ...preloadedTools(deps, session.config).map(({ toolkit, tool }) => toolWire(toolkit, tool))];
      return c.json(pageOf(items, q, 1000));
    })
    .get('/tool_router/session/:id/toolkits', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const q = validate(toolkitsQuery, c.req.query(), 'query');
      const only = commaList(q.toolkits)?.map((s) => s.toLowerCase());
      const toolkits = sessionToolkits(deps, session.config).filter((t) => (!only || only.includes(t.slug)) && (!q.search || t.name.toLowerCase().includes(q.search.toLowerCase())));
      const items = [];
      for (const toolkit of toolkits) {
        const usable = isNoAuth(toolkit) ? [] : await usableAccounts(deps, session.config, toolkit);
        const account = usable[0] ?? (isNoAuth(toolkit) ? undefined : await latestAccount(deps, session.config, toolkit));
        items.push({
          name: toolkit.name,
          slug: toolkit.slug,
          enabled: true,
          is_no_auth: isNoAuth(toolkit),
          composio_managed_auth_schemes: managedSchemes(toolkit, deps.config.oauthApps),
          meta: { logo: toolkit.logo ?? '', description: toolkit.description },
          connected_account: account
            ? { id: account.id, user_id: account.user_id, status: account.status, created_at: new Date(account.created_at).toISOString(), auth_config: { id: account.auth_config_id, auth_scheme: account.auth_scheme, is_composio_managed: false } }
            : null,
        });
      }
      const filtered = q.is_connected === undefined ? items : items.filter((i) => (i.connected_account?.status === 'ACTIVE') === (q.is_connected === 'true'));
      return c.json(pageOf(filtered, { limit: q.limit ?? 50, cursor: q.cursor }, 50));
    })
    .post('/tool_router/session/:id/link', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, linkBody);
      const toolkit = sessionToolkits(deps, session.config).find((t) => t.slug === body.toolkit.toLowerCase());
      if (!toolkit) throw new AppError('TOOLKIT_NOT_FOUND', { message: `${body.toolkit} is not a toolkit of this session.` });
      // session.authorize is the app's explicit (re-)initiation: an EXPIRED account goes back to INITIATED
      const link = await authorizeToolkit(deps, session.config, toolkit, { callbackUrl: body.callback_url, alias: body.alias, reinitiate: true });
      return c.json({ link_token: link.linkToken, redirect_url: link.redirectUrl, connected_account_id: link.account.id }, 201);
    })
    .post('/tool_router/session/:id/execute', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, executeBody);
      try {
        if (metaToolSlugs(session.config).includes(body.tool_slug)) {
          const result = await runMetaTool(deps, session, body.tool_slug, body.arguments ?? {});
          return c.json({ data: result.data, error: result.error, log_id: newId('log') });
        }
        const result = outcomeEnvelope(await runSessionTool(deps, session, body.tool_slug, body.arguments ?? {}, body.account));
        return c.json({ data: result.data, error: result.error, log_id: newId('log') });
      } catch (error) {
        return inputError(error);
      }
    })
    .post('/tool_router/session/:id/execute_meta', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, executeMetaBody);
      if (!metaToolSlugs(session.config).includes(body.slug)) throw new AppError('TOOL_NOT_FOUND', { message: `${body.slug} is not a meta tool of this session.` });
      try {
        const result = await runMetaTool(deps, session, body.slug, body.arguments ?? {});
        return c.json({ data: result.data, error: result.error, log_id: newId('log') });
      } catch (error) {
        return inputError(error);
      }
    })
    .post('/tool_router/session/:id/proxy_execute', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, proxyExecuteBody);
      const toolkit = sessionToolkits(deps, session.config).find((t) => t.slug === body.toolkit_slug.toLowerCase());
      if (!toolkit) throw new AppError('TOOLKIT_NOT_FOUND', { message: `${body.toolkit_slug} is not a toolkit of this session.` });
      const resolved = await resolveSessionConnection(deps, session.config, toolkit);
      if (!('connection' in resolved)) throw new AppError('NO_CONNECTED_ACCOUNT', { message: `${toolkit.name} is not connected for this user (or needs an explicit account).` });
      try {
        return c.json(proxyWire(await executeProxy(toolkit, body, resolved.connection, executionOptions(deps))));
      } catch (error) {
        return inputError(error);
      }
    })
    .post('/tool_router/session/:id/search', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, searchBody);
      // the same search as the meta tool over MCP, so both rank alike
      const result = await runMetaTool(deps, session, 'COMPOSIO_SEARCH_TOOLS', { queries: body.queries, toolkits: body.toolkits });
      return c.json(result.data);
    });
}
