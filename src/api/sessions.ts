import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { callbackUrlField } from '../callback-url.ts';
import { isNoAuth, managedSchemes, toolWire } from './wire/catalogue.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { ToolInputError } from '../execution/execute.ts';
import type { AppEnv } from '../http/env.ts';
import { commaList, optionalId, readJson, validate } from '../http/read-json.ts';
import { authorizeToolkit } from '../sessions/accounts.ts';
import { isListedMetaTool, metaToolsOf, runMetaTool } from '../sessions/meta-tools/registry.ts';
import { searchTool } from '../sessions/meta-tools/search/index.ts';
import { proxyRequestShape } from '../execution/proxy.ts';
import { proxyWire } from './tools.ts';
import { createSession, deleteSession, getSession, sessionToken, updateSession } from '../sessions/session.ts';
import { preloadedTools } from '../sessions/tool-lists.ts';
import { PROXY_TOOL } from '../sessions/approval-policy.ts';
import { proxyAsSessionUser, sessionToolkit, toolkitConnections } from '../sessions/toolkits.ts';
import { createSessionBody, updateSessionBody } from '../sessions/config.ts';
import { customToolsAnswer, customToolsWire } from '../sessions/custom-tools.ts';
import { outcomeEnvelope, runSessionTool } from '../sessions/run-tool.ts';
import { pendingApprovals } from '../sessions/approvals.ts';
import { callContext } from '../sessions/call-context.ts';
import { pageOf, pageQuery } from './pagination.ts';
import { executeWire, restCallContext } from './wire/execution.ts';
import { metaToolWire, sessionWire } from './wire/sessions.ts';

// the retry of an input-required answer (Composio SDK 0.25+): the app's answers and the state it was given
const retryFields = {
  request_state: z.string().min(1).max(16_384).optional(),
  input_responses: z
    .record(
      z.string().max(100),
      z.object({ action: z.enum(['accept', 'decline', 'cancel']), content: z.record(z.string(), z.unknown()).optional() }).passthrough(),
    )
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 input responses')
    .optional(),
};
const executeBody = z
  .object({
    tool_slug: z.string().min(1).max(200),
    arguments: z.record(z.string(), z.unknown()).optional(),
    account: optionalId(200),
    ...retryFields,
  })
  .passthrough();
const executeMetaBody = z
  .object({ slug: z.string().min(1).max(200), arguments: z.record(z.string(), z.unknown()).optional(), ...retryFields })
  .passthrough();
const linkBody = z
  .object({ toolkit: z.string().min(1).max(100), callback_url: callbackUrlField.optional(), alias: z.string().max(200).optional() })
  .passthrough();
const toolkitsQuery = z.object({
  ...pageQuery,
  toolkits: z.string().max(2000).optional(),
  is_connected: z.enum(['true', 'false']).optional(),
  search: z.string().max(200).optional(),
});
const proxyExecuteBody = z
  .object({
    toolkit_slug: z.string().min(1).max(100),
    ...proxyRequestShape,
    ...retryFields,
    account: optionalId(200),
  })
  .passthrough();
const searchBody = z
  .object({
    queries: z
      .array(z.object({ use_case: z.string().min(1).max(1024), known_fields: z.string().max(2000).optional() }).passthrough())
      .min(1)
      .max(10),
    toolkits: z.array(z.string().max(100)).max(100).optional(),
  })
  .passthrough();

