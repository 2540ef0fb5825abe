import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { oauth1Toolkit, startOAuth1Server, type OAuth1Server } from '../fixtures/oauth1-server.ts';

let provider: OAuth1Server;
let app: LiveApp;

beforeAll(async () => {
  provider = await startOAuth1Server();
  app = await startLiveApp({ toolkits: [oauth1Toolkit(provider)] });
});
afterAll(async () => {
  await app.close();
  await provider.close();
});

describe('connecting an OAuth 1.0a account through a Connect Link', () => {
  it('gets a request token, sends the user to authorize, exchanges the verifier, and signs tool calls', async () => {
    const config = await app.api('/api/v3.1/auth_configs', {
      body: {
        toolkit: { slug: 'testoauthone' },
        auth_config: {
          type: 'use_custom_auth',
          credentials: { client_id: provider.consumer.key, client_secret: provider.consumer.secret },
        },
      },
    });
    expect(config.status).toBe(201);
    const link = await app.api('/api/v3.1/connected_accounts/link', {
      body: { auth_config_id: config.body.auth_config.id, user_id: 'tess', callback_url: 'https://app.example.com/cb?x=1' },
    });
    const { visited, leftTo } = await new FetchBrowser().follow(link.body.redirect_url);
    const authorize = new URL(visited[1]!);
    expect(authorize.pathname).toBe('/1/OAuthAuthorizeToken');
    expect(authorize.searchParams.get('name')).toBe('latchkey');
    expect(new URL(leftTo!).searchParams.get('status')).toBe('success');
    const account = await app.api(`/api/v3.1/connected_accounts/${link.body.connected_account_id}`);
    expect(account.body).toMatchObject({ status: 'ACTIVE', identity: 'trello-tess' });
    expect(account.body.state.val.oauth_token_secret).toMatch(/^••••/);

    const run = await app.api('/api/v3.1/tools/execute/TESTOAUTHONE_GET_ME', { body: { user_id: 'tess', arguments: { fields: 'all' } } });
    expect(run.body).toMatchObject({ successful: true, data: { username: 'trello-tess', path: '/api/members/me' } });
    expect(provider.rejected).toEqual([]);

    const replay = await new FetchBrowser().request(visited.find((u) => u.includes('/auth/callback'))!);
    expect(replay.status).toBe(400);
  });
});
