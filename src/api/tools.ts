import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { commaList, optionalId, readJson, validate } from '../http/read-json.ts';
import { hasTag } from '../catalogue/tool-tags.ts';
import { proxyAnswer, type ToolResult } from '../execution/execute.ts';
import { proxyRequestShape } from '../execution/proxy.ts';
import { executeToolRequest, findTool, proxyRequest } from '../services/tool-execution.ts';
import { pageOf, pageQuery } from './pagination.ts';
import { toolWire } from './wire/catalogue.ts';

const listQuery = z.object({
  ...pageQuery,
  toolkit_slug: z.string().max(2000).optional(),
  tool_slugs: z.string().max(20_000).optional(),
  search: z.string().max(500).optional(),
  query: z.string().max(500).optional(),
  tags: z.string().max(1000).optional(),
  scopes: z.string().max(2000).optional(),
  important: z.string().optional(),
  toolkit_versions: z.unknown().optional(),
});

/** The SDK sends more than we use (version, text, custom_auth_params, allow_tracing …): unknown keys pass. */
const executeBody = z
  .object({
    user_id: optionalId(),
    entity_id: optionalId(),
    connected_account_id: optionalId(),
    arguments: z.record(z.string(), z.unknown()).optional(),
    version: z.string().max(64).optional(),
  })
  .passthrough();

const proxyBody = z.object({ ...proxyRequestShape, connected_account_id: z.string().min(1).max(256) }).passthrough();

/** Composio's proxy answer: the upstream body and status, as they came (credentials masked). */
export function proxyWire(result: ToolResult) {
  return { ...proxyAnswer(result), error: result.error };
}

export function toolRoutes(deps: Deps) {
  return (
    new Hono<AppEnv>()
      .get('/tools', (c) => {
        const q = validate(listQuery, c.req.query(), 'query');
        const toolkits = commaList(q.toolkit_slug)?.map((s) => s.toLowerCase());
        const slugs = commaList(q.tool_slugs)?.map((s) => s.toUpperCase());
        const tags = commaList(q.tags);
        const scopes = commaList(q.scopes);
        let candidates = deps.catalogue.toolkits
          .filter((t) => !toolkits || toolkits.includes(t.slug))
          .flatMap((toolkit) => toolkit.tools.map((tool) => ({ toolkit, tool })))
          .filter(({ tool }) => (!slugs || slugs.includes(tool.slug)) && (!tags || tags.some((t) => hasTag(tool, t))))
          .filter(({ tool }) => !scopes || (tool.scopes ?? []).some((s) => scopes.includes(s)));
        const search = q.search ?? q.query;
        if (search) candidates = deps.catalogue.search.rank(search, { within: candidates });
        const page = pageOf(candidates, q, 20);
        return c.json({ ...page, items: page.items.map(({ toolkit, tool }) => toolWire(toolkit, tool)) });
      })
      .post('/tools/execute/proxy', async (c) => {
        const body = await readJson(c, proxyBody);
        return c.json(proxyWire(await proxyRequest(deps, body.connected_account_id, body)));
      })
      .post('/tools/execute/:slug', async (c) => {
        const body = await readJson(c, executeBody);
        const result = await executeToolRequest(deps, {
          toolSlug: c.req.param('slug'),
          userId: body.user_id ?? body.entity_id,
          connectedAccountId: body.connected_account_id,
          arguments: body.arguments ?? {},
        });
        return c.json({ data: result.data, error: result.error, successful: result.successful, log_id: result.logId });
      })
      // Composio's answer is a bare array of every tool slug (its CLI's list); before /tools/:slug
      .get('/tools/enum', (c) => c.json(deps.catalogue.toolkits.flatMap((t) => t.tools.map((tool) => tool.slug))))
      .get('/tools/:slug', (c) => {
        const { toolkit, tool } = findTool(deps, c.req.param('slug'));
        return c.json(toolWire(toolkit, tool));
      })
  );
}
