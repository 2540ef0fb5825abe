import { Composio } from '@composio/core';
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
let authConfigId: string;

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set());
  app = await startLiveApp({ port, toolkits: [oauthToolkit(as, api)] });
  composio = new Composio({ apiKey: app.apiKey, baseURL: app.url, allowTracking: false, disableVersionCheck: true });
  const config = await composio.authConfigs.create('testoauth', {
    type: 'use_custom_auth',
    authScheme: 'OAUTH2',
    credentials: { client_id: as.clientId, client_secret: as.clientSecret },
  });
  authConfigId = config.id;
});
afterAll(async () => {
  await app.close();
  await api.close();
  await as.close();
});

describe("@composio/core's Connect Link flow against latchkey", () => {
  it('waitForConnection returns the account once the user completes the link', async () => {
    as.decide.next = 'approve';
    as.decide.account = 'sdk-user';
    const request = await composio.connectedAccounts.link('sdk-user', authConfigId, { callbackUrl: 'https://app.example.com/back' });
    expect(request.id).toMatch(/^ca_/);
    expect(request.redirectUrl).toMatch(/\/link\/ln_/);
    const waiting = request.waitForConnection(20_000);
    setTimeout(() => void new FetchBrowser().follow(request.redirectUrl!), 1200);
    const account = await waiting;
    expect(account.id).toBe(request.id);
    expect(account.status).toBe('ACTIVE');
  });

  it('refuses a second link for a user who is already connected, unless allowMultiple', async () => {
    await expect(composio.connectedAccounts.link('sdk-user', authConfigId)).rejects.toThrow(/multiple|already/i);
    const second = await composio.connectedAccounts.link('sdk-user', authConfigId, { allowMultiple: true });
    expect(second.id).toMatch(/^ca_/);
  });

  it('waitForConnection fails fast when the connection ends FAILED', async () => {
    as.decide.next = 'deny';
    const request = await composio.connectedAccounts.link('sdk-denied', authConfigId);
    await new FetchBrowser().follow(request.redirectUrl!);
    as.decide.next = 'approve';
    const started = Date.now();
    await expect(request.waitForConnection(30_000)).rejects.toThrow(/access_denied|failed/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
