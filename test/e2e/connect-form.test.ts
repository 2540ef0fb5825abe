import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { apiKeyToolkit, oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';

let as: TestAuthServer;
let api: FakeUpstream;
let app: LiveApp;
let browser: Browser;
let keyConfigId: string;
let oauthConfigId: string;
let tenantConfigId: string;
const validKeys = new Set(['key-alpha-123456', 'key-bravo-654321']);

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  api = await startFakeUpstream();
  serveTestApis(api, as, validKeys);
  // a 1x1 PNG as the configured logo, served from another origin than latchkey's
  api.on('/logo.png', (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
  });
  const base = oauthToolkit(as, api);
  const tenantOAuth = {
    ...base,
    slug: 'testtenant',
    name: 'Test Tenant',
    connection_fields: [{ name: 'tenant', display_name: 'Tenant', required: true }],
    tools: base.tools.map((t) => ({ ...t, slug: t.slug.replace('TESTOAUTH_', 'TESTTENANT_') })),
  };
  app = await startLiveApp({
    port,
    toolkits: [apiKeyToolkit(api), oauthToolkit(as, api), tenantOAuth],
    env: { LATCHKEY_APP_TITLE: 'Acme <Assistant>', LATCHKEY_LOGO_URL: `${api.url}/logo.png` },
  });
  const key = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
  expect(key.status).toBe(201);
  keyConfigId = key.body.auth_config.id;
  const oauth = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    },
  });
  oauthConfigId = oauth.body.auth_config.id;
  const tenant = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug: 'testtenant' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    },
  });
  tenantConfigId = tenant.body.auth_config.id;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app.close();
  await api.close();
  await as.close();
});

async function link(userId: string, authConfigId = keyConfigId, callbackUrl?: string) {
  const res = await app.api('/api/v3.1/connected_accounts/link', {
    body: { auth_config_id: authConfigId, user_id: userId, callback_url: callbackUrl },
  });
  expect(res.status).toBe(201);
  return res.body as { redirect_url: string; connected_account_id: string };
}

/** Chromium reports each Content-Security-Policy violation on the console ("Refused to …"). */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

