import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import type { LiveApp } from '../helpers/live-app.ts';
import { startMcpTestbed, type McpTestbed } from '../helpers/mcp-testbed.ts';
import type { TestAuthServer } from '../fixtures/oauth-server.ts';
import { MAX_CLIENTS_PER_SESSION } from '../../src/sessions/mcp-clients.ts';

let as: TestAuthServer;
let app: LiveApp;
let authConfigId: string;
let testbed: McpTestbed;

beforeAll(async () => {
  testbed = await startMcpTestbed();
  ({ as, app, authConfigId } = testbed);
});
afterAll(() => testbed.close());

async function createSession(userId: string, extra: Record<string, unknown> = {}) {
  // the toolkit tools these tests call directly are preloaded (by default a session lists the meta tools only)
  const res = await app.api('/api/v3.1/tool_router/session', {
    body: { user_id: userId, toolkits: { enable: ['testoauth', 'testkey', 'hackernews'] }, preload: { tools: 'all' }, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body as {
    session_id: string;
    mcp: { type: string; url: string; headers: Record<string, string> };
    tool_router_tools: string[];
    config: any;
    config_version: number;
  };
}

async function connect(url: string, headers: Record<string, string>, capabilities: Record<string, unknown> = {}) {
  const client = new Client({ name: 'latchkey-test', version: '1.0.0' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

const text = (result: any) => JSON.parse(result.content[0].text);

describe('a session and its MCP endpoint', () => {
  it('creates a session with an MCP URL on this origin and a session token', async () => {
    const session = await createSession('uma');
    expect(session.session_id).toMatch(/^trs_/);
    expect(session.mcp).toMatchObject({ type: 'http', url: `${app.url}/tool_router/${session.session_id}/mcp` });
    expect(session.mcp.headers['x-session-token']).toMatch(/^lks_/);
    expect(session.tool_router_tools).toEqual([
      'COMPOSIO_SEARCH_TOOLS',
      'COMPOSIO_GET_TOOL_SCHEMAS',
      'COMPOSIO_MULTI_EXECUTE_TOOL',
      'COMPOSIO_MANAGE_CONNECTIONS',
    ]);
    expect(session.config).toMatchObject({
      user_id: 'uma',
      toolkits: { enabled: ['testoauth', 'testkey', 'hackernews'] },
      manage_connections: { enabled: true },
    });
  });

  it('lists meta tools and the enabled toolkits’ tools with schemas and hints, over the official SDK client', async () => {
    const session = await createSession('uma');
    const client = await connect(session.mcp.url, session.mcp.headers);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('COMPOSIO_SEARCH_TOOLS');
    expect(names).toContain('TESTOAUTH_GET_ME');
    expect(names).toContain('HACKERNEWS_GET_ITEM');
    expect(names).not.toContain('GITHUB_GET_THE_AUTHENTICATED_USER');
    const me = tools.find((t) => t.name === 'TESTOAUTH_GET_ME')!;
    expect(me.inputSchema).toMatchObject({ type: 'object' });
    expect(me.annotations).toMatchObject({ readOnlyHint: true });
    await client.close();
  });

  it('answers MCP annotations from the action tags: a read is readOnly, an addition additive, an update or a deletion destructive', async () => {
    const preload = ['GITHUB_GET_A_REPOSITORY', 'GITHUB_CREATE_AN_ISSUE', 'GITHUB_UPDATE_AN_ISSUE', 'TRELLO_DELETE_CARDS_BY_ID_CARD'];
    const session = await createSession('ann', { toolkits: { enable: ['github', 'trello'] }, preload: { tools: preload } });
    const client = await connect(session.mcp.url, session.mcp.headers);
    const { tools } = await client.listTools();
    const annotations = (name: string) => tools.find((t) => t.name === name)!.annotations;
    const shape = { openWorldHint: true };
    expect(annotations('GITHUB_GET_A_REPOSITORY')).toMatchObject({
      ...shape,
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
    });
    // MCP ToolAnnotations: destructiveHint false = "only additive updates"
    expect(annotations('GITHUB_CREATE_AN_ISSUE')).toMatchObject({
      ...shape,
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(annotations('GITHUB_UPDATE_AN_ISSUE')).toMatchObject({
      ...shape,
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
    });
    expect(annotations('TRELLO_DELETE_CARDS_BY_ID_CARD')).toMatchObject({ ...shape, readOnlyHint: false, destructiveHint: true });
    await client.close();
  });

  it('lists only the meta tools by default; preloaded tools beside them; a tool not preloaded runs through COMPOSIO_MULTI_EXECUTE_TOOL', async () => {
    const plain = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'uma' } });
    expect(plain.body.config).toMatchObject({ preload: { tools: [] }, search: { enable: true }, execute: { enable_multi_execute: true } });
    const client = await connect(plain.body.mcp.url, plain.body.mcp.headers);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(plain.body.tool_router_tools);
    const direct = await client.callTool({ name: 'HACKERNEWS_GET_ITEM', arguments: { id: 1 } });
    expect(direct.isError).toBe(true);
    expect((direct.content as any)[0].text).toMatch(/not loaded in this session: run it with COMPOSIO_MULTI_EXECUTE_TOOL/);
    const multi = text(
      await client.callTool({
        name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
        arguments: { tools: [{ tool_slug: 'TESTKEY_WHOAMI', arguments: {} }], sync_response_to_workbench: false },
      }),
    );
    expect(multi.data.results[0].response.data.redirect_url).toMatch(/\/link\/ln_/);
    await client.close();

    const some = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'uma', preload: { tools: ['hackernews_get_item'] } } });
    expect(some.body.config.preload).toEqual({ tools: ['HACKERNEWS_GET_ITEM'] });
    expect(some.body.warnings).toBeUndefined();
    const listed = await connect(some.body.mcp.url, some.body.mcp.headers);
    expect((await listed.listTools()).tools.map((t) => t.name)).toEqual([...some.body.tool_router_tools, 'HACKERNEWS_GET_ITEM']);
    await listed.close();
    const sessionTools = await app.api(`/api/v3.1/tool_router/session/${some.body.session_id}/tools`);
    expect(sessionTools.body.items.map((t: any) => t.slug)).toEqual([...some.body.tool_router_tools, 'HACKERNEWS_GET_ITEM']);

    const noFilter = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'uma', preload: { tools: 'all' } } });
    expect(noFilter.status).toBe(400);
    expect(noFilter.body.error.errors[0]).toMatchObject({ field: 'preload.tools', message: expect.stringMatching(/toolkit filter/) });
    const unknown = await app.api('/api/v3.1/tool_router/session', {
      body: { user_id: 'uma', toolkits: ['hackernews'], preload: { tools: ['TESTKEY_WHOAMI'] } },
    });
    expect(unknown.status).toBe(400);
    const many = await app.api('/api/v3.1/tool_router/session', {
      body: { user_id: 'uma', toolkits: ['github', 'gmail'], preload: { tools: 'all' } },
    });
    expect(many.status).toBe(201);
    expect(many.body.warnings).toEqual([
      { code: 'PRELOAD_TOOLS_HIGH_CONTEXT_USAGE', message: expect.stringMatching(/tools are preloaded/) },
    ]);
  });

  it('answers an unconnected toolkit with a Connect Link, and the same call succeeds after the user connects', async () => {
    as.decide.account = 'vera';
    const session = await createSession('vera', { auth_configs: { testoauth: authConfigId } });
    const client = await connect(session.mcp.url, session.mcp.headers);
    const first = await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(first.isError).toBe(true);
    const envelope = text(first);
    expect(envelope.data.redirect_url).toMatch(new RegExp(`^${app.url}/link/ln_`));
    expect(envelope.error).toMatch(/not connected.*Show the user this link/s);
    // a retry before connecting shows the same link rather than a new one
    const again = text(await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} }));
    expect(again.data.redirect_url).toBe(envelope.data.redirect_url);

    await new FetchBrowser().follow(envelope.data.redirect_url);
    const second = await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(second.isError).toBe(false);
    expect(text(second)).toMatchObject({ successful: true, data: { login: 'vera' } });
    await client.close();
  });

  it('hands out one pending account per user and toolkit: concurrent calls, MANAGE_CONNECTIONS and session.authorize re-use it', async () => {
    const session = await createSession('pia', { auth_configs: { testoauth: authConfigId } });
    const client = await connect(session.mcp.url, session.mcp.headers);
    const [a, b] = await Promise.all([
      client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} }),
      client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} }),
    ]);
    const id = text(a).data.connected_account_id;
    expect(text(b).data.connected_account_id).toBe(id);
    const manage = text(await client.callTool({ name: 'COMPOSIO_MANAGE_CONNECTIONS', arguments: { toolkits: ['testoauth'] } }));
    expect(manage.data.results.testoauth.connected_account_id).toBe(id);
    const authorize = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/link`, { body: { toolkit: 'testoauth' } });
    expect(authorize.body.connected_account_id).toBe(id);
    const rows = await app.api('/api/v3.1/connected_accounts?user_ids=pia');
    expect(rows.body.items.map((r: any) => [r.id, r.status])).toEqual([[id, 'INITIATED']]);
    // an alias asks for another account
    const other = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/link`, {
      body: { toolkit: 'testoauth', alias: 'second' },
    });
    expect(other.body.connected_account_id).not.toBe(id);
    await client.close();
  });

  it('never re-uses a pending account whose link cannot be completed (its auth config disabled since): a new one, under a usable config', async () => {
    const first = await app.api('/api/v3.1/auth_configs', {
      body: {
        toolkit: { slug: 'testoauth' },
        auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
      },
    });
    const session = await createSession('quin', { auth_configs: { testoauth: first.body.auth_config.id } });
    const client = await connect(session.mcp.url, session.mcp.headers);
    const stale = text(await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} })).data.connected_account_id;
    await client.close();
    expect((await app.api(`/api/v3.1/auth_configs/${first.body.auth_config.id}/DISABLED`, { method: 'PATCH', body: {} })).status).toBe(200);
    // a session without the override: the user's default config for the toolkit is the enabled one
    const plain = await createSession('quin');
    const again = await connect(plain.mcp.url, plain.mcp.headers);
    const answer = text(await again.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} })).data;
    await again.close();
    expect(answer.connected_account_id).toBeDefined();
    expect(answer.connected_account_id).not.toBe(stale);
    const page = await new FetchBrowser().start(answer.redirect_url);
    expect(page.status).toBe(302);
    await page.body?.cancel();
  });

  it('answers COMPOSIO_MANAGE_CONNECTIONS per toolkit when one has no usable auth config: links for the others, user words for it, the fix in the log', async () => {
    const session = await createSession('quin', { toolkits: { enable: ['testkey', 'gmail'] } });
    const client = await connect(session.mcp.url, session.mcp.headers);
    const manage = text(await client.callTool({ name: 'COMPOSIO_MANAGE_CONNECTIONS', arguments: { toolkits: ['gmail', 'testkey'] } }));
    expect(manage.data.results.testkey).toMatchObject({ status: 'initiated', redirect_url: expect.stringMatching(/\/link\/ln_/) });
    expect(manage.data.results.gmail).toMatchObject({
      status: 'failed',
      has_active_connection: false,
      error_message: expect.stringMatching(/Gmail/),
    });
    expect(manage.data.summary).toMatchObject({ total_toolkits: 2, initiated_connections: 1, failed_connections: 1 });
    // a direct call gets the same words; the operator's fix is in the log and the REST answer, never shown to the model
    const direct = await client.callTool({
      name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
      arguments: { tools: [{ tool_slug: 'GMAIL_GET_PROFILE', arguments: {} }], sync_response_to_workbench: false },
    });
    expect(text(direct).data.results[0].response.data).toMatchObject({ connected: false, redirect_url: null });
    expect(JSON.stringify([manage, text(direct)])).not.toMatch(/LATCHKEY_|client_id/);
    expect(app.logs.some((l) => l.includes('LATCHKEY_OAUTH_GMAIL_CLIENT_ID'))).toBe(true);
    const rest = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/link`, { body: { toolkit: 'gmail' } });
    expect(rest.status).toBe(400);
    expect(rest.body.error.message).toMatch(/LATCHKEY_OAUTH_GMAIL_CLIENT_ID/);
    await client.close();
  });

  it('runs tools in parallel with COMPOSIO_MULTI_EXECUTE_TOOL and finds them with COMPOSIO_SEARCH_TOOLS', async () => {
    const session = await createSession('vera');
    const client = await connect(session.mcp.url, session.mcp.headers);
    const found = text(
      await client.callTool({
        name: 'COMPOSIO_SEARCH_TOOLS',
        arguments: { queries: [{ use_case: 'who am I signed in as on test oauth' }] },
      }),
    );
    expect(found.data.results[0].primary_tool_slugs).toContain('TESTOAUTH_GET_ME');
    expect(found.data.toolkit_connection_statuses.find((s: any) => s.toolkit === 'testoauth').has_active_connection).toBe(true);
    const multi = text(
      await client.callTool({
        name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
        arguments: {
          tools: [
            { tool_slug: 'TESTOAUTH_GET_ME', arguments: {} },
            { tool_slug: 'TESTKEY_WHOAMI', arguments: {} },
          ],
          sync_response_to_workbench: false,
        },
      }),
    );
    expect(multi.data.total_count).toBe(2);
    expect(multi.data.results[0].response).toMatchObject({ successful: true, data: { login: 'vera' } });
    expect(multi.data.results[1].response.data.redirect_url).toMatch(/\/link\/ln_/);
    expect(multi.error).toBe('1 out of 2 tools failed');
    const schemas = text(
      await client.callTool({ name: 'COMPOSIO_GET_TOOL_SCHEMAS', arguments: { tool_slugs: ['TESTKEY_WHOAMI', 'NOPE'] } }),
    );
    expect(Object.keys(schemas.data.tool_schemas)).toEqual(['TESTKEY_WHOAMI']);
    expect(schemas.data.not_found).toEqual(['NOPE']);
    await client.close();
  });

  it('hands the link to a client that declares URL elicitation as an MCP URL elicitation', async () => {
    const session = await createSession('wanda');
    const client = await connect(session.mcp.url, session.mcp.headers, { elicitation: { url: {} } });
    const error = await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }).catch((e) => e);
    expect(error.code).toBe(-32042);
    expect(error.data.elicitations[0]).toMatchObject({ mode: 'url' });
    expect(error.data.elicitations[0].url).toMatch(/\/link\/ln_/);
    await client.close();
  });

  it('keeps only the newest MCP clients of a session, however often it initializes', async () => {
    const session = await createSession('yves');
    const ids: string[] = [];
    for (let i = 0; i < MAX_CLIENTS_PER_SESSION + 15; i++) {
      const res = await fetch(session.mcp.url, {
        method: 'POST',
        headers: { ...session.mcp.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: `loop-${i}`, version: '1' } },
        }),
      });
      expect(res.status).toBe(200);
      ids.push(res.headers.get('mcp-session-id')!);
    }
    const kept = await app.deps.db.selectFrom('mcp_clients').select('id').where('session_id', '=', session.session_id).execute();
    expect(kept.map((r) => r.id).sort()).toEqual(ids.slice(-MAX_CLIENTS_PER_SESSION).sort());
    // the newest client still works, by its mcp-session-id
    const client = await connect(session.mcp.url, session.mcp.headers);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('with manage_connections off, says the toolkit is not connected and offers no link', async () => {
    const session = await createSession('xena', { manage_connections: { enable: false } });
    expect(session.tool_router_tools).not.toContain('COMPOSIO_MANAGE_CONNECTIONS');
    const client = await connect(session.mcp.url, session.mcp.headers);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('COMPOSIO_MANAGE_CONNECTIONS');
    const result = text(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(result.data.redirect_url).toBeNull();
    expect(result.error).toMatch(/not connected/);
    expect(JSON.stringify(result)).not.toMatch(/\/link\//);
    await client.close();
  });

  it('opens only its own session with a session token, and accepts the project key for any', async () => {
    const a = await createSession('yuri');
    const b = await createSession('zoe');
    const crossed = await fetch(b.mcp.url, {
      method: 'POST',
      headers: { ...a.mcp.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect([401, 403]).toContain(crossed.status);
    const none = await fetch(a.mcp.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    const forged = await fetch(a.mcp.url, {
      method: 'POST',
      headers: { 'x-session-token': 'lks_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forged.status).toBe(401);
    const byKey = await connect(b.mcp.url, { 'x-api-key': app.apiKey });
    expect((await byKey.listTools()).tools.length).toBeGreaterThan(3);
    await byKey.close();
    const bearer = await connect(a.mcp.url, { authorization: `Bearer ${a.mcp.headers['x-session-token']}` });
    expect((await bearer.listTools()).tools.length).toBeGreaterThan(3);
    await bearer.close();
    expect((await fetch(a.mcp.url, { headers: a.mcp.headers })).status).toBe(405);
  });

  it('never runs as another user: tool arguments cannot pick an account, a pinned account must be the user’s own', async () => {
    // vera connected testoauth above; zack has nothing
    const vera = await app.api('/api/v3.1/connected_accounts?user_ids=vera&statuses=ACTIVE&toolkit_slugs=testoauth');
    const veraAccount = vera.body.items[0].id;
    const pinned = await app.api('/api/v3.1/tool_router/session', {
      body: { user_id: 'zack', connected_accounts: { testoauth: veraAccount } },
    });
    expect(pinned.status).toBe(400);
    const session = await createSession('zack');
    const client = await connect(session.mcp.url, session.mcp.headers);
    const raw = (r: any) => r.content[0].text as string;
    const byAccount = await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: { account: veraAccount } });
    expect(byAccount.isError).toBe(true);
    expect(raw(byAccount)).toMatch(/No usable Test OAuth account/);
    const byUserArg = await client.callTool({
      name: 'TESTOAUTH_GET_ME',
      arguments: { user_id: 'vera', connected_account_id: veraAccount },
    });
    expect(byUserArg.isError).toBe(true);
    expect(raw(byUserArg)).not.toContain('"login":"vera"');
    const plain = text(await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} }));
    expect(plain.data.connected).toBe(false);
    const multi = text(
      await client.callTool({
        name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
        arguments: { tools: [{ tool_slug: 'TESTOAUTH_GET_ME', arguments: {}, account: veraAccount }], sync_response_to_workbench: false },
      }),
    );
    expect(multi.data.results[0].error).toMatch(/No usable Test OAuth account/);
    await client.close();
  });

  it('never uses a disabled or EXPIRED account', async () => {
    const vera = await app.api('/api/v3.1/connected_accounts?user_ids=vera&statuses=ACTIVE&toolkit_slugs=testoauth');
    const id = vera.body.items[0].id;
    const session = await createSession('vera');
    const client = await connect(session.mcp.url, session.mcp.headers);
    await app.api(`/api/v3.1/connected_accounts/${id}/status`, { method: 'PATCH', body: { enabled: false } });
    const whileDisabled = text(await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} }));
    expect(whileDisabled.successful).toBe(false);
    expect(whileDisabled.data.connected).toBe(false);
    await app.api(`/api/v3.1/connected_accounts/${id}/status`, { method: 'PATCH', body: { enabled: true } });
    await app.deps.db.updateTable('connected_accounts').set({ status: 'EXPIRED' }).where('id', '=', id).execute();
    const whileExpired = text(await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} }));
    expect(whileExpired.data.connected).toBe(false);
    await app.deps.db.updateTable('connected_accounts').set({ status: 'ACTIVE' }).where('id', '=', id).execute();
    expect(text(await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} })).successful).toBe(true);
    await client.close();
  });

  it('in multi-account mode asks which account to use, and runs with the one named (by alias)', async () => {
    const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
    for (const alias of ['work', 'home']) {
      const res = await app.api('/api/v3.1/connected_accounts', {
        body: {
          auth_config: { id: config.body.auth_config.id },
          connection: { user_id: 'multi', alias, state: { authScheme: 'API_KEY', val: { api_key: 'key-alpha-123456', region: alias } } },
        },
      });
      expect(res.body.status).toBe('ACTIVE');
    }
    const session = await createSession('multi', { multi_account: { enable: true } });
    const client = await connect(session.mcp.url, session.mcp.headers);
    const ask = text(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(ask.successful).toBe(false);
    expect(ask.data.accounts.map((a: any) => a.alias).sort()).toEqual(['home', 'work']);
    const chosen = text(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: { account: 'work' } }));
    expect(chosen).toMatchObject({ successful: true, data: { account: { region: 'work' } } });
    await client.close();
  });

  it('offers COMPOSIO_WAIT_FOR_CONNECTIONS when enabled, and it returns once the user connects', async () => {
    as.decide.account = 'walt';
    const session = await createSession('walt', { manage_connections: { enable: true, enable_wait_for_connections: true } });
    expect(session.tool_router_tools).toContain('COMPOSIO_WAIT_FOR_CONNECTIONS');
    const client = await connect(session.mcp.url, session.mcp.headers);
    const manage = text(await client.callTool({ name: 'COMPOSIO_MANAGE_CONNECTIONS', arguments: { toolkits: ['testoauth'] } }));
    const url = manage.data.results.testoauth.redirect_url;
    setTimeout(() => void new FetchBrowser().follow(url), 1200);
    const waited = text(
      await client.callTool({ name: 'COMPOSIO_WAIT_FOR_CONNECTIONS', arguments: { toolkits: ['testoauth'], timeout_seconds: 20 } }),
    );
    expect(waited.data.results.testoauth).toMatchObject({ status: 'ACTIVE', has_active_connection: true });
    await client.close();
  });
});
