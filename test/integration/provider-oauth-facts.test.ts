import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectingFetch, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';

/**
 * The built-in HubSpot and Notion OAuth schemes as the providers document them (issue 20): HubSpot
 * takes PKCE and revokes at `/oauth/v3/token/revoke` (a form with the client's id and secret);
 * Notion takes its token request and its revocation at `/v1/oauth/revoke` as JSON with HTTP Basic.
 * Every provider host is routed to a local stand-in, which sees the real host in `x-original-host`.
 */
let upstream: FakeUpstream;
let app: LiveApp;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const tokens = (res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'at-provider-1', refresh_token: 'rt-provider-1', token_type: 'bearer', expires_in: 1800 }));
  };
  upstream.on('/oauth/v1/token', (_req, res) => tokens(res));
  upstream.on('/v1/oauth/token', (_req, res) => tokens(res));
  app = await startLiveApp({ fetch: redirectingFetch(upstream) });
});
afterAll(async () => {
  await app.close();
  await upstream.close();
});

const json = (path: string, method: string, body?: unknown) => app.api(path, { method, body });

/** A Connect Link run to the end: the provider's authorization URL it leaves for, then the callback with a code. */
async function connect(toolkit: string) {
  const config = await json('/api/v3.1/auth_configs', 'POST', {
    toolkit: { slug: toolkit },
    auth_config: { type: 'use_custom_auth', credentials: { client_id: `${toolkit}client`, client_secret: `${toolkit}secret123` } },
  });
  const link = await json('/api/v3.1/connected_accounts/link', 'POST', { auth_config_id: config.body.auth_config.id, user_id: 'u1' });
  const browser = new FetchBrowser();
  const authorization = new URL((await browser.follow(link.body.redirect_url)).leftTo!);
  const callback = new URL(authorization.searchParams.get('redirect_uri')!);
  callback.searchParams.set('code', 'code-1');
  callback.searchParams.set('state', authorization.searchParams.get('state')!);
  await browser.follow(callback.href);
  const account = await json(`/api/v3.1/connected_accounts/${link.body.connected_account_id}`, 'GET');
  expect(account.body.status).toBe('ACTIVE');
  return { authorization, accountId: link.body.connected_account_id as string };
}

describe('built-in OAuth facts', () => {
  it('HubSpot: PKCE S256 on the authorization, and revocation at /oauth/v3/token/revoke with a form', async () => {
    const { authorization, accountId } = await connect('hubspot');
    expect(authorization.host).toBe('app.hubspot.com');
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    const exchange = upstream.requests.find((r) => r.url === '/oauth/v1/token')!;
    expect(new URLSearchParams(exchange.body).get('code_verifier')).toMatch(/^[\w-]{43,}$/);

    expect((await json(`/api/v3.1/connected_accounts/${accountId}`, 'DELETE')).status).toBe(200);
    const revocations = upstream.requests.filter((r) => r.url === '/oauth/v3/token/revoke');
    expect(revocations.map((r) => r.headers['x-original-host'])).toEqual(['api.hubapi.com', 'api.hubapi.com']);
    expect(revocations.map((r) => Object.fromEntries(new URLSearchParams(r.body)))).toEqual([
      { token: 'rt-provider-1', client_id: 'hubspotclient', client_secret: 'hubspotsecret123' },
      { token: 'at-provider-1', client_id: 'hubspotclient', client_secret: 'hubspotsecret123' },
    ]);
  });

  it('Notion: the token request and the revocation at /v1/oauth/revoke are JSON with HTTP Basic', async () => {
    const basic = `Basic ${Buffer.from('notionclient:notionsecret123').toString('base64')}`;
    const { accountId } = await connect('notion');
    const exchange = upstream.requests.find((r) => r.url === '/v1/oauth/token')!;
    expect(exchange.headers['content-type']).toBe('application/json');
    expect(exchange.headers.authorization).toBe(basic);
    expect(JSON.parse(exchange.body)).toMatchObject({ grant_type: 'authorization_code', code: 'code-1' });

    expect((await json(`/api/v3.1/connected_accounts/${accountId}`, 'DELETE')).status).toBe(200);
    const revocations = upstream.requests.filter((r) => r.url === '/v1/oauth/revoke');
    expect(revocations.map((r) => r.headers['x-original-host'])).toEqual(['api.notion.com', 'api.notion.com']);
    expect(revocations.map((r) => [r.headers['content-type'], r.headers.authorization, JSON.parse(r.body)])).toEqual([
      ['application/json', basic, { token: 'rt-provider-1' }],
      ['application/json', basic, { token: 'at-provider-1' }],
    ]);
  });
});
