import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { fullGrant } from '../helpers/mcp-oauth.ts';
import { apiKeyToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';

/**
 * The URL an MCP server generates for a user (issue 21) is never enough alone, never opens with
 * another installation's key, and never acts as another user: not by a query string, not with a
 * token of another user's URL, and not once its server is deleted.
 */
let app: LiveApp;
let otherProject: LiveApp;
let api: FakeUpstream;
let as: TestAuthServer;
let serverId: string;
const urls: Record<string, string> = {};

beforeAll(async () => {
  api = await startFakeUpstream();
  as = await startAuthServer({ redirectUris: ['http://127.0.0.1:1/cb'] });
  serveTestApis(api, as, new Set(['key-ann-000000', 'key-bob-000000']));
  app = await startLiveApp({ toolkits: [apiKeyToolkit(api)], env: { LATCHKEY_LOG_LEVEL: 'warn' } });
  otherProject = await startLiveApp({ toolkits: [apiKeyToolkit(api)], env: { LATCHKEY_LOG_LEVEL: 'warn' } });
  const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
  for (const user of ['ann', 'bob']) {
    await app.api('/api/v3.1/connected_accounts', {
      body: {
        auth_config: { id: config.body.auth_config.id },
        connection: { user_id: user, state: { authScheme: 'API_KEY', val: { api_key: `key-${user}-000000`, region: user } } },
      },
    });
  }
  const server = await app.api('/api/v3.1/mcp/servers/custom', {
    body: { name: 'isolated', toolkits: ['testkey'], auth_config_ids: [config.body.auth_config.id], allowed_tools: ['TESTKEY_WHOAMI'] },
  });
  serverId = server.body.id;
  const generated = await app.api('/api/v3.1/mcp/servers/generate', { body: { mcp_server_id: serverId, user_ids: ['ann', 'bob'] } });
  [urls.ann, urls.bob] = generated.body.user_ids_url;
}, 60_000);
afterAll(async () => {
  await app.close();
  await otherProject.close();
  await api.close();
  await as.close();
});

/** A tools/call of TESTKEY_WHOAMI on `url` with these headers: the status, and whose account ran it. */
async function whoami(url: string, headers: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'TESTKEY_WHOAMI', arguments: {} } }),
  });
  const body = (await res.json()) as any;
  const region = res.status === 200 ? JSON.parse(body.result.content[0].text).data?.account?.region : undefined;
  return { status: res.status, region, challenge: res.headers.get('www-authenticate') };
}

describe("isolation of MCP servers' generated URLs", () => {
  it('refuses a URL without a credential (with the OAuth challenge a session URL gives) and with another installation’s key', async () => {
    const bare = await whoami(urls.ann!, {});
    expect(bare.status).toBe(401);
    const path = new URL(urls.ann!).pathname;
    expect(bare.challenge).toBe(`Bearer resource_metadata="${app.url}/.well-known/oauth-protected-resource${path}"`);
    // the metadata names this very URL as the resource, so an MCP client can open it with OAuth
    const metadata = (await (await fetch(`${app.url}/.well-known/oauth-protected-resource${path}`)).json()) as any;
    expect(metadata.resource).toBe(urls.ann);

    const foreign = await whoami(urls.ann!, { 'x-api-key': otherProject.apiKey });
    expect(foreign.status).toBe(401);
    expect(foreign.region).toBeUndefined();
    expect((await whoami(urls.ann!, { 'x-api-key': 'ak_not_a_key_of_anyone' })).status).toBe(401);
    // and the owning project's key opens it, as that user
    expect(await whoami(urls.ann!, { 'x-api-key': app.apiKey })).toMatchObject({ status: 200, region: 'ann' });
  });

  it('never acts as another user: a user_id in the query is no credential, and a token for one URL opens no other', async () => {
    for (const [me, them] of [
      ['ann', 'bob'],
      ['bob', 'ann'],
    ] as const) {
      // the URL names its user by its unguessable instance id; a user_id added to it changes nothing
      for (const query of [`?user_id=${them}`, `?user_id=${them}&connected_account_id=x`]) {
        expect(await whoami(`${urls[me]}${query}`, { 'x-api-key': app.apiKey })).toMatchObject({ status: 200, region: me });
      }
    }
    // an OAuth client granted ann's URL (consent with ann's instance session token) holds a token for that URL only
    const session = await app.api(`/api/v3.1/tool_router/session/${new URL(urls.ann!).pathname.split('/')[2]}`);
    const granted = await fullGrant(app.url, urls.ann!, session.body.mcp.headers['x-session-token']);
    const bearer = { authorization: `Bearer ${granted.tokens.access_token}` };
    expect(await whoami(urls.ann!, bearer)).toMatchObject({ status: 200, region: 'ann' });
    const swapped = await whoami(urls.bob!, bearer);
    expect(swapped.status).toBe(401);
    expect(swapped.region).toBeUndefined();
    expect(swapped.challenge).toContain('error="invalid_token"');
    // ann's instance session token on bob's URL: refused
    const annToken = { 'x-session-token': session.body.mcp.headers['x-session-token'] };
    expect(await whoami(urls.ann!, annToken)).toMatchObject({ status: 200, region: 'ann' });
    expect(await whoami(urls.bob!, annToken)).toMatchObject({ status: 403, region: undefined });
    // ann's instance id swapped for a made-up one: refused, never another user's
    const madeUp = urls.ann!.replace(/trs_\w+/, 'trs_AAAAAAAAAAAAAAAA');
    expect((await whoami(madeUp, bearer)).status).toBe(401);
    expect((await whoami(madeUp, { 'x-api-key': app.apiKey })).status).toBe(404);

    // a deleted server's URLs are refused, to the key and to the token granted before
    expect((await app.api(`/api/v3.1/mcp/${serverId}`, { method: 'DELETE' })).status).toBe(200);
    expect((await whoami(urls.ann!, { 'x-api-key': app.apiKey })).status).toBe(404);
    expect((await whoami(urls.ann!, bearer)).status).toBe(401);
    expect((await whoami(urls.bob!, { 'x-api-key': app.apiKey })).status).toBe(404);
  });
});
