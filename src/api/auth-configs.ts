import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { requestActor } from '../http/api-key-auth.ts';
import { commaList, readJson, validate } from '../http/read-json.ts';
import { listAuthConfigs, viewAuthConfig } from '../services/auth-config-view.ts';
import { createAuthConfig, deleteAuthConfig, setAuthConfigStatus, updateAuthConfig } from '../services/auth-configs.ts';
import { decodeCursor, pageFromQuery, pageQuery } from './pagination.ts';
import { authConfigWire } from './wire/accounts.ts';

const toolAccess = z
  .object({
    tools_for_connected_account_creation: z.array(z.string()).max(500).optional(),
    tools_available_for_execution: z.array(z.string()).max(500).optional(),
  })
  .passthrough()
  .optional();

const createBody = z.object({
  toolkit: z.object({ slug: z.string().min(1).max(100) }),
  auth_config: z
    .object({
      type: z.enum(['use_composio_managed_auth', 'use_custom_auth']).default('use_composio_managed_auth'),
      authScheme: z.string().max(50).optional(),
      auth_scheme: z.string().max(50).optional(),
      name: z.string().max(200).optional(),
      credentials: z.record(z.string(), z.unknown()).optional(),
      tool_access_config: toolAccess,
      is_enabled_for_tool_router: z.boolean().optional(),
    })
    .passthrough()
    .optional(),
});

const updateBody = z
  .object({
    type: z.enum(['custom', 'default']).optional(),
    name: z.string().max(200).optional(),
    credentials: z.record(z.string(), z.unknown()).optional(),
    scopes: z.union([z.string(), z.array(z.string())]).optional(),
    tool_access_config: toolAccess,
    is_enabled_for_tool_router: z.boolean().optional(),
  })
  .passthrough();

const listQuery = z.object({
  ...pageQuery,
  toolkit_slug: z.string().max(2000).optional(),
  is_composio_managed: z.enum(['true', 'false']).optional(),
  search: z.string().max(200).optional(),
  show_disabled: z.enum(['true', 'false']).optional(),
});

export function authConfigRoutes(deps: Deps) {
  const wire = async (id: string) => authConfigWire(await viewAuthConfig(deps, id));
  return new Hono<AppEnv>()
    .post('/auth_configs', async (c) => {
      const body = await readJson(c, createBody);
      const input = body.auth_config;
      const config = await createAuthConfig(
        deps,
        {
          toolkitSlug: body.toolkit.slug,
          type: input?.type ?? 'use_composio_managed_auth',
          authScheme: input?.authScheme ?? input?.auth_scheme,
          name: input?.name,
          credentials: input?.credentials,
          toolAccessConfig: input?.tool_access_config,
          isEnabledForToolRouter: input?.is_enabled_for_tool_router,
        },
        requestActor(c),
      );
      return c.json(
        {
          toolkit: { slug: config.toolkitSlug },
          auth_config: {
            id: config.id,
            auth_scheme: config.authScheme,
            is_composio_managed: config.isComposioManaged,
            restrict_to_following_tools: [],
          },
        },
        201,
      );
    })
    .get('/auth_configs', async (c) => {
      const q = validate(listQuery, c.req.query(), 'query');
      const limit = q.limit ?? 20;
      const offset = decodeCursor(q.cursor);
      const { items, total } = await listAuthConfigs(deps, {
        toolkitSlugs: commaList(q.toolkit_slug)?.map((s) => s.toLowerCase()),
        isComposioManaged: q.is_composio_managed === undefined ? undefined : q.is_composio_managed === 'true',
        search: q.search,
        showDisabled: q.show_disabled === 'true',
        offset,
        limit,
      });
      return c.json(pageFromQuery(items.map(authConfigWire), total, offset, limit));
    })
    .get('/auth_configs/:id', async (c) => c.json(await wire(c.req.param('id'))))
    .patch('/auth_configs/:id/:status{ENABLED|DISABLED|enabled|disabled}', async (c) => {
      await setAuthConfigStatus(deps, c.req.param('id'), c.req.param('status').toUpperCase() as 'ENABLED' | 'DISABLED', requestActor(c));
      return c.json({ success: true });
    })
    .patch('/auth_configs/:id', async (c) => {
      const body = await readJson(c, updateBody);
      await updateAuthConfig(
        deps,
        c.req.param('id'),
        {
          name: body.name,
          credentials: body.credentials,
          scopes: body.scopes,
          toolAccessConfig: body.tool_access_config,
          isEnabledForToolRouter: body.is_enabled_for_tool_router,
        },
        requestActor(c),
      );
      return c.json(await wire(c.req.param('id')));
    })
    .delete('/auth_configs/:id', async (c) => {
      await deleteAuthConfig(deps, c.req.param('id'), requestActor(c));
      return c.json({ success: true });
    });
}
