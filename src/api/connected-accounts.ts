import { Hono } from 'hono';
import { z } from 'zod';
import { callbackUrlField } from '../callback-url.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { requestActor } from '../http/api-key-auth.ts';
import { commaList, readJson, validate } from '../http/read-json.ts';
import { listAccounts, viewAccount } from '../services/account-listing.ts';
import {
  createLink,
  deleteAccount,
  initiateConnection,
  reconnectAccount,
  revokeAccount,
  setAccountEnabled,
} from '../services/connected-accounts.ts';
import { completeAuth } from '../services/user-verification.ts';
import { decodeCursor, pageFromQuery, pageQuery } from './pagination.ts';
import { connectedAccountWire } from './wire/accounts.ts';

const userId = z.string().min(1).max(256);
const connectionData = z.record(z.string(), z.union([z.string().max(2048), z.number(), z.boolean()]).transform(String)).optional();

const linkBody = z.object({
  auth_config_id: z.string().min(1).max(100),
  user_id: userId,
  callback_url: callbackUrlField.optional(),
  alias: z.string().max(200).optional(),
  connection_data: connectionData,
});

const initiateBody = z.object({
  auth_config: z.object({ id: z.string().min(1).max(100) }),
  connection: z
    .object({
      user_id: userId.optional(),
      entity_id: userId.optional(),
      callback_url: callbackUrlField.optional(),
      redirect_uri: callbackUrlField.optional(),
      alias: z.string().max(200).optional(),
      state: z
        .object({ authScheme: z.string().max(50).optional(), val: z.record(z.string(), z.unknown()).optional() })
        .passthrough()
        .optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    })
    .passthrough(),
  validate_credentials: z.boolean().optional(),
});

const completeAuthBody = z.object({ session_uri: z.string().min(1).max(512), user_id: userId });

const listQuery = z.object({
  ...pageQuery,
  user_ids: z.string().max(20_000).optional(),
  auth_config_ids: z.string().max(20_000).optional(),
  statuses: z.string().max(500).optional(),
  toolkit_slugs: z.string().max(2000).optional(),
  connected_account_ids: z.string().max(20_000).optional(),
  order_by: z.enum(['created_at', 'updated_at']).optional(),
  order_direction: z.enum(['asc', 'desc']).optional(),
  account_type: z.string().optional(),
});

const STATUSES = ['INITIALIZING', 'INITIATED', 'ACTIVE', 'FAILED', 'EXPIRED', 'INACTIVE', 'REVOKED'];

export function connectedAccountRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .post('/connected_accounts/link', async (c) => {
      const body = await readJson(c, linkBody);
      const link = await createLink(deps, {
        actor: requestActor(c),
        authConfigId: body.auth_config_id,
        userId: body.user_id,
        callbackUrl: body.callback_url,
        alias: body.alias,
        connectionData: body.connection_data,
      });
      return c.json(
        {
          link_token: link.linkToken,
          redirect_url: link.redirectUrl,
          expires_at: new Date(link.expiresAt).toISOString(),
          connected_account_id: link.account.id,
        },
        201,
      );
    })
    .post('/connected_accounts/complete_auth', async (c) => {
      // Composio's callback identity verification (SDK 0.21 connectedAccounts.completeAuth): the app's
      // verifier names the user who finished the flow the session_uri holds
      const body = await readJson(c, completeAuthBody);
      const done = await completeAuth(deps, body.session_uri, body.user_id);
      // an MCP client's authorization (latchkey's own kind) has no account: the session it opens, and
      // where the browser goes next (latchkey's return route, which hands the code only to the browser that pressed Continue)
      if (done.kind === 'mcp_authorization')
        return c.json({ session_id: done.sessionId, client_id: done.clientId, callback_url: done.callbackUrl });
      const { account, callbackUrl } = done;
      return c.json({
        connected_account: connectedAccountWire(await viewAccount(deps, account.id)),
        connected_account_id: account.id,
        toolkit_slug: account.toolkitSlug,
        callback_url: callbackUrl,
      });
    })
    .post('/connected_accounts', async (c) => {
      const body = await readJson(c, initiateBody);
      const connection = body.connection;
      const { account, redirectUrl } = await initiateConnection(deps, {
        actor: requestActor(c),
        authConfigId: body.auth_config.id,
        userId: validate(userId, connection.user_id ?? connection.entity_id, 'connection.user_id'),
        callbackUrl: connection.callback_url ?? connection.redirect_uri,
        alias: connection.alias,
        credentials: connection.state?.val ?? connection.data,
        validateCredentials: body.validate_credentials,
      });
      return c.json(
        {
          id: account.id,
          connectionData: { authScheme: account.authScheme, val: { status: account.status, ...(redirectUrl ? { redirectUrl } : {}) } },
          status: account.status,
          redirect_url: redirectUrl,
          redirect_uri: redirectUrl,
        },
        201,
      );
    })
    .get('/connected_accounts', async (c) => {
      const q = validate(listQuery, c.req.query(), 'query');
      const statuses = commaList(q.statuses)?.map((s) => s.toUpperCase());
      const unknown = statuses?.filter((s) => !STATUSES.includes(s));
      if (unknown && unknown.length > 0) validate(z.enum(STATUSES as [string, ...string[]]), unknown[0], 'statuses');
      const limit = q.limit ?? 20;
      const offset = decodeCursor(q.cursor);
      const { items, total } = await listAccounts(deps, {
        userIds: commaList(q.user_ids),
        authConfigIds: commaList(q.auth_config_ids),
        statuses,
        toolkitSlugs: commaList(q.toolkit_slugs)?.map((s) => s.toLowerCase()),
        ids: commaList(q.connected_account_ids),
        orderBy: q.order_by === 'updated_at' ? 'updatedAt' : 'createdAt',
        direction: q.order_direction ?? 'desc',
        offset,
        limit,
      });
      return c.json(pageFromQuery(items.map(connectedAccountWire), total, offset, limit));
    })
    .get('/connected_accounts/:id', async (c) => c.json(connectedAccountWire(await viewAccount(deps, c.req.param('id')))))
    .delete('/connected_accounts/:id', async (c) => {
      await deleteAccount(deps, c.req.param('id'), requestActor(c));
      return c.json({ success: true });
    })
    .patch('/connected_accounts/:id/status', async (c) => {
      const body = await readJson(c, z.object({ enabled: z.boolean() }));
      await setAccountEnabled(deps, c.req.param('id'), body.enabled, requestActor(c));
      return c.json({ success: true });
    })
    .post('/connected_accounts/:id/refresh', async (c) => {
      const body = await readJson(
        c,
        z.object({ redirect_url: callbackUrlField.optional(), validate_credentials: z.boolean().optional() }).passthrough(),
      );
      // the query form too goes through the one callback check (in reconnectAccount), before the account changes
      const link = await reconnectAccount(deps, c.req.param('id'), body.redirect_url || c.req.query('redirect_url'), requestActor(c));
      return c.json({ id: link.account.id, status: 'INITIATED', redirect_url: link.redirectUrl });
    })
    .post('/connected_accounts/:id/revoke', async (c) => {
      const { revokedTokens, account } = await revokeAccount(deps, c.req.param('id'), requestActor(c));
      return c.json({ revoked_tokens: revokedTokens, connected_account: { id: account.id, status: account.status } });
    });
}
