import { execFileSync } from 'node:child_process';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Composio, logger } from '@composio/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startCompatStack, type CompatStack } from './stack.ts';
import { getMcpServer, instanceFor, updateMcpServer } from '../../src/services/mcp-servers.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { getSession } from '../../src/sessions/session.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';

/**
 * `composio.mcp` of the published @composio/core 0.21 against latchkey (issue 21): named server
 * configs, and a URL per user that an MCP client opens with the project key, as at Composio. The SDK
 * validates every answer and warns on a shape it does not expect: no warning may appear.
 */
let stack: CompatStack;
let composio: Composio;
let authConfigId: string;
const warnings: string[] = [];

beforeAll(async () => {
  stack = await startCompatStack();
  composio = new Composio({ apiKey: stack.app.apiKey, baseURL: stack.app.url, allowTracking: false, disableVersionCheck: true });
  authConfigId = (await composio.authConfigs.create('testoauth', { type: 'use_composio_managed_auth' })).id;
});
afterAll(() => stack.close());
beforeEach(() => {
  warnings.length = 0;
  logger.configure({ sink: { ...console, warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')) } });
});
afterEach(() => expect(warnings).toEqual([]));

// the SDK types list's options as its schema's output (defaults required); its input takes any of them
const list = (options: { toolkits?: string[]; authConfigs?: string[]; name?: string; limit?: number; page?: number }) =>
  composio.mcp.list(options as Parameters<typeof composio.mcp.list>[0]);
const text = (result: any) => JSON.parse(result.content[0].text);

/** The status of a tools/list on a generated URL with the project key (its body discarded). */
async function toolsListStatus(url: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'x-api-key': stack.app.apiKey, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
  await res.body?.cancel();
  return res.status;
}

async function openV1(url: string, headers: Record<string, string>) {
  const client = new Client({ name: 'mcp-server-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

describe("@composio/core's MCP servers API against latchkey", () => {
  it('create → get → list (filters, pages) → update → generate → delete, in the shapes the SDK validates', async () => {
    const server = await composio.mcp.create('sdk-server', {
      toolkits: [{ toolkit: 'testoauth', authConfigId }, 'testkey'],
      allowedTools: ['TESTOAUTH_GET_ME'],
      manuallyManageConnections: false,
    });
    expect(server).toMatchObject({ name: 'sdk-server', allowedTools: ['TESTOAUTH_GET_ME'], authConfigIds: [authConfigId] });
    expect(server.id).toMatch(/^mcp_/);
    expect(server.commands.claude).toContain('x-api-key');

    const got = await composio.mcp.get(server.id);
    expect(got).toMatchObject({ id: server.id, toolkits: ['testoauth', 'testkey'], serverInstanceCount: 0, authConfigIds: [authConfigId] });

    const other = await composio.mcp.create('sdk-other', { toolkits: ['hackernews'] });
    expect((await list({})).items.map((i) => i.id).sort()).toEqual([server.id, other.id].sort());
    expect((await list({ toolkits: ['testkey'] })).items.map((i) => i.id)).toEqual([server.id]);
    expect((await list({ authConfigs: [authConfigId] })).items.map((i) => i.id)).toEqual([server.id]);
    expect((await list({ name: 'OTHER' })).items.map((i) => i.id)).toEqual([other.id]);
    const paged = await list({ limit: 1, page: 2 });
    expect(paged).toMatchObject({ currentPage: 2, totalPages: 2 });
    expect(paged.items).toHaveLength(1);
    // the raw app/{appKey} route: the servers with that toolkit
    const byApp = await stack.app.api('/api/v3.1/mcp/app/hackernews');
    expect(byApp.body.items.map((i: any) => i.id)).toEqual([other.id]);

    const instance = await composio.mcp.generate('gen-user', server.id);
    expect(instance).toMatchObject({ id: server.id, type: 'streamable_http', userId: 'gen-user', allowedTools: ['TESTOAUTH_GET_ME'] });
    expect(instance.url).toMatch(new RegExp(`^${stack.app.url}/tool_router/trs_\\w+/mcp$`));
    // the same user gets the same URL again
    expect((await server.generate('gen-user')).url).toBe(instance.url);
    expect((await composio.mcp.get(server.id)).serverInstanceCount).toBe(1);
    const instances = await stack.app.api(`/api/v3.1/mcp/servers/${server.id}/instances`);
    expect(instances.body).toMatchObject({ server_id: server.id, server_name: 'sdk-server', total_pages: 1, current_page: 1 });
    expect(instances.body.instances).toEqual([expect.objectContaining({ instance_id: 'gen-user', mcp_server_id: server.id })]);

    const updated = await composio.mcp.update(server.id, { name: 'sdk-server-2', allowedTools: [], manuallyManageConnections: true });
    expect(updated).toMatchObject({ name: 'sdk-server-2', allowedTools: [], toolkits: ['testoauth', 'testkey'] });
    expect((await stack.app.api(`/api/v3.1/mcp/${server.id}`)).body.managed_auth_via_composio).toBe(false);

    expect(await composio.mcp.delete(other.id)).toEqual({ id: other.id, deleted: true });
    expect((await list({})).items.map((i) => i.id)).toEqual([server.id]);
    await expect(composio.mcp.get(other.id)).rejects.toThrow();
    await composio.mcp.delete(server.id);
  });

  it("the rest of @composio/client's surface: create from auth configs and no-auth apps, create and delete an instance", async () => {
    const created = await stack.app.api('/api/v3.1/mcp/servers', {
      body: { name: 'client-server', auth_config_ids: [authConfigId], no_auth_apps: ['hackernews'], managed_auth_via_composio: false },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      toolkits: ['hackernews', 'testoauth'],
      auth_config_ids: [authConfigId],
      managed_auth_via_composio: false,
      server_instance_count: 0,
    });
    const id = created.body.id;
    const instance = await stack.app.api(`/api/v3.1/mcp/servers/${id}/instances`, { body: { user_id: 'ivy' } });
    expect(instance.status).toBe(201);
    expect(instance.body).toMatchObject({ instance_id: 'ivy', mcp_server_id: id, id: expect.stringMatching(/^trs_/) });
    // generate answers the instance made before
    const generated = await stack.app.api('/api/v3.1/mcp/servers/generate', { body: { mcp_server_id: id, user_ids: ['ivy'] } });
    expect(generated.body.user_ids_url).toEqual([`${stack.app.url}/tool_router/${instance.body.id}/mcp`]);
    expect(generated.body.connected_account_urls).toEqual([]);
    const search = await stack.app.api(`/api/v3.1/mcp/servers/${id}/instances?search=iv&order_direction=asc`);
    expect(search.body.instances.map((i: any) => i.instance_id)).toEqual(['ivy']);

    const removed = await stack.app.api(`/api/v3.1/mcp/servers/${id}/instances/ivy`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(removed.body.deleted_connected_accounts).toBe(0);
    expect(await toolsListStatus(generated.body.user_ids_url[0])).toBe(404);
    expect((await stack.app.api(`/api/v3.1/mcp/servers/${id}/instances/ivy`, { method: 'DELETE' })).status).toBe(404);
    const byUrl = await stack.app.api('/api/v3.1/mcp/servers/generate', { body: { mcp_server_id: id, connected_account_ids: ['ca_x'] } });
    expect(byUrl.status).toBe(400);
  });

  it('refuses what cannot be served with a 4xx naming it: unknown toolkit, auth config or tool, a tool of another toolkit, a taken name', async () => {
    const create = (body: unknown) => stack.app.api('/api/v3.1/mcp/servers/custom', { body });
    const cases: Array<[unknown, number, RegExp]> = [
      [{ name: 'x', toolkits: ['nosuchkit'] }, 400, /unknown toolkit nosuchkit/],
      [{ name: 'x', auth_config_ids: ['ac_missing'] }, 404, /ac_missing was not found/],
      [{ name: 'x', toolkits: ['testkey'], allowed_tools: ['NOPE_TOOL'] }, 400, /unknown tool NOPE_TOOL/],
      [{ name: 'x', toolkits: ['testkey'], allowed_tools: ['TESTOAUTH_GET_ME'] }, 400, /not a toolkit of this server/],
      [{ name: 'x' }, 400, /at least one toolkit/],
      [{ name: '', toolkits: ['testkey'] }, 400, /name/],
      [{ name: 'x', toolkits: ['testkey'], custom_tools: ['MY_TOOL'] }, 400, /custom tools are not supported/],
      [{ name: 'x', toolkits: 'testkey' }, 400, /toolkits/],
    ];
    for (const [body, status, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await create({ name: 'taken', toolkits: ['testkey'] })).status).toBe(201);
    const again = await create({ name: 'taken', toolkits: ['hackernews'] });
    expect(again.status).toBe(409);
    expect(again.body.error.slug).toBe('MCP_ServerNameTaken');
    const missing = await stack.app.api('/api/v3.1/mcp/servers/generate', { body: { mcp_server_id: 'mcp_nope', user_ids: ['u'] } });
    expect(missing.status).toBe(404);
    expect((await stack.app.api('/api/v3.1/mcp/mcp_nope', { method: 'PATCH', body: { name: 'y' } })).status).toBe(404);
    expect((await stack.app.api('/api/v3.1/mcp/mcp_nope', { method: 'DELETE' })).status).toBe(404);
    const badPage = await stack.app.api('/api/v3.1/mcp/servers?page_no=0');
    expect(badPage.status).toBe(400);
  });

  it('a generated URL, opened by MCP clients with the project key: the configured tools, a Connect Link, then the tool runs as that user', async () => {
    const server = await composio.mcp.create('chat-server', {
      toolkits: [{ toolkit: 'testoauth', authConfigId }],
      allowedTools: ['TESTOAUTH_GET_ME'],
    });
    const instance = await server.generate('mia');
    const headers = { 'x-api-key': stack.app.apiKey };
    const client = await openV1(instance.url, headers);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('TESTOAUTH_GET_ME');
    expect(names).toContain('COMPOSIO_MANAGE_CONNECTIONS');
    expect(names.filter((n) => !n.startsWith('COMPOSIO_'))).toEqual(['TESTOAUTH_GET_ME']);

    const first = await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(first.isError).toBe(true);
    const link = text(first).data.redirect_url as string;
    expect(link).toMatch(new RegExp(`^${stack.app.url}/link/ln_`));

    stack.as.decide.account = 'mia';
    await new FetchBrowser().follow(link);
    const before = stack.api.requests.length;
    const second = await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(second.isError).toBe(false);
    expect(text(second)).toMatchObject({ successful: true, data: { login: 'mia' } });
    // the upstream was called with mia's own token
    const sent = stack.api.requests.slice(before).find((r) => r.url === '/me');
    expect(sent?.headers.authorization).toMatch(/^Bearer /);
    await client.close();
    // the account is mia's, made through the server's auth config
    const accounts = await composio.connectedAccounts.list({ userIds: ['mia'] });
    expect(accounts.items.map((a) => a.authConfig.id)).toEqual([authConfigId]);

    // the 2026-07-28 client (SDK v2) on the same URL
    const v2 = new ClientV2({ name: 'mcp-server-agent-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await v2.connect(new TransportV2(new URL(instance.url), { requestInit: { headers } }));
    expect((await v2.listTools()).tools.map((t) => t.name)).toContain('TESTOAUTH_GET_ME');
    const viaV2 = await v2.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(text(viaV2)).toMatchObject({ successful: true, data: { login: 'mia' } });
    await v2.close();
  });

  it("follows its server: an update changes what every user's URL lists at once, a deletion refuses the URL", async () => {
    const server = await composio.mcp.create('following-server', { toolkits: ['testkey', 'hackernews'], allowedTools: ['TESTKEY_WHOAMI'] });
    const { url } = await server.generate('fay');
    const headers = { 'x-api-key': stack.app.apiKey };
    const listed = async () => {
      const client = await openV1(url, headers);
      const names = (await client.listTools()).tools.map((t) => t.name).filter((n) => !n.startsWith('COMPOSIO_'));
      await client.close();
      return names;
    };
    expect(await listed()).toEqual(['TESTKEY_WHOAMI']);
    await composio.mcp.update(server.id, { allowedTools: ['HACKERNEWS_GET_TOP_STORIES'] });
    expect(await listed()).toEqual(['HACKERNEWS_GET_TOP_STORIES']);
    await composio.mcp.update(server.id, { manuallyManageConnections: true });
    const client = await openV1(url, headers);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('COMPOSIO_MANAGE_CONNECTIONS');
    await client.close();

    await composio.mcp.delete(server.id);
    expect(await toolsListStatus(url)).toBe(404);
  });
});

describe('MCP servers: what the security review of issue 21 found', () => {
  const api = (path: string, init?: { method?: string; body?: unknown }) => stack.app.api(`/api/v3.1${path}`, init);
  const configOf = async (sessionId: string) => (await getSession(stack.app.deps, sessionId)).config;

  it('an instance made from a copy of its server read before an update gets the updated config', async () => {
    const deps = stack.app.deps;
    const created = await api('/mcp/servers/custom', {
      body: { name: 'stale-copy', toolkits: ['hackernews'], allowed_tools: ['HACKERNEWS_GET_ITEM', 'HACKERNEWS_GET_USER'] },
    });
    const stale = await getMcpServer(deps, created.body.id);
    await updateMcpServer(deps, stale.id, { allowedTools: ['HACKERNEWS_GET_ITEM'] }, SYSTEM_ACTOR);
    const instance = await instanceFor(deps, stale.id, 'stale-user');
    expect((await configOf(instance.sessionId)).preload).toEqual(['HACKERNEWS_GET_ITEM']);
  });

  it('generate for many users while PATCH shrinks allowed_tools: every instance ends with the new list', async () => {
    const created = await api('/mcp/servers/custom', {
      body: { name: 'racing', toolkits: ['hackernews'], allowed_tools: ['HACKERNEWS_GET_ITEM', 'HACKERNEWS_GET_USER'] },
    });
    const id = created.body.id;
    const users = Array.from({ length: 24 }, (_, i) => `racer-${i}`);
    const generates = users.map((u) => api('/mcp/servers/generate', { body: { mcp_server_id: id, user_ids: [u] } }));
    const patch = api(`/mcp/${id}`, { method: 'PATCH', body: { allowed_tools: ['HACKERNEWS_GET_USER'] } });
    const [patched, ...generated] = await Promise.all([patch, ...generates]);
    expect(patched.status).toBe(200);
    for (const g of generated) expect(g.status).toBe(200);
    const instances = await api(`/mcp/servers/${id}/instances?limit=100`);
    expect(instances.body.instances).toHaveLength(users.length);
    for (const i of instances.body.instances) expect((await configOf(i.id)).preload).toEqual(['HACKERNEWS_GET_USER']);
  });

  it("refuses (409) to change or delete an instance's session through the sessions API; the server's update still governs it", async () => {
    const created = await api('/mcp/servers/custom', {
      body: { name: 'governed', toolkits: ['hackernews'], allowed_tools: ['HACKERNEWS_GET_ITEM'] },
    });
    const instance = await api(`/mcp/servers/${created.body.id}/instances`, { body: { user_id: 'gov-user' } });
    const sessionId = instance.body.id;
    const patched = await api(`/tool_router/session/${sessionId}`, { method: 'PATCH', body: { toolkits: { enable: ['testkey'] } } });
    expect(patched.status).toBe(409);
    expect(patched.body.error).toMatchObject({ slug: 'MCP_InstanceSessionFollowsServer' });
    expect(patched.body.error.message).toContain(created.body.id);
    const deleted = await api(`/tool_router/session/${sessionId}`, { method: 'DELETE' });
    expect(deleted.status).toBe(409);
    expect(deleted.body.error).toMatchObject({ slug: 'MCP_InstanceSessionFollowsServer' });
    expect((await api(`/tool_router/session/${sessionId}`)).status).toBe(200);
    expect((await configOf(sessionId)).toolkits).toEqual({ enabled: ['hackernews'] });
    // an ordinary session is still changed and deleted
    const own = await api('/tool_router/session', { body: { user_id: 'gov-user' } });
    expect((await api(`/tool_router/session/${own.body.session_id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('an auth config of a toolkit not in the listed toolkits is refused (custom create, PATCH); POST /mcp/servers still adds it', async () => {
    const custom = await api('/mcp/servers/custom', { body: { name: 'mismatch', toolkits: ['testkey'], auth_config_ids: [authConfigId] } });
    expect(custom.status).toBe(400);
    expect(custom.body.error.message).toMatch(/testoauth is not in toolkits/);
    const server = await api('/mcp/servers/custom', { body: { name: 'mismatch', toolkits: ['testkey'] } });
    expect(server.status).toBe(201);
    for (const body of [{ auth_config_ids: [authConfigId] }, { toolkits: ['hackernews'], auth_config_ids: [authConfigId] }]) {
      const res = await api(`/mcp/${server.body.id}`, { method: 'PATCH', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api(`/mcp/${server.body.id}`)).body.toolkits).toEqual(['testkey']);
    const listed = await api(`/mcp/${server.body.id}`, {
      method: 'PATCH',
      body: { toolkits: ['testkey', 'testoauth'], auth_config_ids: [authConfigId] },
    });
    expect(listed.body).toMatchObject({ toolkits: ['testkey', 'testoauth'], auth_config_ids: [authConfigId] });
  });

  it('generate racing delete leaves no session of the server that serves', async () => {
    for (let round = 0; round < 30; round++) {
      const created = await api('/mcp/servers/custom', { body: { name: `doomed-${round}`, toolkits: ['hackernews'] } });
      const users = Array.from({ length: 8 }, (_, i) => `doomed-${round}-${i}`);
      const generates = users.map((u) => api('/mcp/servers/generate', { body: { mcp_server_id: created.body.id, user_ids: [u] } }));
      const [deleted, ...generated] = await Promise.all([api(`/mcp/${created.body.id}`, { method: 'DELETE' }), ...generates]);
      expect(deleted.status).toBe(200);
      for (const g of generated) expect([200, 404]).toContain(g.status);
      for (const u of users) expect(await sessionsRepo(stack.app.deps.db).listByUser(u, 10)).toEqual([]);
      for (const g of generated.filter((r) => r.status === 200)) expect(await toolsListStatus(g.body.user_ids_url[0])).toBe(404);
    }
  });

  it('quotes the server name in the claude command for a POSIX shell', async () => {
    const name = `it's $(id); echo \`id\` "x"`;
    const created = await api('/mcp/servers/custom', { body: { name, toolkits: ['hackernews'] } });
    const command: string = created.body.commands.claude;
    expect(command.startsWith('claude ')).toBe(true);
    // the shell itself splits it: the name is one word, nothing ran
    const words = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${command.slice('claude '.length)}`], { encoding: 'utf8' }).split('\n');
    expect(words.slice(0, 4)).toEqual(['mcp', 'add', '--transport', 'http']);
    expect(words[4]).toBe(name);
    expect(words[5]).toContain(created.body.id);
    expect(words[6]).toBe('--header');
    expect(words[7]).toBe('x-api-key: <project API key>');
  });

  it('a rename racing a create of the same name: one wins, the other is told the name is taken (never a 500)', async () => {
    const renamed = await api('/mcp/servers/custom', { body: { name: 'to-rename', toolkits: ['hackernews'] } });
    for (let round = 0; round < 10; round++) {
      const name = `contested-${round}`;
      const [rename, create] = await Promise.all([
        api(`/mcp/${renamed.body.id}`, { method: 'PATCH', body: { name } }),
        api('/mcp/servers/custom', { body: { name, toolkits: ['hackernews'] } }),
      ]);
      expect([rename.status, create.status].sort()).toEqual(rename.status === 200 ? [200, 409] : [201, 409]);
      for (const res of [rename, create]) if (res.status === 409) expect(res.body.error.slug).toBe('MCP_ServerNameTaken');
    }
  });
});
