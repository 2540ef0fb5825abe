import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startMcpTestbed, type McpTestbed } from '../helpers/mcp-testbed.ts';

// COMPOSIO_PROXY_EXECUTE: a raw request to a toolkit's own API as the session user, over both MCP eras
// and REST (execute_meta, execute), against the fake upstream behind the test toolkits.

const PROXY = 'COMPOSIO_PROXY_EXECUTE';
const KEY = 'key-alpha-123456';

let bed: McpTestbed;
let elsewhere: FakeUpstream;
let testkeyConfig: string;

beforeAll(async () => {
  bed = await startMcpTestbed();
  elsewhere = await startFakeUpstream();
  // an API that echoes what it got, the credential included, so masking shows
  bed.api.on('/echo', (req, res) => {
    res.writeHead(req.url.includes('missing') ? 404 : 201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, you_sent: req.headers['x-api-key'], body: req.body }));
  });
  testkeyConfig = (await bed.app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } })).body.auth_config.id;
});
afterAll(async () => {
  await elsewhere.close();
  await bed.close();
});

async function connectKey(userId: string, alias?: string) {
  const res = await bed.app.api('/api/v3.1/connected_accounts', {
    body: {
      auth_config: { id: testkeyConfig },
      connection: { user_id: userId, alias, state: { authScheme: 'API_KEY', val: { api_key: KEY, region: alias ?? 'eu' } } },
    },
  });
  expect(res.body.status).toBe('ACTIVE');
}

