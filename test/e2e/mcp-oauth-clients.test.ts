import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startKeyedSessions, type KeyedSessions } from '../helpers/keyed-sessions.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { mcpList, revoke } from '../helpers/mcp-oauth.ts';
import { authorizeInBrowser } from '../helpers/oauth-browser.ts';
import { MemoryOAuthProvider } from '../helpers/oauth-client-provider.ts';

// The official MCP clients' own OAuth support against a bare session URL (no header): 401 →
// RFC 9728 / RFC 8414 discovery → dynamic registration → the consent page in headless Chromium,
// where the person types the session token → tools/list and a tool call as the session's user →
// refresh → revocation and session delete cut it off.

const REDIRECT = 'http://127.0.0.1:4998/oauth/callback';

let keyed: KeyedSessions;
let app: LiveApp;
let browser: Browser;

beforeAll(async () => {
  keyed = await startKeyedSessions({ LATCHKEY_MCP_TOKEN_TTL_MS: '2000' });
  app = keyed.app;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await keyed?.close();
});

const sessionWithAccount = (userId: string) => keyed.sessionWithAccount(userId);

/** The person's part: open the authorization URL, type the session token, allow; the callback URL the browser was sent to. */
async function consentInBrowser(authorizationUrl: URL, sessionToken: string, clientName = 'SDK test client'): Promise<URL> {
  const context = await browser.newContext();
  try {
    const { callback } = await authorizeInBrowser(context, authorizationUrl, REDIRECT, async (page) => {
      expect(await page.textContent('h1')).toContain(clientName);
      await page.fill('#session_token', sessionToken);
      await page.click('button[value=allow]');
      await page.waitForURL((url) => url.href.startsWith(REDIRECT));
    });
    return callback!;
  } finally {
    await context.close();
  }
}

const text = (result: any) => JSON.parse(result.content[0].text);

describe('MCP SDK v2 client (2026-07-28) with its OAuth provider', () => {
  const connect = async (url: string, provider: MemoryOAuthProvider) => {
    const client = new ClientV2({ name: 'oauth-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const transport = new TransportV2(new URL(url), { authProvider: provider as never });
    await client.connect(transport);
    return { client, transport };
  };

  it('discovers, registers, authorizes in the browser, calls tools as the user, refreshes, and is cut off by revocation', async () => {
    const session = await sessionWithAccount('ada');
    const provider = new MemoryOAuthProvider(REDIRECT);
    const first = new TransportV2(new URL(session.url), { authProvider: provider as never });
    const probe = new ClientV2({ name: 'oauth-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await expect(probe.connect(first).then(() => probe.listTools())).rejects.toThrow(/unauthorized/i);
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(session.url);
    expect(provider.clientInformation().client_id).toMatch(/^mcpc_/);

    const callback = await consentInBrowser(provider.authorizationUrl!, session.token);
    await first.finishAuth(callback.searchParams);
    expect(provider.tokens().access_token).toMatch(/^lka_/);

    const { client } = await connect(session.url, provider);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('TESTKEY_WHOAMI');
    const who = text(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(who.data ?? who).toMatchObject({ account: { region: 'ada-region' } });

    // the access token lives 2 s: after that the client refreshes by itself and goes on
    const before = provider.tokens();
    app.clock.advance(2500);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(provider.tokens().refresh_token).not.toBe(before.refresh_token);

    // the access token does not open another session
    const other = await sessionWithAccount('bob');
    expect((await mcpList(other.url, `Bearer ${provider.tokens().access_token}`)).status).toBe(401);

    // revoked: the next call fails and cannot refresh its way back in
    await revoke(app.url, { token: provider.tokens().refresh_token, client_id: provider.clientInformation().client_id });
    await expect(client.listTools()).rejects.toThrow();
    expect((await mcpList(session.url, `Bearer ${provider.tokens().access_token}`)).status).toBe(401);
  });
});

describe('MCP SDK v1 client (2025-11-25) with its OAuthClientProvider', () => {
  it('goes through the same flow, and deleting the session cuts it off', async () => {
    const session = await sessionWithAccount('cy');
    const provider = new MemoryOAuthProvider(REDIRECT);
    const first = new TransportV1(new URL(session.url), { authProvider: provider as never });
    await expect(new ClientV1({ name: 'oauth-v1', version: '1.0.0' }).connect(first)).rejects.toThrow(/unauthorized/i);
    const callback = await consentInBrowser(provider.authorizationUrl!, session.token);
    await first.finishAuth(callback.searchParams.get('code')!);

    const client = new ClientV1({ name: 'oauth-v1', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(session.url), { authProvider: provider as never }));
    const who = text(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(who.data ?? who).toMatchObject({ account: { region: 'cy-region' } });

    app.clock.advance(2500);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('TESTKEY_WHOAMI');

    expect((await app.api(`/api/v3.1/tool_router/session/${session.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await expect(client.listTools()).rejects.toThrow();
    expect((await mcpList(session.url, `Bearer ${provider.tokens().access_token}`)).status).toBe(401);
  });
});

describe('MCP SDK v2 client registering by Client ID Metadata Document', () => {
  // The SDK takes only an https clientMetadataUrl; latchkey's outbound client is routed so that the
  // document's public https URL is answered by a local server (what the address policy would refuse
  // to reach on loopback is not what is tested here: test/e2e/mcp-oauth.test.ts covers that).
  const DOC_URL = 'https://client.example/oauth/client.json';
  let docApp: LiveApp;
  let docs: FakeUpstream;
  beforeAll(async () => {
    docs = await startFakeUpstream();
    docs.on('/oauth/client.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          client_id: DOC_URL,
          client_name: 'Doc-registered client',
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'none',
        }),
      );
    });
    const routed: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      return fetch(url.startsWith('https://client.example/') ? url.replace('https://client.example', docs.url) : input, init);
    };
    docApp = await startLiveApp({ fetch: routed });
  });
  afterAll(async () => {
    await docApp?.close();
    await docs?.close();
  });

  it('uses the document URL as client_id (no registration) and gets a token for the session', async () => {
    const res = await docApp.api('/api/v3.1/tool_router/session', { body: { user_id: 'dee' } });
    const session = { url: res.body.mcp.url as string, token: res.body.mcp.headers['x-session-token'] as string };
    const provider = new MemoryOAuthProvider(REDIRECT, DOC_URL);
    const transport = new TransportV2(new URL(session.url), { authProvider: provider as never });
    const probe = new ClientV2({ name: 'oauth-cimd', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await expect(probe.connect(transport).then(() => probe.listTools())).rejects.toThrow(/unauthorized/i);
    expect(provider.clientInformation().client_id).toBe(DOC_URL);
    const registrations = (await docApp.deps.db.selectFrom('oauth_clients').select('id').execute()).length;
    expect(registrations).toBe(0);

    const callback = await consentInBrowser(provider.authorizationUrl!, session.token, 'Doc-registered client');
    await transport.finishAuth(callback.searchParams);
    const client = new ClientV2({ name: 'oauth-cimd', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new TransportV2(new URL(session.url), { authProvider: provider as never }));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('COMPOSIO_SEARCH_TOOLS');
    expect(docs.requests.filter((r) => r.url === '/oauth/client.json').length).toBeGreaterThan(0);
  });
});
