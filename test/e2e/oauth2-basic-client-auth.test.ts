import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';

/**
 * `token_endpoint_auth: client_secret_basic` against a real authorization server (oidc-provider), which
 * form-decodes the Basic credentials as RFC 6749 2.3.1 says: a client id and secret with characters
 * that must be encoded (`:`, `%`, `+`, `/`, a space) and ones that need not be (`-`, `_`, `.`, `~`) are
 * accepted for the code exchange, the refresh and the revocation. (A provider that compares them
 * without decoding is in oauth2-json-token-requests.test.ts.)
 */
const CLIENT_ID = 'latchkey-test_client.v2~';
const CLIENT_SECRET = 'p@ss:word with space+plus%2F/=';
let as: TestAuthServer;
let api: FakeUpstream;
let app: LiveApp;
const refused: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({
    redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`],
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenEndpointAuthMethod: 'client_secret_basic',
    accessTokenTtl: 1,
  });
  as.provider.on('grant.error', (_ctx, error) => refused.push(`token: ${error.message}`));
  as.provider.on('revocation.error', (_ctx, error) => refused.push(`revocation: ${error.message}`));
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set());
  const toolkit = oauthToolkit(as, api);
  toolkit.auth_schemes[0]!.token_endpoint_auth = 'client_secret_basic';
  app = await startLiveApp({ port, toolkits: [toolkit] });
});
afterAll(async () => {
  await app.close();
  await api.close();
  await as.close();
});

describe('HTTP Basic client authentication', () => {
  it('is accepted by a server that form-decodes it: code exchange, refresh and revocation', async () => {
    const config = await app.api('/api/v3.1/auth_configs', {
      body: {
        toolkit: { slug: 'testoauth' },
        auth_config: { type: 'use_custom_auth', credentials: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } },
      },
    });
    const link = await app.api('/api/v3.1/connected_accounts/link', {
      body: { auth_config_id: config.body.auth_config.id, user_id: 'alice' },
    });
    await new FetchBrowser().follow(link.body.redirect_url);
    const id = link.body.connected_account_id;
    expect((await app.api(`/api/v3.1/connected_accounts/${id}`)).body.status).toBe('ACTIVE');

    // the access token lives one second: the next call finds it expired and refreshes first
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const me = await app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { body: { user_id: 'alice', arguments: {} } });
    expect(me.body).toMatchObject({ successful: true, data: { login: 'alice' } });
    // the background refresher may also have refreshed the one-second token: every call was accepted
    const grants = as.tokenCalls.map((c) => c.grant_type);
    expect(grants[0]).toBe('authorization_code');
    expect(grants).toContain('refresh_token');
    expect(grants.filter((g) => g.endsWith(':error'))).toEqual([]);

    expect((await app.api(`/api/v3.1/connected_accounts/${id}`, { method: 'DELETE' })).status).toBe(200);
    // the refresh token and the access token, each revoked (RFC 7009)
    await expect.poll(() => as.revocationCalls, { timeout: 10_000 }).toEqual([200, 200]);
    expect(refused).toEqual([]);
  });
});