/** The origin this request was sent to (from its Host header), for the session's MCP URL. */
export const requestOrigin = (c: Context) => new URL(c.req.url).origin;

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
      return c.json(sessionWire(deps, session, sessionToken(deps, session), requestOrigin(c)));
    })
    .patch('/tool_router/session/:id', async (c) => {
      const body = await readJson(c, updateSessionBody);
      const session = await updateSession(deps, c.req.param('id'), body, body.expected_config_version);
      return c.json(sessionWire(deps, session, sessionToken(deps, session), requestOrigin(c)));
    })
    .delete('/tool_router/session/:id', async (c) => {
      await deleteSession(deps, c.req.param('id'));
      return c.json({ session_id: c.req.param('id'), deleted: true });
    })
    .get('/tool_router/session/:id/tools', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const q = validate(z.object(pageQuery), c.req.query(), 'query');
      // as tools/list: the meta tools and the preloaded tools (Composio's session.tools())
      const items = [
        ...metaToolsOf(session.config).map(metaToolWire),
        ...preloadedTools(deps, session.config).map(({ toolkit, tool }) => toolWire(toolkit, tool)),
      ];
      return c.json(pageOf(items, q, 1000));
    })
    .get('/tool_router/session/:id/toolkits', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const q = validate(toolkitsQuery, c.req.query(), 'query');
      const connections = await toolkitConnections(deps, session, {
        only: commaList(q.toolkits)?.map((s) => s.toLowerCase()),
        search: q.search,
      });
      const items = connections.map(({ toolkit, account }) => ({
        name: toolkit.name,
        slug: toolkit.slug,
        enabled: true,
        is_no_auth: isNoAuth(toolkit),
        composio_managed_auth_schemes: managedSchemes(toolkit, deps.config.oauthApps),
        meta: { logo: toolkit.logo ?? '', description: toolkit.description },
        connected_account: account
          ? {
              id: account.id,
              user_id: account.userId,
              status: account.status,
              created_at: new Date(account.createdAt).toISOString(),
              auth_config: { id: account.authConfigId, auth_scheme: account.authScheme, is_composio_managed: false },
            }
          : null,
      }));
      const filtered =
        q.is_connected === undefined
          ? items
          : items.filter((i) => (i.connected_account?.status === 'ACTIVE') === (q.is_connected === 'true'));
      return c.json(pageOf(filtered, { limit: q.limit ?? 50, cursor: q.cursor }, 50));
    })
    .post('/tool_router/session/:id/link', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, linkBody);
      const toolkit = sessionToolkit(deps, session, body.toolkit);
      // session.authorize is the app's explicit (re-)initiation: an EXPIRED account goes back to INITIATED
      const link = await authorizeToolkit(deps, session.config, toolkit, {
        callbackUrl: body.callback_url,
        alias: body.alias,
        reinitiate: true,
      });
      return c.json({ link_token: link.linkToken, redirect_url: link.redirectUrl, connected_account_id: link.account.id }, 201);
    })
    .post('/tool_router/session/:id/execute', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, executeBody);
      const args = body.arguments ?? {};
      // the account is part of what an approval approves, so it is part of what the state is bound to
      const binding = { sessionId: session.id, tool: body.tool_slug, args: { arguments: args, account: body.account ?? null } };
      const context = await restCallContext(deps, binding, body);
      try {
        if (isListedMetaTool(session.config, body.tool_slug)) {
          const result = await runMetaTool(deps, session, body.tool_slug, args, context);
          return c.json(executeWire(deps, binding, context, result));
        }
        const outcome = await runSessionTool(deps, session, body.tool_slug, args, body.account, context);
        return c.json(executeWire(deps, binding, context, outcomeEnvelope(outcome), outcome));
      } catch (error) {
        return inputError(error);
      }
    })
    .post('/tool_router/session/:id/execute_meta', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, executeMetaBody);
      if (!isListedMetaTool(session.config, body.slug))
        throw new AppError('TOOL_NOT_FOUND', { message: `${body.slug} is not a meta tool of this session.` });
      const args = body.arguments ?? {};
      const binding = { sessionId: session.id, tool: body.slug, args: { arguments: args, account: null } };
      const context = await restCallContext(deps, binding, body);
      try {
        const result = await runMetaTool(deps, session, body.slug, args, context);
        return c.json(executeWire(deps, binding, context, result));
      } catch (error) {
        return inputError(error);
      }
    })
    .post('/tool_router/session/:id/proxy_execute', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const { request_state, input_responses, ...request } = await readJson(c, proxyExecuteBody);
      const binding = { sessionId: session.id, tool: PROXY_TOOL, args: request };
      const context = await restCallContext(deps, binding, { request_state, input_responses });
      try {
        const outcome = await proxyAsSessionUser(deps, session, request, context);
        if (outcome.kind === 'result') return c.json({ result_type: 'completed', ...proxyWire(outcome.result) });
        if (outcome.kind === 'not_connected' || outcome.kind === 'choose_account')
          throw new AppError('NO_CONNECTED_ACCOUNT', { message: outcome.message });
        return c.json(executeWire(deps, binding, context, outcomeEnvelope(outcome), outcome));
      } catch (error) {
        return inputError(error);
      }
    })
    .get('/tool_router/session/:id/approvals', async (c) => {
      // for the app (API key): the calls waiting for its user's yes, and the pages where they answer
      const session = await getSession(deps, c.req.param('id'));
      const items = (await pendingApprovals(deps, session)).map(({ approval, pageUrl }) => ({
        id: approval.id,
        toolkit_slug: approval.toolkitSlug,
        tool_slug: approval.toolSlug,
        connected_account_id: approval.accountId,
        scope: approval.scope,
        approval_url: pageUrl,
        created_at: new Date(approval.createdAt).toISOString(),
        expires_at: new Date(approval.expiresAt).toISOString(),
      }));
      return c.json({ items });
    })
    .post('/tool_router/session/:id/search', async (c) => {
      const session = await getSession(deps, c.req.param('id'));
      const body = await readJson(c, searchBody);
      // the same search as the meta tool over MCP, so both rank alike
      const result = await runMetaTool(
        deps,
        session,
        searchTool.name,
        { queries: body.queries, toolkits: body.toolkits },
        callContext({ canAsk: false }),
      );
      return c.json(result.data);
    });
}
