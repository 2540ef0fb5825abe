import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';

let app: LiveApp;
let api: FakeUpstream;

beforeAll(async () => {
  api = await startFakeUpstream();
  app = await startLiveApp();
});
afterAll(async () => {
  await app.close();
  await api.close();
});

const create = (body: Record<string, unknown>, prefix = '/api/v3.1') => app.api(`${prefix}/tool_router/session`, { body });

describe('sessions over REST', () => {
  it('validates what a session names, with a 400 that says which field', async () => {
    expect((await create({})).status).toBe(400);
    const badToolkit = await create({ user_id: 'u', toolkits: ['nope'] });
    expect(badToolkit.status).toBe(400);
    expect(badToolkit.body.error.errors[0].field).toBe('toolkits');
    const badTool = await create({ user_id: 'u', tools: { github: ['SLACK_SEND_MESSAGE'] } });
    expect(badTool.status).toBe(400);
    const badConfig = await create({ user_id: 'u', auth_configs: { github: 'ac_missing' } });
    expect(badConfig.status).toBe(400);
    const wrongKey = await create({ user_id: 'u', toolkits: { enabled: ['github'] } });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.error.errors[0].field).toMatch(/^toolkits/);
  });

  it('accepts only an absolute http(s) callback_url, at create, update and on every link input', async () => {
    const field = (res: { status: number; body: any }) => [res.status, res.body.error?.errors?.[0]?.field];
    for (const bad of ['javascript:alert(1)', 'data:text/html,<script>x</script>', '/relative/path', 'ftp://example.com/x']) {
      expect(field(await create({ user_id: 'cb', manage_connections: { callback_url: bad } })), bad).toEqual([
        400,
        'manage_connections.callback_url',
      ]);
    }
    const created = await create({ user_id: 'cb', manage_connections: { callback_url: 'https://app.example/done' } });
    expect(created.status).toBe(201);
    expect(created.body.config.manage_connections.callback_url).toBe('https://app.example/done');
    const id = created.body.session_id;
    const patch = await app.api(`/api/v3.1/tool_router/session/${id}`, {
      method: 'PATCH',
      body: { manage_connections: { callback_url: 'javascript:alert(1)' } },
    });
    expect(field(patch)).toEqual([400, 'manage_connections.callback_url']);
    expect(
      field(
        await app.api(`/api/v3.1/tool_router/session/${id}/link`, { body: { toolkit: 'github', callback_url: 'javascript:alert(1)' } }),
      ),
    ).toEqual([400, 'callback_url']);
    expect(
      field(
        await app.api('/api/v3.1/connected_accounts/link', {
          body: { auth_config_id: 'ac_x', user_id: 'cb', callback_url: 'javascript:alert(1)' },
        }),
      ),
    ).toEqual([400, 'callback_url']);
    for (const key of ['callback_url', 'redirect_uri']) {
      const initiate = await app.api('/api/v3.1/connected_accounts', {
        body: { auth_config: { id: 'ac_x' }, connection: { user_id: 'cb', [key]: 'javascript:alert(1)' } },
      });
      expect(field(initiate), key).toEqual([400, `connection.${key}`]);
    }
    // re-initiating an EXPIRED account: a refused redirect_url (body or query) leaves it EXPIRED, with its reason
    const config = await app.api('/api/v3.1/auth_configs', {
      body: {
        toolkit: { slug: 'github' },
        auth_config: { type: 'use_custom_auth', credentials: { client_id: 'cid', client_secret: 'csecret' } },
      },
    });
    const link = await app.api('/api/v3.1/connected_accounts/link', {
      body: { auth_config_id: config.body.auth_config.id, user_id: 'cb' },
    });
    const accountId = link.body.connected_account_id;
    await connectedAccountsRepo(app.deps.db).update(accountId, {
      status: 'EXPIRED',
      statusReason: 'Permanent auth error during token refresh',
    });
    expect(
      field(await app.api(`/api/v3.1/connected_accounts/${accountId}/refresh`, { body: { redirect_url: 'javascript:alert(1)' } })),
    ).toEqual([400, 'redirect_url']);
    expect((await app.api(`/api/v3.1/connected_accounts/${accountId}/refresh?redirect_url=javascript:alert(1)`, { body: {} })).status).toBe(
      400,
    );
    expect((await app.api(`/api/v3.1/connected_accounts/${accountId}`)).body).toMatchObject({
      status: 'EXPIRED',
      status_reason: 'Permanent auth error during token refresh',
    });
  });

  it('gets, patches with config_version, lists tools and toolkits, and deletes', async () => {
    const created = await create({
      user_id: 'pat',
      toolkits: { enable: ['github', 'hackernews'] },
      tags: ['readOnlyHint'],
      preload: { tools: 'all' },
    });
    const id = created.body.session_id;
    const got = await app.api(`/api/v3.1/tool_router/session/${id}`);
    expect(got.body).toMatchObject({
      session_id: id,
      config_version: 1,
      config: { user_id: 'pat', toolkits: { enabled: ['github', 'hackernews'] }, tags: { enabled: ['readOnlyHint'] } },
    });
    expect(got.body.mcp.headers['x-session-token']).toBe(created.body.mcp.headers['x-session-token']);

    const tools = await app.api(`/api/v3.1/tool_router/session/${id}/tools`);
    const slugs = tools.body.items.map((t: any) => t.slug);
    expect(slugs).toContain('COMPOSIO_SEARCH_TOOLS');
    expect(slugs).toContain('GITHUB_GET_THE_AUTHENTICATED_USER');
    expect(slugs).not.toContain('GITHUB_CREATE_AN_ISSUE');
    expect(tools.body.items.find((t: any) => t.slug === 'COMPOSIO_SEARCH_TOOLS').toolkit.slug).toBe('composio');

    const toolkits = await app.api(`/api/v3.1/tool_router/session/${id}/toolkits`);
    expect(toolkits.body.items.map((t: any) => t.slug).sort()).toEqual(['github', 'hackernews']);
    expect(toolkits.body.items.find((t: any) => t.slug === 'github')).toMatchObject({ is_no_auth: false, connected_account: null });

    const patched = await app.api(`/api/v3.1/tool_router/session/${id}`, {
      method: 'PATCH',
      body: { tags: null, expected_config_version: 1 },
    });
    expect(patched.body.config_version).toBe(2);
    expect(patched.body.config.toolkits).toEqual({ enabled: ['github', 'hackernews'] });
    const stale = await app.api(`/api/v3.1/tool_router/session/${id}`, {
      method: 'PATCH',
      body: { tags: ['readOnlyHint'], expected_config_version: 1 },
    });
    expect(stale.status).toBe(409);
    const raw = await fetch(`${app.url}/api/v3.1/tool_router/session/${id}`, {
      method: 'PATCH',
      headers: { 'x-api-key': app.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ expected_config_version: 1 }),
    });
    expect(raw.headers.get('x-should-retry')).toBe('false');
    const tools2 = await app.api(`/api/v3.1/tool_router/session/${id}/tools`);
    expect(tools2.body.items.map((t: any) => t.slug)).toContain('GITHUB_CREATE_AN_ISSUE');

    expect((await app.api(`/api/v3.1/tool_router/session/${id}`, { method: 'DELETE' })).body).toEqual({ session_id: id, deleted: true });
    expect((await app.api(`/api/v3.1/tool_router/session/${id}`)).status).toBe(404);
    const mcp = await fetch(created.body.mcp.url, {
      method: 'POST',
      headers: { ...created.body.mcp.headers, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(mcp.status).toBe(401);
  });

  it('filters by the action tags: createHint lists only the tools that add, disabling the three write tags leaves the reads', async () => {
    const toolkits = ['github', 'slack', 'trello'];
    const listed = async (config: Record<string, unknown>) => {
      const created = await create({ user_id: 'tags', toolkits, preload: { tools: 'all' }, ...config });
      expect(created.status).toBe(201);
      const tools = await app.api(`/api/v3.1/tool_router/session/${created.body.session_id}/tools`);
      const items = tools.body.items.filter((t: any) => t.toolkit.slug !== 'composio');
      return { config: created.body.config, items, slugs: items.map((t: any) => t.slug).sort() };
    };
    // the catalogue's own answer: GET /tools filters by tag as the session does
    const catalogue = await app.api(`/api/v3.1/tools?toolkit_slug=${toolkits.join(',')}&tags=createHint&limit=1000`);
    const adders = catalogue.body.items.map((t: any) => t.slug).sort();

    // written in any case, as the known tags are
    const creates = await listed({ tags: { enable: ['createhint'] } });
    expect(creates.config.tags).toEqual({ enabled: ['createHint'], disabled: [] });
    expect(creates.slugs).toEqual(adders);
    expect(creates.slugs).toEqual(expect.arrayContaining(['GITHUB_CREATE_AN_ISSUE', 'SLACK_SEND_MESSAGE', 'TRELLO_ADD_CARDS']));
    expect(creates.items.every((t: any) => t.tags.includes('createHint') && !t.tags.includes('readOnlyHint'))).toBe(true);

    const noWrites = await listed({ tags: { disable: ['createHint', 'updateHint', 'destructiveHint'] } });
    expect(noWrites.items.length).toBeGreaterThan(0);
    expect(noWrites.items.every((t: any) => t.tags.includes('readOnlyHint'))).toBe(true);
  });

  it('authorizes a toolkit (201 link), executes tools and meta tools, and searches', async () => {
    const created = await create({ user_id: 'quinn', toolkits: ['sendgrid', 'hackernews'] });
    const id = created.body.session_id;
    const link = await app.api(`/api/v3.1/tool_router/session/${id}/link`, {
      body: { toolkit: 'sendgrid', callback_url: 'https://app.example.com/x' },
    });
    expect(link.status).toBe(201);
    expect(link.body).toMatchObject({ link_token: expect.stringMatching(/^ln_/), connected_account_id: expect.stringMatching(/^ca_/) });
    expect((await app.api(`/api/v3.1/tool_router/session/${id}/link`, { body: { toolkit: 'github' } })).status).toBe(404);

    const notConnected = await app.api(`/api/v3.1/tool_router/session/${id}/execute`, {
      body: { tool_slug: 'SENDGRID_GET_USER_PROFILE', arguments: {} },
    });
    expect(notConnected.status).toBe(200);
    expect(notConnected.body.error).toMatch(/not connected/);
    expect(notConnected.body.data.redirect_url).toMatch(/\/link\/ln_/);
    expect(typeof notConnected.body.log_id).toBe('string');
    // the log id names this call's entry in the execution log, with its outcome
    const entry = await app.api(`/api/v3.1/logs/tool_execution/${notConnected.body.log_id}`, { method: 'GET' });
    expect(entry.status).toBe(200);
    expect(JSON.stringify(entry.body)).toContain('not_connected');

    const badArgs = await app.api(`/api/v3.1/tool_router/session/${id}/execute`, {
      body: { tool_slug: 'HACKERNEWS_GET_ITEM', arguments: { id: 'x' } },
    });
    expect(badArgs.status).toBe(400);
    expect(badArgs.body.error.errors[0].field).toBe('arguments.id');
    const outside = await app.api(`/api/v3.1/tool_router/session/${id}/execute`, {
      body: { tool_slug: 'GITHUB_GET_THE_AUTHENTICATED_USER', arguments: {} },
    });
    expect(outside.status).toBe(404);

    const manage = await app.api(`/api/v3/tool_router/session/${id}/execute_meta`, {
      body: { slug: 'COMPOSIO_MANAGE_CONNECTIONS', arguments: { toolkits: ['sendgrid'] } },
    });
    expect(manage.body.data.results.sendgrid).toMatchObject({ status: 'initiated' });
    const viaExecute = await app.api(`/api/v3.1/tool_router/session/${id}/execute`, {
      body: { tool_slug: 'COMPOSIO_GET_TOOL_SCHEMAS', arguments: { tool_slugs: ['HACKERNEWS_GET_ITEM'] } },
    });
    expect(Object.keys(viaExecute.body.data.tool_schemas)).toEqual(['HACKERNEWS_GET_ITEM']);

    const search = await app.api(`/api/v3.1/tool_router/session/${id}/search`, {
      body: { queries: [{ use_case: 'top stories on hacker news' }] },
    });
    expect(search.body.results[0].primary_tool_slugs[0]).toMatch(/^HACKERNEWS_/);
    expect(search.body.toolkit_connection_statuses.find((s: any) => s.toolkit === 'hackernews').has_active_connection).toBe(true);
  });

  it('checks meta-tool arguments against their own JSON Schema: a 400 naming the field, before anything runs', async () => {
    const id = (await create({ user_id: 'schema', toolkits: ['sendgrid', 'hackernews'] })).body.session_id;
    const meta = (slug: string, args: Record<string, unknown>) =>
      app.api(`/api/v3.1/tool_router/session/${id}/execute_meta`, { body: { slug, arguments: args } });
    const refused = async (slug: string, args: Record<string, unknown>, field: string) => {
      const res = await meta(slug, args);
      expect([res.status, res.body.error?.slug], `${slug} ${JSON.stringify(args)}`).toEqual([400, 'Tool_InvalidArguments']);
      expect(res.body.error.errors.map((e: any) => e.field)).toContain(field);
      expect(res.body.error.message).toContain(field.replace(/^arguments\./, ''));
    };
    await refused('COMPOSIO_GET_TOOL_SCHEMAS', { tool_slugs: ['HACKERNEWS_GET_ITEM'], include: 'output_schema' }, 'arguments.include');
    await refused('COMPOSIO_MANAGE_CONNECTIONS', { toolkits: ['sendgrid'], reinitiate_all: 'yes' }, 'arguments.reinitiate_all');
    await refused(
      'COMPOSIO_MULTI_EXECUTE_TOOL',
      { tools: [{ tool_slug: 'HACKERNEWS_GET_ITEM', arguments: 'id=1' }] },
      'arguments.tools.0.arguments',
    );
    await refused('COMPOSIO_SEARCH_TOOLS', { queries: [{ use_case: 'top stories' }], toolkits: 'hackernews' }, 'arguments.toolkits');
    // nothing ran: the refused manage call made no connection
    const { items } = (await app.api(`/api/v3.1/connected_accounts?user_ids=schema`)).body;
    expect(items).toEqual([]);
  });

  it('builds MCP URLs on LATCHKEY_PUBLIC_URL when it is set, whatever loopback name the request used', async () => {
    const viaLocalhost = await fetch(`${app.url.replace('127.0.0.1', 'localhost')}/api/v3.1/tool_router/session`, {
      method: 'POST',
      headers: { 'x-api-key': app.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'named' }),
    });
    const body = (await viaLocalhost.json()) as any;
    expect(body.mcp.url).toBe(`${app.deps.config.publicUrl}/tool_router/${body.session_id}/mcp`);
    expect(app.deps.config.publicUrl).toBe(app.url);
  });

  it('accepts the older generation: /api/v3 paths, the labs path and single-id connected_accounts', async () => {
    const config = await app.api('/api/v3/auth_configs', { body: { toolkit: { slug: 'sendgrid' } } });
    const account = await app.api('/api/v3/connected_accounts', {
      body: {
        auth_config: { id: config.body.auth_config.id },
        connection: { user_id: 'rory', state: { authScheme: 'API_KEY', val: { api_key: 'SG.rrrrrrrrrrrrrrrr' } } },
      },
    });
    expect(account.body.status).toBe('ACTIVE');
    const session = await create({ user_id: 'rory', connected_accounts: { sendgrid: account.body.id } }, '/api/v3');
    expect(session.status).toBe(201);
    expect(session.body.config.connected_accounts).toEqual({ sendgrid: [account.body.id] });
    const labs = await app.api('/api/v3/labs/tool_router/session', { body: { user_id: 'rory' } });
    expect(labs.status).toBe(201);
  });
});
