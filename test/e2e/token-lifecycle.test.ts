import { Composio, ConnectionExpiredEventSchema } from '@composio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedAad, sealed } from '../../storage/schema.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { webhookReceiver } from '../fixtures/webhook-receiver.ts';
import { until } from '../helpers/wait.ts';

let as: TestAuthServer;
let api: FakeUpstream;
let app: LiveApp;
let receiver: ReturnType<typeof webhookReceiver>;
let secret: string;
let authConfigId: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`], accessTokenTtl: 2 });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set());
  receiver = webhookReceiver(api);
  app = await startLiveApp({
    port,
    toolkits: [oauthToolkit(as, api)],
    env: { LATCHKEY_REFRESH_MARGIN_MS: '800', LATCHKEY_REFRESH_INTERVAL_MS: '200', LATCHKEY_WEBHOOK_INTERVAL_MS: '100' },
  });
  const sub = await app.api('/api/v3.1/webhook_subscriptions', {
    body: {
      webhook_url: receiver.url,
      enabled_events: ['composio.connected_account.expired', 'composio.connected_account.active', 'composio.connected_account.failed'],
    },
  });
  expect(sub.status).toBe(201);
  secret = sub.body.secret;
  const config = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    },
  });
  authConfigId = config.body.auth_config.id;
});
afterAll(async () => {
  await app.close();
  await api.close();
  await as.close();
});

async function connect(user: string) {
  as.decide.account = user;
  const link = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: authConfigId, user_id: user } });
  await new FetchBrowser().follow(link.body.redirect_url);
  return link.body.connected_account_id as string;
}

const refreshTokenOf = async (id: string) => {
  const row = await app.deps.db.selectFrom('connected_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return app.deps.vault.openJson<Record<string, string>>(
    row.credentials_sealed!,
    sealedAad(sealed('connected_accounts', 'credentials_sealed'), id),
  ).refresh_token!;
};

describe('the token lifecycle against a real OAuth server (2 s access tokens, rotating refresh tokens)', () => {
  let accountId: string;

  it('keeps an account usable across many expiries, rotating its refresh token each time', async () => {
    accountId = await connect('lena');
    const start = Date.now();
    let calls = 0;
    while (Date.now() - start < 7_000) {
      const result = await app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { body: { user_id: 'lena', arguments: {} } });
      expect(result.body, `call ${calls}`).toMatchObject({ successful: true, data: { login: 'lena' } });
      calls += 1;
      await sleep(300);
    }
    const refreshes = as.tokenCalls.filter((c) => c.grant_type === 'refresh_token');
    expect(refreshes.length).toBeGreaterThanOrEqual(3);
    expect(as.tokenCalls.filter((c) => c.grant_type.endsWith(':error'))).toEqual([]);
    // every refresh presented a refresh token never presented before: no reuse of a rotated one
    const presented = refreshes.map((c) => c.refresh_token);
    expect(new Set(presented).size).toBe(presented.length);
    const account = await app.api(`/api/v3.1/connected_accounts/${accountId}`);
    expect(account.body.status).toBe('ACTIVE');
  });

  it('turns the account EXPIRED with the reason once the grant is revoked, and fires a webhook the SDK verifies', async () => {
    await as.revokeGrantOf(await refreshTokenOf(accountId));
    const expired = await until('EXPIRED', async () => {
      const account = await app.api(`/api/v3.1/connected_accounts/${accountId}`);
      return account.body.status === 'EXPIRED' && account.body;
    });
    expect(expired.status_reason).toMatch(/^Permanent auth error during token refresh \(invalid_grant\)/);
    const hook = await until('expired webhook', async () =>
      receiver.state.received.find((r) => r.type === 'composio.connected_account.expired' && r.accountId === accountId),
    );
    const composio = new Composio({ apiKey: app.apiKey, baseURL: app.url, allowTracking: false, disableVersionCheck: true });
    const verified = await composio.triggers.verifyWebhook({
      payload: hook.body,
      signature: hook.signature,
      secret,
      id: hook.id,
      timestamp: hook.timestamp,
    });
    expect(verified.version).toBe('V3');
    const event = ConnectionExpiredEventSchema.parse(JSON.parse(hook.body));
    expect(event.data).toMatchObject({ id: accountId, status: 'EXPIRED', user_id: 'lena' });
    expect(event.metadata).toMatchObject({ project_id: app.deps.installationId });
    await expect(
      composio.triggers.verifyWebhook({
        payload: hook.body.replace('lena', 'mike'),
        signature: hook.signature,
        secret,
        id: hook.id,
        timestamp: hook.timestamp,
      }),
    ).rejects.toThrow();
    // the activation of this account was announced first
    const mine = receiver.state.received.filter((r) => r.accountId === accountId).map((r) => r.type);
    expect(mine).toEqual(['composio.connected_account.active', 'composio.connected_account.expired']);
  });

  it('keeps the account EXPIRED, with its reason, while the agent holds a reconnect link; completing it brings the same id back', async () => {
    const id = await connect('kira');
    const session = await app.api('/api/v3.1/tool_router/session', {
      body: { user_id: 'kira', toolkits: ['testoauth'], auth_configs: { testoauth: authConfigId } },
    });
    const execute = () =>
      app.api(`/api/v3.1/tool_router/session/${session.body.session_id}/execute`, {
        body: { tool_slug: 'TESTOAUTH_GET_ME', arguments: {} },
      });
    expect((await execute()).body).toMatchObject({ error: null, data: { login: 'kira' } });
    // the provider revokes the grant; the agent keeps calling until a call meets the dead grant
    await as.revokeGrantOf(await refreshTokenOf(id));
    const run = await until('a reconnect link', async () => {
      const answer = await execute();
      return answer.body.data?.connected === false && answer;
    });
    expect(run.body.data.connected_account_id).toBe(id);
    expect(run.body.data.redirect_url).toMatch(/\/link\/ln_/);
    // the app still sees the account as EXPIRED, with the reason, after the agent got its link
    const listed = await app.api(`/api/v3.1/connected_accounts?user_ids=kira&statuses=EXPIRED`);
    expect(listed.body.items.map((a: any) => a.id)).toEqual([id]);
    expect(listed.body.items[0].status_reason).toMatch(/^Permanent auth error during token refresh \(invalid_grant\)/);
    await until('expired webhook', async () =>
      receiver.state.received.some((r) => r.type === 'composio.connected_account.expired' && r.accountId === id),
    );
    // a retry gets the same link, and no new account appears
    expect((await execute()).body.data.redirect_url).toBe(run.body.data.redirect_url);
    expect((await app.api(`/api/v3.1/connected_accounts?user_ids=kira`)).body.items.map((a: any) => [a.id, a.status])).toEqual([
      [id, 'EXPIRED'],
    ]);
    as.decide.account = 'kira';
    await new FetchBrowser().follow(run.body.data.redirect_url);
    expect((await app.api(`/api/v3.1/connected_accounts/${id}`)).body).toMatchObject({ status: 'ACTIVE', status_reason: null });
    expect((await execute()).body).toMatchObject({ error: null, data: { login: 'kira' } });
  });

  it('delivers every event to a receiver that was down, once it is back, in order per account', async () => {
    receiver.state.down = true;
    const before = receiver.state.received.length;
    const ids = [await connect('nora'), await connect('omar')];
    await as.revokeGrantOf(await refreshTokenOf(ids[0]!));
    await until('nora expired', async () => (await app.api(`/api/v3.1/connected_accounts/${ids[0]}`)).body.status === 'EXPIRED');
    await until('refused deliveries', async () => receiver.state.refused >= 2);
    receiver.state.down = false;
    const countFor = (id: string) => receiver.state.received.filter((r) => r.accountId === id).length;
    await until('all delivered', async () => countFor(ids[0]!) >= 2 && countFor(ids[1]!) >= 1, 30_000);
    expect(receiver.state.received.length).toBeGreaterThan(before);
    const nora = receiver.state.received.filter((r) => r.accountId === ids[0]);
    expect(nora.map((r) => r.type)).toEqual(['composio.connected_account.active', 'composio.connected_account.expired']);
    expect(Number(nora[0]!.attempt)).toBeGreaterThan(1);
    expect(receiver.state.received.filter((r) => r.accountId === ids[1]).map((r) => r.type)).toEqual(['composio.connected_account.active']);
    // a stable webhook-id per event across retries, and no duplicates once delivered
    expect(new Set(receiver.state.received.map((r) => r.id)).size).toBe(receiver.state.received.length);
  });
});