describe('the hosted form for API-key toolkits', () => {
  it('connects an account in a real browser: form rendered from the scheme, escaped branding, identity fetched', async () => {
    const { redirect_url, connected_account_id } = await link('carol', keyConfigId, 'http://127.0.0.1:9/never-fetched?from=app');
    const page = await browser.newPage();
    const violations = cspViolations(page);
    let landed = '';
    await page.route('http://127.0.0.1:9/**', (route) => {
      landed = route.request().url();
      return route.fulfill({ status: 200, body: 'back in the app' });
    });
    await page.goto(redirect_url);
    expect(await page.title()).toBe('Connect Test Key · Acme <Assistant>');
    expect(await page.locator('.brand span').textContent()).toBe('Acme <Assistant>');
    expect(await page.locator('input[name=api_key]').getAttribute('type')).toBe('password');
    await page.fill('input[name=region]', 'eu');
    await page.fill('input[name=api_key]', 'key-alpha-123456');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.href.startsWith('http://127.0.0.1:9/'));
    await page.close();
    expect(violations).toEqual([]);
    const back = new URL(landed);
    expect(back.searchParams.get('from')).toBe('app');
    expect(back.searchParams.get('status')).toBe('success');
    expect(back.searchParams.get('connected_account_id')).toBe(connected_account_id);

    const account = await app.api(`/api/v3.1/connected_accounts/${connected_account_id}`);
    expect(account.body).toMatchObject({ status: 'ACTIVE', user_id: 'carol', identity: 'key-al@example.com' });
    expect(account.body.state.val).toMatchObject({ region: 'eu', api_key: '••••3456' });
    const run = await app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'carol', arguments: {} } });
    expect(run.body).toMatchObject({ successful: true, data: { account: { region: 'eu' } } });
  });

  it('connects an OAuth account in a real browser too', async () => {
    const { redirect_url, connected_account_id } = await link('olga', oauthConfigId);
    as.decide.account = 'olga';
    const page = await browser.newPage();
    const violations = cspViolations(page);
    await page.goto(redirect_url);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname === '/api/v3/toolkits/auth/callback');
    expect(await page.locator('h1').textContent()).toBe('Test OAuth is connected');
    await page.close();
    expect(violations).toEqual([]);
    expect((await app.api(`/api/v3.1/connected_accounts/${connected_account_id}`)).body).toMatchObject({
      status: 'ACTIVE',
      identity: 'olga',
    });
  });

  it('says for whom before anyone goes to the provider: the app, the user (escaped) and the toolkit, then Continue leads there', async () => {
    const owner = 'rex<script>document.title="owned"</script>';
    const { redirect_url, connected_account_id } = await link(owner, oauthConfigId);
    as.decide.account = 'rex';
    const page = await browser.newPage();
    const violations = cspViolations(page);
    const dialogs: string[] = [];
    page.on('dialog', (d) => void dialogs.push(d.message()));
    await page.goto(redirect_url);
    // nothing was sent to the provider yet: the page waits for the person
    expect(new URL(page.url()).pathname).toBe(new URL(redirect_url).pathname);
    expect(await page.locator('h1').textContent()).toBe('Acme <Assistant> wants to connect your Test OAuth account');
    expect(await page.locator('p.who').textContent()).toContain(owner);
    expect(await page.locator('p.who strong').textContent()).toBe(owner);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.title()).not.toBe('owned');
    expect(await page.locator('button[type=submit]').textContent()).toBe('Continue');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname === '/api/v3/toolkits/auth/callback');
    expect(await page.locator('h1').textContent()).toBe('Test OAuth is connected');
    await page.close();
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
    expect((await app.api(`/api/v3.1/connected_accounts/${connected_account_id}`)).body).toMatchObject({
      status: 'ACTIVE',
      user_id: owner,
    });
  });

  it('names the user above a credentials form too', async () => {
    const { redirect_url } = await link('sam', keyConfigId);
    const page = await browser.newPage();
    await page.goto(redirect_url);
    expect(await page.locator('h1').textContent()).toBe('Acme <Assistant> wants to connect your Test Key account');
    expect(await page.locator('p.who').textContent()).toMatch(/^For the user sam\. If that is not you/);
    expect(await page.locator('button[type=submit]').textContent()).toBe('Connect');
    await page.close();
  });

  it('serves every hosted page under a strict CSP that still lets it render styled, with its logo, and submit', async () => {
    const { redirect_url } = await link('pia', keyConfigId, 'http://127.0.0.1:9/back');
    const res = await fetch(redirect_url);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(csp).toContain(`img-src ${api.url};`);
    expect(csp).toContain("form-action 'self' http://127.0.0.1:9;");
    expect(csp).toContain("frame-ancestors 'none'");
    const missing = await fetch(`${app.url}/link/ln_nosuchlink`);
    expect(missing.headers.get('content-security-policy')).toContain("form-action 'self';");

    const page = await browser.newPage();
    const violations = cspViolations(page);
    await page.goto(redirect_url);
    // styled by the hashed inline style sheet, logo loaded from its own origin
    expect(await page.locator('button').evaluate((b) => (globalThis as any).getComputedStyle(b).backgroundColor)).toBe('rgb(47, 91, 234)');
    expect(await page.locator('.brand img').evaluate((img: any) => img.complete && img.naturalWidth)).toBe(1);
    await page.goto(`${app.url}/link/ln_nosuchlink`);
    expect(await page.locator('main').evaluate((m) => (globalThis as any).getComputedStyle(m).borderRadius)).toBe('12px');
    await page.close();
    expect(violations).toEqual([]);
  });

  it('lets a form for an OAuth toolkit with a connection field redirect on to the provider (form-action names it)', async () => {
    const { redirect_url, connected_account_id } = await link('quinn', tenantConfigId);
    as.decide.account = 'quinn';
    const page = await browser.newPage();
    const violations = cspViolations(page);
    const first = await page.goto(redirect_url);
    expect(await first!.headerValue('content-security-policy')).toContain(
      `form-action 'self' ${as.issuer.replace(/^(https?:\/\/[^/]+).*$/, '$1')};`,
    );
    await page.fill('input[name=tenant]', 'north');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname === '/api/v3/toolkits/auth/callback');
    expect(await page.locator('h1').textContent()).toBe('Test Tenant is connected');
    await page.close();
    expect(violations).toEqual([]);
    expect((await app.api(`/api/v3.1/connected_accounts/${connected_account_id}`)).body).toMatchObject({
      status: 'ACTIVE',
      identity: 'quinn',
    });
  });

  it('re-shows the form with a message for a missing field, and accepts the corrected one once', async () => {
    const { redirect_url, connected_account_id } = await link('dora');
    const b = new FetchBrowser();
    const form = await (await b.request(redirect_url)).text();
    const csrf = form.match(/name="csrf_token" value="([^"]+)"/)![1]!;
    const origin = new URL(redirect_url).origin;
    const post = (fields: Record<string, string>) =>
      b.request(redirect_url, {
        method: 'POST',
        body: new URLSearchParams({ csrf_token: csrf, ...fields }),
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      });
    const missing = await post({ region: 'us' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/API key is required/);
    const ok = await post({ region: 'us', api_key: 'key-bravo-654321' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/Test Key is connected/);
    const replay = await post({ region: 'us', api_key: 'key-alpha-123456' });
    expect(replay.status).toBe(410);
    const account = await app.api(`/api/v3.1/connected_accounts/${connected_account_id}`);
    expect(account.body.state.val.api_key).toBe('••••4321');
  });

  it('refuses a form post without the CSRF token or from another origin', async () => {
    const { redirect_url, connected_account_id } = await link('eve');
    const b = new FetchBrowser();
    const form = await (await b.request(redirect_url)).text();
    const csrf = form.match(/name="csrf_token" value="([^"]+)"/)![1]!;
    const body = (token: string) => new URLSearchParams({ csrf_token: token, region: 'eu', api_key: 'key-alpha-123456' });
    const type = { 'content-type': 'application/x-www-form-urlencoded' };
    const foreign = await b.request(redirect_url, {
      method: 'POST',
      body: body(csrf),
      headers: { ...type, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const noToken = await b.request(redirect_url, {
      method: 'POST',
      body: body('forged'),
      headers: { ...type, origin: new URL(redirect_url).origin },
    });
    expect(noToken.status).toBe(403);
    const cookieless = await fetch(redirect_url, {
      method: 'POST',
      body: body(csrf),
      headers: { ...type, origin: new URL(redirect_url).origin },
    });
    expect(cookieless.status).toBe(403);
    expect((await app.api(`/api/v3.1/connected_accounts/${connected_account_id}`)).body.status).toBe('INITIATED');
  });

  it('makes an account ACTIVE at once when the app gives the key, and can check it with the provider first', async () => {
    const initiate = (key: string, validate: boolean) =>
      app.api('/api/v3.1/connected_accounts', {
        body: {
          auth_config: { id: keyConfigId },
          connection: { user_id: 'frank', state: { authScheme: 'API_KEY', val: { api_key: key, region: 'us' } } },
          validate_credentials: validate,
        },
      });
    const rejected = await initiate('key-wrong-000000', true);
    expect(rejected.status).toBe(400);
    expect(rejected.body.error.slug).toBe('ConnectedAccount_CredentialsRejected');
    const accepted = await initiate('key-alpha-123456', true);
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ status: 'ACTIVE', redirect_url: null });
    const list = await app.api('/api/v3.1/connected_accounts?user_ids=frank&statuses=ACTIVE');
    expect(list.body.items.map((i: any) => i.id)).toEqual([accepted.body.id]);
    const oauthInitiate = await app.api('/api/v3.1/connected_accounts', {
      body: { auth_config: { id: oauthConfigId }, connection: { user_id: 'frank' } },
    });
    expect(oauthInitiate.body).toMatchObject({ status: 'INITIATED' });
    expect(oauthInitiate.body.redirect_url).toMatch(/\/link\/ln_/);
  });
});
