import { request } from 'node:http';
import { Composio, SessionPreset } from '@composio/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';

let as: TestAuthServer;
let api: FakeUpstream;
let app: LiveApp;
let composio: Composio;

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set());
  // the operator's default OAuth app for the toolkit: sessions create their auth config from it
  app = await startLiveApp({
    port,
    toolkits: [oauthToolkit(as, api)],
    env: { LATCHKEY_OAUTH_TESTOAUTH_CLIENT_ID: as.clientId, LATCHKEY_OAUTH_TESTOAUTH_CLIENT_SECRET: as.clientSecret },
  });
  composio = new Composio({ apiKey: app.apiKey, baseURL: app.url, allowTracking: false, disableVersionCheck: true });
});
afterAll(async () => {
  await app.close();
  await api.close();
  await as.close();
});

describe("@composio/core's session API against latchkey, unchanged", () => {
  it('create → mcp → tools → toolkits → authorize + waitForConnection → execute', async () => {
    as.decide.account = 'sdk-sam';
    const session = await composio.create('sdk-sam', {
      toolkits: ['testoauth', 'hackernews'],
      manageConnections: { callbackUrl: 'https://app.example.com/back' },
      preload: { tools: ['TESTOAUTH_GET_ME'] },
      mcp: true,
    });
    expect(session.sessionId).toMatch(/^trs_/);
    expect(session.mcp.url).toBe(`${app.url}/tool_router/${session.sessionId}/mcp`);
    expect(session.mcp.headers).toMatchObject({ 'x-api-key': app.apiKey });

    // the MCP URL and headers the SDK hands an agent work as they are
    const client = new Client({ name: 'sdk-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(session.mcp.url), {
        requestInit: { headers: session.mcp.headers as Record<string, string> },
      }),
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('TESTOAUTH_GET_ME');
    await client.close();

    const tools = (await session.tools()) as Array<{ function: { name: string } }>;
    const names = tools.map((t) => t.function.name);
    expect(names).toContain('COMPOSIO_SEARCH_TOOLS');
    expect(names).toContain('TESTOAUTH_GET_ME');

    const before = await session.toolkits();
    const item = before.items.find((t) => t.slug === 'testoauth')!;
    expect(item.connection?.isActive ?? false).toBe(false);
    expect(before.items.find((t) => t.slug === 'hackernews')!.isNoAuth).toBe(true);

    const request = await session.authorize('testoauth');
    expect(request.redirectUrl).toMatch(/\/link\/ln_/);
    const waiting = request.waitForConnection(20_000);
    setTimeout(() => void new FetchBrowser().follow(request.redirectUrl!), 1100);
    const account = await waiting;
    expect(account.status).toBe('ACTIVE');

    const after = await session.toolkits();
    expect(after.items.find((t) => t.slug === 'testoauth')!.connection?.isActive).toBe(true);

    const result = await session.execute('TESTOAUTH_GET_ME', {});
    expect(result.error).toBeNull();
    expect(result.data).toMatchObject({ login: 'sdk-sam' });

    // an EXPIRED account: session.authorize re-initiates the same account, and waitForConnection sees it through
    await app.deps.db
      .updateTable('connected_accounts')
      .set({ status: 'EXPIRED', status_reason: 'Permanent auth error during token refresh' })
      .where('id', '=', account.id)
      .execute();
    const again = await session.authorize('testoauth');
    expect(again.id).toBe(account.id);
    expect((await composio.connectedAccounts.get(account.id)).status).toBe('INITIATED');
    const rewaiting = again.waitForConnection(20_000);
    setTimeout(() => void new FetchBrowser().follow(again.redirectUrl!), 1100);
    expect((await rewaiting).status).toBe('ACTIVE');

    const reopened = await composio.use(session.sessionId);
    expect(reopened.sessionId).toBe(session.sessionId);
  });

  it('session.search({toolkits}) searches only those toolkits, and ranks as COMPOSIO_SEARCH_TOOLS does over MCP', async () => {
    const session = await composio.create('sdk-sol', { toolkits: ['github', 'hackernews'], mcp: true });
    const query = 'list the top stories and their comments';
    const everywhere = await session.search({ query });
    const only = await session.search({ query, toolkits: ['github'] });
    const slugsOf = (r: typeof only) => [...r.results[0]!.primaryToolSlugs, ...r.results[0]!.relatedToolSlugs];
    expect(slugsOf(everywhere).some((s) => s.startsWith('HACKERNEWS_'))).toBe(true);
    expect(slugsOf(only).length).toBeGreaterThan(0);
    expect(slugsOf(only).every((s) => s.startsWith('GITHUB_'))).toBe(true);
    expect(only.results[0]!.toolkits).toEqual(['github']);

    const client = new Client({ name: 'sdk-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(session.mcp.url), {
        requestInit: { headers: session.mcp.headers as Record<string, string> },
      }),
    );
    for (const [toolkits, rest] of [
      [undefined, everywhere],
      [['github'], only],
    ] as const) {
      const result = await client.callTool({
        name: 'COMPOSIO_SEARCH_TOOLS',
        arguments: { queries: [{ use_case: query }], ...(toolkits ? { toolkits } : {}) },
      });
      const data = JSON.parse((result.content as Array<{ text: string }>)[0]!.text).data;
      expect([...data.results[0].primary_tool_slugs, ...data.results[0].related_tool_slugs]).toEqual(slugsOf(rest));
    }
    await client.close();
  });

  it('sessionPreset direct_tools: every tool the filters allow, listed directly, with the meta tools off; the default lists the meta tools only', async () => {
    const direct = await composio.create('sdk-dora', { toolkits: ['hackernews'], sessionPreset: SessionPreset.DIRECT_TOOLS, mcp: true });
    const client = new Client({ name: 'sdk-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(direct.mcp.url), {
        requestInit: { headers: direct.mcp.headers as Record<string, string> },
      }),
    );
    const hackernews = app.deps.catalogue.toolkit('hackernews')!.tools.map((t) => t.slug);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['COMPOSIO_GET_TOOL_SCHEMAS', ...hackernews]);
    await client.close();
    const tools = (await direct.tools()) as Array<{ function: { name: string } }>;
    expect(tools.map((t) => t.function.name)).toEqual(['COMPOSIO_GET_TOOL_SCHEMAS', ...hackernews]);
    const got = await app.api(`/api/v3.1/tool_router/session/${direct.sessionId}`);
    expect(got.body.config).toMatchObject({
      preload: { tools: 'all' },
      search: { enable: false },
      execute: { enable_multi_execute: false },
      manage_connections: { enabled: false },
    });

    const plain = await composio.create('sdk-dora', { toolkits: ['hackernews'] });
    const plainTools = (await plain.tools()) as Array<{ function: { name: string } }>;
    expect(plainTools.map((t) => t.function.name)).toEqual([
      'COMPOSIO_SEARCH_TOOLS',
      'COMPOSIO_GET_TOOL_SCHEMAS',
      'COMPOSIO_MULTI_EXECUTE_TOOL',
      'COMPOSIO_MANAGE_CONNECTIONS',
    ]);
    // "all" needs a toolkit filter: the SDK's error carries the server's 400
    await expect(composio.create('sdk-dora', { sessionPreset: SessionPreset.DIRECT_TOOLS })).rejects.toThrow(/toolkit filter/);
  });
});

