import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { apiKeysRepo } from '../../storage/repos/api-keys.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { activeAccount, signedInPage, startConsoleBed, type ConsoleBed } from '../helpers/console.ts';

let bed: ConsoleBed;
let browser: Browser;
let accountId: string;

beforeAll(async () => {
  bed = await startConsoleBed({ LATCHKEY_CONSOLE_IDLE_MS: '60000' });
  accountId = await activeAccount(bed, 'csrf-user');
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${bed.app.url}${path}`, { redirect: 'manual', headers });
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${bed.app.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });

const CONSOLE_GETS = [
  '/console',
  '/console/users?q=csrf',
  '/console/users/csrf-user',
  '/console/accounts?status=ACTIVE',
  '/console/auth-configs',
  '/console/auth-configs/new?toolkit=testkey',
  '/console/toolkits',
  '/console/toolkits/testkey',
  '/console/tools/TESTKEY_WHOAMI',
  '/console/webhooks',
  '/console/no-such-page',
];

/** The session cookie and a form token of a browser signed in on the real form. */
async function signIn(): Promise<{ cookie: string; token: string }> {
  const page = await signedInPage(browser, bed.app, '/console/users/csrf-user');
  const token = await page.getAttribute('input[name=csrf_token]', 'value');
  const session = (await page.context().cookies()).find((c) => c.name === 'lk_console')!;
  await page.context().close();
  return { cookie: `lk_console=${session.value}`, token: token! };
}

const accountDisabled = async () => (await bed.app.api(`/api/v3.1/connected_accounts/${accountId}`)).body.is_disabled;

describe('console access', () => {
  it('sends / to the console', async () => {
    const res = await get('/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
  });

  it('redirects every console URL to sign-in (303) with the way back when there is no sign-in', async () => {
    for (const path of CONSOLE_GETS) {
      const res = await get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe(`/console/login?next=${encodeURIComponent(path)}`);
    }
    for (const path of [`/console/accounts/${accountId}/disable`, '/console/auth-configs', '/console/logout']) {
      const res = await post(path, { csrf_token: 'x' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe('/console/login');
    }
    // a cookie the server never issued is no sign-in either
    expect((await get('/console', { cookie: 'lk_console=lkc_forged' })).status).toBe(303);
    expect(await accountDisabled()).toBe(false);
  });

  it('serves its pages with the strict policy: no script, no framing, not cached', async () => {
    const res = await get('/console/login');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sets the sign-in cookie HttpOnly, SameSite=Strict, on /console only, holding no API key', async () => {
    const page = await signedInPage(browser, bed.app);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'lk_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console', secure: false });
    expect(cookie.value).not.toContain(bed.app.apiKey);
    expect(cookie.value).not.toContain(bed.app.apiKey.slice(3));
    // and the database keeps only its hash
    const row = await bed.app.deps.db.selectFrom('console_sessions').selectAll().execute();
    expect(JSON.stringify(row)).not.toContain(cookie.value);
    await page.context().close();
  });

  it('refuses a wrong API key on the sign-in form, slowly', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${bed.app.url}/console/login`);
    await page.fill('#api_key', 'ak_wrongwrongwrongwrong');
    const started = Date.now();
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(response!.status()).toBe(401);
    expect(await page.textContent('[role=alert]')).toContain('not valid');
    expect((await page.context().cookies()).find((c) => c.name === 'lk_console')).toBeUndefined();
    await page.context().close();
  });

  it('refuses a POST without the form token, with a wrong one, and from a foreign Origin', async () => {
    const { cookie, token } = await signIn();
    const path = `/console/accounts/${accountId}/disable`;
    for (const [form, headers] of [
      [{}, {}],
      // one character in the middle changed (the last base64url character may carry unused bits)
      [{ csrf_token: `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}` }, {}],
      [{ csrf_token: token }, { origin: 'http://evil.example' }],
    ] as const) {
      const res = await post(path, form, { cookie, ...headers });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Request refused');
    }
    expect(await accountDisabled()).toBe(false);
    // the same request with the token and our own Origin goes through
    const ok = await post(path, { csrf_token: token }, { cookie, origin: bed.app.url });
    expect(ok.status).toBe(303);
    expect(await accountDisabled()).toBe(true);
    await post(`/console/accounts/${accountId}/enable`, { csrf_token: token }, { cookie, origin: bed.app.url });
  });

  it('ends the sign-ins of a revoked API key', async () => {
    const { id, key } = await createApiKey(bed.app.deps, 'second');
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${bed.app.url}/console/login`);
    await page.fill('#api_key', key);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(new URL(page.url()).pathname).toBe('/console');
    await apiKeysRepo(bed.app.deps.db).revoke(id, Date.now());
    await page.goto(`${bed.app.url}/console/webhooks`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await page.context().close();
  });

  it('sends sign-in back only to a console path', async () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/console/',
      '/console/../api/v3/auth_configs',
      '/api/v3/auth_configs',
      // percent-encoded dot segments, which the browser resolves as `..`
      '/console/%2e%2e/api/v3/toolkits',
      '/console/%2E%2e/%2e%2e//evil.example',
    ]) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${bed.app.url}/console/login?next=${encodeURIComponent(next)}`);
      await page.fill('#api_key', bed.app.apiKey);
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(page.url(), next).toBe(`${bed.app.url}/console`);
      await page.context().close();
    }
  });

  it('refuses a sign-in form without its token', async () => {
    const res = await post('/console/login', { api_key: bed.app.apiKey });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie') ?? '').not.toContain('lk_console=lkc');
  });

  it('ends the sign-in on sign-out: the old cookie no longer opens a page', async () => {
    const page = await signedInPage(browser, bed.app);
    const session = (await page.context().cookies()).find((c) => c.name === 'lk_console')!;
    const cookie = `lk_console=${session.value}`;
    expect((await get('/console', { cookie })).status).toBe(200);
    await Promise.all([page.waitForNavigation(), page.click('header button[type=submit]')]);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    const after = await get('/console', { cookie });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console/login?next=%2Fconsole');
    await page.context().close();
  });

  it('ends a sign-in left idle past LATCHKEY_CONSOLE_IDLE_MS, and keeps one in use', async () => {
    const { cookie } = await signIn();
    bed.app.clock.advance(45_000);
    expect((await get('/console', { cookie })).status).toBe(200); // activity within the idle time
    bed.app.clock.advance(45_000);
    expect((await get('/console', { cookie })).status).toBe(200); // 90 s after sign-in, 45 s idle
    bed.app.clock.advance(61_000);
    const res = await get('/console', { cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login?next=%2Fconsole');
  });
});
