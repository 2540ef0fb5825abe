import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedAad, sealed } from '../../storage/schema.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { accessLogsWritten } from '../helpers/logs.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';

let as: TestAuthServer;
let api: FakeUpstream;
let app: LiveApp;
let authConfigId: string;
const CALLBACK = 'https://app.example.com/done?keep=1&tab=integrations';

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set());
  app = await startLiveApp({ port, toolkits: [oauthToolkit(as, api)] });
  const created = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug: 'testoauth' },
      auth_config: {
        type: 'use_custom_auth',
        authScheme: 'OAUTH2',
        credentials: { client_id: as.clientId, client_secret: as.clientSecret },
      },
    },
  });
  expect(created.status).toBe(201);
  authConfigId = created.body.auth_config.id;
});
afterAll(async () => {
  await app.close();
  await api.close();
  await as.close();
});

async function newLink(userId: string, callbackUrl: string | null = CALLBACK) {
  const res = await app.api('/api/v3.1/connected_accounts/link', {
    body: { auth_config_id: authConfigId, user_id: userId, callback_url: callbackUrl ?? undefined },
  });
  expect(res.status).toBe(201);
  return res.body as { link_token: string; redirect_url: string; connected_account_id: string; expires_at: string };
}

describe('connecting an OAuth2 account through a Connect Link', () => {
  let callbackSeen: string;

  it('goes link → provider (PKCE, state) → callback → ACTIVE, keeps the refresh token, and returns to the app with its query intact', async () => {
    as.decide.next = 'approve';
    as.decide.account = 'alice';
    const link = await newLink('alice');
    expect(link.redirect_url).toBe(`${app.url}/link/${link.link_token}`);
    expect(link.link_token).toMatch(/^ln_/);
    const pending = await app.api(`/api/v3.1/connected_accounts/${link.connected_account_id}`);
    expect(pending.body).toMatchObject({ status: 'INITIATED', user_id: 'alice' });

    const browser = new FetchBrowser();
    const { visited, leftTo } = await browser.follow(link.redirect_url);
    const authorize = new URL(visited[1]!);
    expect(authorize.origin).toBe(as.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toMatch(/.{20,}/);
    callbackSeen = visited.find((u) => u.includes('/api/v3/toolkits/auth/callback'))!;
    expect(new URL(callbackSeen).searchParams.get('code')).toBeTruthy();

    const back = new URL(leftTo!);
    expect(back.origin + back.pathname).toBe('https://app.example.com/done');
    expect(back.searchParams.get('keep')).toBe('1');
    expect(back.searchParams.get('tab')).toBe('integrations');
    expect(back.searchParams.get('status')).toBe('success');
    expect(back.searchParams.get('connected_account_id')).toBe(link.connected_account_id);

    const account = await app.api(`/api/v3.1/connected_accounts/${link.connected_account_id}`);
    expect(account.body).toMatchObject({ status: 'ACTIVE', user_id: 'alice', identity: 'alice', toolkit: { slug: 'testoauth' } });
    expect(account.body.state.val.access_token).toMatch(/^••••/);
    expect(JSON.stringify(account.body)).not.toMatch(/"refresh_token":"(?!••••)/);

    const row = await app.deps.db
      .selectFrom('connected_accounts')
      .selectAll()
      .where('id', '=', link.connected_account_id)
      .executeTakeFirstOrThrow();
    const credentials = app.deps.vault.openJson<Record<string, string>>(
      row.credentials_sealed!,
      sealedAad(sealed('connected_accounts', 'credentials_sealed'), row.id),
    );
    expect(credentials.refresh_token).toBeTruthy();
    expect(row.expires_at).toBeGreaterThan(Date.now());
    expect(as.tokenCalls.filter((c) => c.grant_type === 'authorization_code')).toHaveLength(1);

    const result = await app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { body: { user_id: 'alice', arguments: {} } });
    expect(result.body).toMatchObject({ successful: true, data: { login: 'alice' } });
  });

  it('refuses a replayed callback (state and code) and a reused link, with a clear page', async () => {
    const replay = await new FetchBrowser().request(callbackSeen);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/already used/);
    const visitedLink = new URL(callbackSeen);
    expect(visitedLink.searchParams.get('state')).toBeTruthy();
    const accounts = await app.api('/api/v3.1/connected_accounts?user_ids=alice&statuses=ACTIVE');
    expect(accounts.body.total_items).toBe(1);
  });

  it('refuses a link that was already used', async () => {
    const link = await newLink('erin');
    const browser = new FetchBrowser();
    await browser.follow(link.redirect_url);
    const again = await browser.request(link.redirect_url);
    expect(again.status).toBe(410);
    expect(await again.text()).toMatch(/already used/);
  });

  it('marks the account FAILED with the provider’s reason when the user denies consent, and tells the app', async () => {
    as.decide.next = 'deny';
    const link = await newLink('dave');
    const { leftTo } = await new FetchBrowser().follow(link.redirect_url);
    as.decide.next = 'approve';
    const back = new URL(leftTo!);
    expect(back.searchParams.get('status')).toBe('failed');
    expect(back.searchParams.get('connected_account_id')).toBe(link.connected_account_id);
    const account = await app.api(`/api/v3.1/connected_accounts/${link.connected_account_id}`);
    expect(account.body.status).toBe('FAILED');
    expect(account.body.status_reason).toMatch(/access_denied/);
  });

  it('expires a link after 10 minutes: the page refuses it and the account becomes EXPIRED', async () => {
    const link = await newLink('frank');
    app.clock.advance(10 * 60_000 + 1000);
    try {
      const page = await new FetchBrowser().request(link.redirect_url);
      expect(page.status).toBe(410);
      expect(await page.text()).toMatch(/expired/);
      const account = await app.api(`/api/v3.1/connected_accounts/${link.connected_account_id}`);
      expect(account.body).toMatchObject({ status: 'EXPIRED', status_reason: 'Connection initiation did not complete within 10 minutes' });
    } finally {
      app.clock.offset = 0;
    }
  });

  it('shows a success page when the link has no callback URL', async () => {
    const link = await newLink('gina', null);
    const { response, leftTo } = await new FetchBrowser().follow(link.redirect_url);
    expect(leftTo).toBeUndefined();
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/Test OAuth is connected.*return to the chat/s);
  });

  it("never lets one user's link create or change another user's account", async () => {
    const bobLink = await newLink('bob');
    const malloryLink = await newLink('mallory');
    // mallory starts her own flow, then tries to finish it in bob's browser session and vice versa
    const mallory = new FetchBrowser();
    as.decide.account = 'mallory';
    const started = await mallory.follow(malloryLink.redirect_url.replace(/$/, ''), {});
    as.decide.account = 'alice';
    const malloryCallback = started.visited.find((u) => u.includes('/auth/callback'))!;
    // bob's browser, which started bob's own link, presents mallory's callback: refused, nothing changes
    const bob = new FetchBrowser();
    const bobStart = await bob.start(bobLink.redirect_url);
    expect(bobStart.status).toBe(302);
    const crossed = await bob.request(malloryCallback);
    expect(crossed.status).toBe(400);
    const bobAccount = await app.api(`/api/v3.1/connected_accounts/${bobLink.connected_account_id}`);
    expect(bobAccount.body).toMatchObject({ status: 'INITIATED', user_id: 'bob' });
    const malloryAccount = await app.api(`/api/v3.1/connected_accounts/${malloryLink.connected_account_id}`);
    expect(malloryAccount.body).toMatchObject({ status: 'ACTIVE', user_id: 'mallory', identity: 'mallory' });
    // and mallory's account cannot be used as bob
    const asBob = await app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', {
      body: { user_id: 'bob', connected_account_id: malloryLink.connected_account_id, arguments: {} },
    });
    expect(asBob.status).toBe(404);
    const bobByUser = await app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { body: { user_id: 'bob', arguments: {} } });
    expect(bobByUser.status).toBe(400);
  });

  it('revokes at the provider on delete: the refresh token stops working', async () => {
    as.decide.account = 'henry';
    const link = await newLink('henry');
    await new FetchBrowser().follow(link.redirect_url);
    const row = await app.deps.db
      .selectFrom('connected_accounts')
      .selectAll()
      .where('id', '=', link.connected_account_id)
      .executeTakeFirstOrThrow();
    const { refresh_token } = app.deps.vault.openJson<Record<string, string>>(
      row.credentials_sealed!,
      sealedAad(sealed('connected_accounts', 'credentials_sealed'), row.id),
    );
    expect(await as.provider.RefreshToken.find(refresh_token!)).toBeTruthy();
    const deleted = await app.api(`/api/v3.1/connected_accounts/${link.connected_account_id}`, { method: 'DELETE' });
    expect(deleted.body).toEqual({ success: true });
    expect(await as.provider.RefreshToken.find(refresh_token!)).toBeFalsy();
    expect((await app.api(`/api/v3.1/connected_accounts/${link.connected_account_id}`)).status).toBe(404);
  });

  it('keeps secrets out of the logs', async () => {
    await accessLogsWritten();
    const logs = app.logs.join('\n');
    expect(logs).not.toContain(app.apiKey);
    expect(logs).not.toContain(as.clientSecret);
    expect(logs).not.toMatch(/ln_[A-Za-z0-9]{20}/);
    expect(logs).not.toMatch(/code=/);
  });
});