describe('the default configuration (no LATCHKEY_PUBLIC_URL), with the SDK on either loopback name', () => {
  it('gives the SDK an MCP URL on the origin it called, so it attaches its key, and the MCP client connects with it', async () => {
    const plain = await startLiveApp({ env: { LATCHKEY_PUBLIC_URL: '' } });
    try {
      const port = new URL(plain.url).port;
      expect(plain.deps.config.publicUrl).toBe(`http://localhost:${port}`);
      for (const baseURL of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
        const sdk = new Composio({ apiKey: plain.apiKey, baseURL, allowTracking: false, disableVersionCheck: true });
        // mcp: true makes the SDK throw rather than warn when the origins differ
        const session = await sdk.create('default-dana', { toolkits: ['hackernews'], mcp: true });
        expect(session.mcp.url).toBe(`${baseURL}/tool_router/${session.sessionId}/mcp`);
        expect(session.mcp.headers).toMatchObject({ 'x-api-key': plain.apiKey });
        const client = new Client({ name: 'sdk-agent', version: '1.0.0' });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(session.mcp.url), {
            requestInit: { headers: session.mcp.headers as Record<string, string> },
          }),
        );
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('COMPOSIO_SEARCH_TOOLS');
        await client.close();
        expect(((await sdk.use(session.sessionId)) as unknown as { mcp: { url: string } }).mcp.url, baseURL).toBe(session.mcp.url);
        // Connect Links (and OAuth redirect URIs) stay on the public URL, whatever name the caller used
        const config = await sdk.authConfigs.create('sendgrid', { type: 'use_composio_managed_auth' });
        const link = await sdk.connectedAccounts.link('default-dana', config.id, { allowMultiple: true });
        expect(link.redirectUrl).toMatch(new RegExp(`^http://localhost:${port}/link/ln_`));
      }
      // a Host header that is not loopback never reaches an answer
      const forged = await new Promise<any>((resolve, reject) => {
        const req = request(
          `${plain.url}/api/v3.1/tool_router/session`,
          { method: 'POST', headers: { host: 'evil.example', 'x-api-key': plain.apiKey, 'content-type': 'application/json' } },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk)).on('end', () => resolve(JSON.parse(text)));
          },
        );
        req.on('error', reject).end(JSON.stringify({ user_id: 'u' }));
      });
      expect(forged.mcp.url).toMatch(new RegExp(`^http://localhost:${port}/tool_router/trs_`));
    } finally {
      await plain.close();
    }
  });
});
