import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { approveAuthorizations, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';

/**
 * `access_token_path`: a provider that answers the user's token nested in its token response (Slack's
 * `authed_user.access_token` beside the bot token at the top), read where the toolkit says.
 */
let provider: FakeUpstream;
let app: LiveApp;

beforeAll(async () => {
  provider = await startFakeUpstream();
  approveAuthorizations(provider, 'code-123');
  provider.on('/token', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: 'xoxb-bot-token-111',
        token_type: 'bot',
        authed_user: { id: 'U1', access_token: 'xoxp-user-token-222', token_type: 'user' },
      }),
    );
  });
  provider.on('/api/me', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ authorization_was_user_token: req.headers.authorization === 'Bearer xoxp-user-token-222' }));
  });
  app = await startLiveApp({
    toolkits: [
      {
        slug: 'testnested',
        name: 'Test Nested',
        description: 'A provider that nests the user token in its token response',
        base_url: `${provider.url}/api`,
        auth_schemes: [
          {
            mode: 'OAUTH2',
            authorization_url: `${provider.url}/authorize`,
            token_url: `${provider.url}/token`,
            pkce: false,
            access_token_path: 'authed_user.access_token',
            inject: { headers: { Authorization: 'Bearer {{access_token}}' } },
          },
        ],
        tools: [
          {
            slug: 'TESTNESTED_ME',
            name: 'me',
            description: 'Returns whether the call carried the user token of the test provider.',
            tags: ['readOnlyHint'],
            input_parameters: { type: 'object', properties: {} },
            request: { method: 'GET', path: '/me' },
            source: { docs: 'https://docs.example.com/api' },
          },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await app.close();
  await provider.close();
});

describe('access_token_path', () => {
  it('takes the access token from the dot path of the token response', async () => {
    const config = await app.api('/api/v3.1/auth_configs', {
      body: {
        toolkit: { slug: 'testnested' },
        auth_config: { type: 'use_custom_auth', credentials: { client_id: 'cid', client_secret: 'csecret' } },
      },
    });
    expect(config.status).toBe(201);
    const link = await app.api('/api/v3.1/connected_accounts/link', {
      body: { auth_config_id: config.body.auth_config.id, user_id: 'nina' },
    });
    const { response } = await new FetchBrowser().follow(link.body.redirect_url);
    expect(response.status).toBe(200);
    const account = await app.api(`/api/v3.1/connected_accounts/${link.body.connected_account_id}`);
    expect(account.body.status).toBe('ACTIVE');
    const result = await app.api('/api/v3.1/tools/execute/TESTNESTED_ME', { body: { user_id: 'nina', arguments: {} } });
    expect(result.body.data).toEqual({ authorization_was_user_token: true });
  });
});