async function createSession(userId: string, extra: Record<string, unknown> = {}) {
  const res = await bed.app.api('/api/v3.1/tool_router/session', {
    body: { user_id: userId, toolkits: { enable: ['testoauth', 'testkey'] }, auth_configs: { testoauth: bed.authConfigId }, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body as {
    session_id: string;
    mcp: { url: string; headers: Record<string, string> };
    tool_router_tools: string[];
    config: any;
  };
}

async function connectV1(session: { mcp: { url: string; headers: Record<string, string> } }) {
  const client = new ClientV1({ name: 'latchkey-test-v1', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new TransportV1(new URL(session.mcp.url), { requestInit: { headers: session.mcp.headers } }));
  return client;
}

async function connectV2(session: { mcp: { url: string; headers: Record<string, string> } }) {
  const client = new ClientV2({ name: 'latchkey-test-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new TransportV2(new URL(session.mcp.url), { requestInit: { headers: session.mcp.headers } }));
  return client;
}

const text = (result: any) => JSON.parse(result.content[0].text);

/** The meta tool through REST's execute_meta: the HTTP status and the body. */
const executeMeta = (sessionId: string, args: Record<string, unknown>) =>
  bed.app.api(`/api/v3.1/tool_router/session/${sessionId}/execute_meta`, { body: { slug: PROXY, arguments: args } });

describe('COMPOSIO_PROXY_EXECUTE', () => {
  it('is not listed, and is refused by name, unless the session enables proxy_execute', async () => {
    // 0.21's workbench flag is taken, and enables nothing: latchkey has no workbench
    const session = await createSession('pia', { workbench: { enable_proxy_execution: true } });
    expect(session.config.proxy_execute).toEqual({ enable: false });
    expect(session.config.workbench).toEqual({ enable: false, proxy_execution_enabled: false });
    expect(session.tool_router_tools).not.toContain(PROXY);
    const client = await connectV1(session);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain(PROXY);
    const called = await client.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'GET' } });
    expect(called.isError).toBe(true);
    expect((called.content as any)[0].text).toMatch(/COMPOSIO_PROXY_EXECUTE is not a tool of this session/);
    await client.close();
    const meta = await executeMeta(session.session_id, { toolkit: 'testkey', endpoint: '/whoami', method: 'GET' });
    expect(meta.status).toBe(404);
    expect(meta.body.error.slug).toBe('Tool_NotFound');
    const execute = await bed.app.api(`/api/v3.1/tool_router/session/${session.session_id}/execute`, {
      body: { tool_slug: PROXY, arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'GET' } },
    });
    expect(execute.status).toBe(404);
    expect(bed.api.requests.filter((r) => r.url === '/whoami')).toEqual([]);
  });

  it('sends a GET and a POST with body, query and header parameters as the user, answering the upstream status and body, masked as the REST proxy masks them', async () => {
    await connectKey('pia');
    const session = await createSession('pia', { proxy_execute: { enable: true } });
    expect(session.config.proxy_execute).toEqual({ enable: true });
    expect(session.tool_router_tools).toContain(PROXY);
    const client = await connectV1(session);
    const listed = (await client.listTools()).tools.find((t) => t.name === PROXY)!;
    expect(listed.annotations).toMatchObject({ openWorldHint: true, destructiveHint: true });
    expect(listed.inputSchema).toMatchObject({ type: 'object', required: ['toolkit', 'endpoint', 'method'] });

    const get = await client.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'GET' } });
    expect(get.isError).toBe(false);
    expect(text(get)).toEqual({
      data: { status: 200, data: { account: { email: 'key-al@example.com', region: 'eu' } }, headers: {} },
      error: null,
      successful: true,
    });

    const post = {
      toolkit: 'TESTKEY',
      endpoint: '/echo/items',
      method: 'POST',
      body: { title: 'from the proxy', tags: ['a'] },
      parameters: [
        { name: 'per_page', in: 'query', value: 5 },
        { name: 'x-trace', type: 'header', value: 't-1' },
      ],
    };
    const before = bed.api.requests.length;
    const posted = text(await client.callTool({ name: PROXY, arguments: post }));
    const received = bed.api.requests.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/echo/items?per_page=5' });
    expect(received[0]!.headers).toMatchObject({
      'x-api-key': KEY,
      'x-region': 'eu',
      'x-trace': 't-1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(received[0]!.body)).toEqual(post.body);
    expect(posted.successful).toBe(true);
    expect(posted.data.status).toBe(201);
    expect(posted.data.data).toMatchObject({ method: 'POST', url: '/echo/items?per_page=5', you_sent: '••••3456' });
    expect(JSON.stringify(posted)).not.toContain(KEY);
    // the REST proxy answers the same request with the same masked body
    const rest = await bed.app.api(`/api/v3.1/tool_router/session/${session.session_id}/proxy_execute`, {
      body: {
        ...post,
        toolkit_slug: 'testkey',
        parameters: post.parameters.map(({ name, value, type, in: place }) => ({ name, value, type: type ?? place })),
      },
    });
    expect(rest.body).toMatchObject({ status: 201, data: posted.data.data });

    // an upstream error status comes back as it was, in the envelope
    const missing = text(
      await client.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: '/echo/missing', method: 'GET' } }),
    );
    expect(missing).toMatchObject({
      successful: false,
      error: expect.stringMatching(/HTTP 404/),
      data: { status: 404, data: { you_sent: '••••3456' } },
    });
    await client.close();

    // the 2026-07-28 era serves the same tool
    const modern = await connectV2(session);
    expect((await modern.listTools()).tools.map((t) => t.name)).toContain(PROXY);
    const again = await modern.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'GET' } });
    expect(text(again)).toMatchObject({ successful: true, data: { status: 200, data: { account: { region: 'eu' } } } });
    await modern.close();
  });

  it('runs through REST execute_meta and execute alike', async () => {
    await connectKey('rex');
    const session = await createSession('rex', { proxy_execute: { enable: true } });
    const args = { toolkit: 'testkey', endpoint: `${bed.api.url}/whoami`, method: 'GET' };
    const meta = await executeMeta(session.session_id, args);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({
      data: { status: 200, data: { account: { region: 'eu' } } },
      error: null,
      log_id: expect.any(String),
    });
    const execute = await bed.app.api(`/api/v3.1/tool_router/session/${session.session_id}/execute`, {
      body: { tool_slug: PROXY, arguments: args },
    });
    expect(execute.status).toBe(200);
    expect(execute.body.data).toEqual(meta.body.data);
  });

  it('refuses an endpoint on another origin, an Authorization header, a toolkit outside the session and bad arguments, sending nothing', async () => {
    await connectKey('otto');
    const session = await createSession('otto', { proxy_execute: { enable: true } });
    const client = await connectV1(session);
    const before = bed.api.requests.length;

    const foreign = text(
      await client.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: `${elsewhere.url}/steal`, method: 'GET' } }),
    );
    expect(foreign).toMatchObject({ successful: false, error: expect.stringContaining(`the endpoint must be on ${bed.api.url}`) });
    expect(elsewhere.requests).toEqual([]);

    for (const name of ['Authorization', 'authorization']) {
      const refused = await client.callTool({
        name: PROXY,
        arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'GET', parameters: [{ name, in: 'header', value: 'Bearer mine' }] },
      });
      expect(refused.isError).toBe(true);
      expect((refused.content as any)[0].text).toMatch(new RegExp(`${name} is a header latchkey sets itself`));
    }
    const restRefused = await executeMeta(session.session_id, {
      toolkit: 'testkey',
      endpoint: '/whoami',
      method: 'GET',
      parameters: [{ name: 'AUTHORIZATION', type: 'header', value: 'Bearer mine' }],
    });
    expect(restRefused.status).toBe(400);
    expect(restRefused.body.error).toMatchObject({ slug: 'Tool_InvalidArguments', errors: [{ field: 'parameters.0.name' }] });
    // the REST proxies refuse it the same way
    const authorization = [{ name: 'Authorization', type: 'header', value: 'Bearer mine' }];
    const sessionProxy = await bed.app.api(`/api/v3.1/tool_router/session/${session.session_id}/proxy_execute`, {
      body: { toolkit_slug: 'testkey', endpoint: '/whoami', method: 'GET', parameters: authorization },
    });
    expect(sessionProxy.status).toBe(400);
    const account = (await bed.app.api('/api/v3.1/connected_accounts?user_ids=otto')).body.items[0].id;
    const plainProxy = await bed.app.api('/api/v3.1/tools/execute/proxy', {
      body: { connected_account_id: account, endpoint: '/whoami', method: 'GET', parameters: authorization },
    });
    expect(plainProxy.status).toBe(400);
    expect(plainProxy.body.error.errors).toEqual([{ field: 'parameters.0.name', message: expect.stringMatching(/latchkey sets itself/) }]);

    const outside = await client.callTool({ name: PROXY, arguments: { toolkit: 'github', endpoint: '/user', method: 'GET' } });
    expect(outside.isError).toBe(true);
    expect((outside.content as any)[0].text).toBe('github is not a toolkit of this session.');

    const tooMany = Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, in: 'query', value: i }));
    const overLimit = await executeMeta(session.session_id, {
      toolkit: 'testkey',
      endpoint: '/whoami',
      method: 'GET',
      parameters: tooMany,
    });
    expect(overLimit.status).toBe(400);
    expect(overLimit.body.error.errors[0].field).toBe('arguments.parameters');
    const badMethod = await client.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'TRACE' } });
    expect(badMethod.isError).toBe(true);
    expect((badMethod.content as any)[0].text).toMatch(/method/);
    await client.close();
    expect(bed.api.requests.slice(before)).toEqual([]);
  });

  it('answers a toolkit the user has not connected with a Connect Link, and the same call succeeds once connected', async () => {
    bed.as.decide.account = 'nina';
    const session = await createSession('nina', { proxy_execute: { enable: true } });
    const client = await connectV1(session);
    const call = { name: PROXY, arguments: { toolkit: 'testoauth', endpoint: '/me', method: 'GET' } };
    const first = await client.callTool(call);
    expect(first.isError).toBe(true);
    const envelope = text(first);
    expect(envelope.data).toMatchObject({ toolkit: 'testoauth', connected: false, redirect_url: expect.stringMatching(/\/link\/ln_/) });
    expect(envelope.error).toMatch(/Show the user this link.*call COMPOSIO_PROXY_EXECUTE again/s);

    await new FetchBrowser().follow(envelope.data.redirect_url);
    const second = await client.callTool(call);
    expect(second.isError).toBe(false);
    expect(text(second)).toMatchObject({ successful: true, data: { status: 200, data: { login: 'nina' } } });
    await client.close();

    // a session that does not manage connections says so instead
    const unmanaged = await createSession('nobody', { proxy_execute: { enable: true }, manage_connections: false });
    const refused = await executeMeta(unmanaged.session_id, call.arguments);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      data: { connected: false, redirect_url: null },
      error: expect.stringMatching(/this session cannot start a connection/),
    });
  });

  it('in multi-account mode asks which account to use, and sends with the one named', async () => {
    await connectKey('mia', 'work');
    await connectKey('mia', 'home');
    const session = await createSession('mia', { proxy_execute: { enable: true }, multi_account: { enable: true } });
    const client = await connectV1(session);
    const ask = text(await client.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'GET' } }));
    expect(ask.successful).toBe(false);
    expect(ask.data.accounts.map((a: any) => a.alias).sort()).toEqual(['home', 'work']);
    expect(ask.error).toMatch(/call COMPOSIO_PROXY_EXECUTE again with "account"/);
    const chosen = text(
      await client.callTool({ name: PROXY, arguments: { toolkit: 'testkey', endpoint: '/whoami', method: 'GET', account: 'home' } }),
    );
    expect(chosen).toMatchObject({ successful: true, data: { status: 200, data: { account: { region: 'home' } } } });
    await client.close();
  });

  it('is gone once the session is patched with proxy_execute: null', async () => {
    await connectKey('pat');
    const session = await createSession('pat', { proxy_execute: { enable: true } });
    const args = { toolkit: 'testkey', endpoint: '/whoami', method: 'GET' };
    expect((await executeMeta(session.session_id, args)).status).toBe(200);
    const patched = await bed.app.api(`/api/v3.1/tool_router/session/${session.session_id}`, {
      method: 'PATCH',
      body: { proxy_execute: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.config.proxy_execute).toEqual({ enable: false });
    expect(patched.body.tool_router_tools).not.toContain(PROXY);
    const client = await connectV1(session);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain(PROXY);
    expect((await client.callTool({ name: PROXY, arguments: args })).isError).toBe(true);
    await client.close();
    expect((await executeMeta(session.session_id, args)).status).toBe(404);
  });
});
