import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { activeAccount, seriousA11yViolations, signedInPage, startConsoleBed, VALID_KEY, type ConsoleBed } from '../helpers/console.ts';

const CLIENT_SECRET = 'cs-console-very-secret-4242';

let bed: ConsoleBed;
let browser: Browser;
let page: Page;
let activeId: string;
let expiredId: string;

beforeAll(async () => {
  bed = await startConsoleBed();
  // a user made through the REST API: one account abandoned (EXPIRED after the link's 10 minutes), one ACTIVE
  const link = await bed.app.api('/api/v3.1/connected_accounts/link', {
    body: { auth_config_id: bed.keyConfigId, user_id: 'acme-user-7' },
  });
  expiredId = link.body.connected_account_id;
  bed.app.clock.advance(11 * 60_000);
  activeId = await activeAccount(bed, 'acme-user-7');
  await activeAccount(bed, 'other-user');
  browser = await launchChromium();
  page = await signedInPage(browser, bed.app, '/console/users', { bypassCSP: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

const rowOf = (id: string) => page.locator(`tr[data-account="${id}"]`);
const submit = async (click: () => Promise<void>) => {
  await Promise.all([page.waitForNavigation(), click()]);
};

describe('console pages', () => {
  it('returns to the page asked for after sign-in', () => {
    expect(new URL(page.url()).pathname).toBe('/console/users');
  });

  it('finds a user made through the API by prefix and shows their accounts with the statuses the API has', async () => {
    await page.fill('#q', 'acme-');
    await submit(() => page.click('form[role=search] button'));
    expect(await page.locator('main li').allTextContents()).toEqual(['acme-user-7']);
    await submit(() => page.click('main li a'));
    expect(await rowOf(activeId).locator('.status').first().textContent()).toBe('ACTIVE');
    expect(await rowOf(expiredId).locator('.status').first().textContent()).toBe('EXPIRED');
    expect(await page.locator('tr[data-account]').count()).toBe(2);
    for (const id of [activeId, expiredId]) {
      const rest = await bed.app.api(`/api/v3.1/connected_accounts/${id}`);
      expect(await rowOf(id).locator('.status').first().textContent()).toBe(rest.body.status);
    }
  });

  it('disables an account, and the REST API then shows it disabled', async () => {
    await page.goto(`${bed.app.url}/console/users/acme-user-7`);
    await submit(() => rowOf(activeId).locator('button', { hasText: 'Disable' }).click());
    const rest = await bed.app.api(`/api/v3.1/connected_accounts/${activeId}`);
    expect(rest.body.is_disabled).toBe(true);
    expect(await rowOf(activeId).textContent()).toContain('DISABLED');
    await submit(() => rowOf(activeId).locator('button', { hasText: 'Enable' }).click());
    expect((await bed.app.api(`/api/v3.1/connected_accounts/${activeId}`)).body.is_disabled).toBe(false);
  });

  it('filters connected accounts by status', async () => {
    await page.goto(`${bed.app.url}/console/accounts`);
    await page.selectOption('#status', 'EXPIRED');
    await submit(() => page.click('form.filters button'));
    expect(await page.locator('tr[data-account]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account')))).toEqual([
      expiredId,
    ]);
  });

  it('creates an auth config with the scheme fields (then visible through REST), and never shows its secret again', async () => {
    await page.goto(`${bed.app.url}/console/auth-configs`);
    await page.selectOption('#toolkit', 'testoauthcfg');
    await submit(() => page.click('form.filters button'));
    await page.fill('#name', 'Console made');
    await page.fill('#client_id', 'console-client');
    await page.fill('#client_secret', CLIENT_SECRET);
    await submit(() => page.click('main button[type=submit]'));
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const rest = await bed.app.api(`/api/v3.1/auth_configs/${id}`);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ name: 'Console made', toolkit: { slug: 'testoauthcfg' } });
    expect(JSON.stringify(rest.body)).toContain('console-client');
    expect(await page.content()).not.toContain(CLIENT_SECRET);
    expect(await page.inputValue('#client_secret')).toBe('');
    // saved with the secret left empty: the stored one stays
    await page.fill('#name', 'Console renamed');
    await submit(() => page.click('main form:not(.inline) button[type=submit]'));
    const after = await bed.app.api(`/api/v3.1/auth_configs/${id}`);
    expect(after.body.name).toBe('Console renamed');
    expect(JSON.stringify(after.body)).toContain(CLIENT_SECRET.slice(-4));
    for (const path of ['/console/auth-configs', `/console/auth-configs/${id}`, `/console/accounts?auth_config=${id}`]) {
      await page.goto(`${bed.app.url}${path}`);
      expect(await page.content(), path).not.toContain(CLIENT_SECRET);
    }
  });

  it('makes a reconnect link for an account and deletes one after a confirm step', async () => {
    await page.goto(`${bed.app.url}/console/users/acme-user-7`);
    await submit(() => rowOf(expiredId).locator('button', { hasText: 'Reconnect link' }).click());
    const link = await page.textContent('.notice code');
    expect(link).toMatch(new RegExp(`^${bed.app.url}/link/`));
    expect((await fetch(link!)).status).toBe(200);
    await page.goto(`${bed.app.url}/console/users/acme-user-7`);
    await submit(() => rowOf(expiredId).locator('a', { hasText: 'Delete' }).click());
    expect((await bed.app.api(`/api/v3.1/connected_accounts/${expiredId}`)).status).toBe(200);
    await submit(() => page.click('main button.danger'));
    expect((await bed.app.api(`/api/v3.1/connected_accounts/${expiredId}`)).status).toBe(404);
    expect(await page.locator('tr[data-account]').count()).toBe(1);
  });

  it('shows a service refusal as a page, not a 500', async () => {
    const res = await page.goto(`${bed.app.url}/console/auth-configs/ac_missing`);
    expect(res!.status()).toBe(404);
    expect(await page.textContent('main')).toContain('ac_missing');
  });

  it('has no serious or critical accessibility violation on any page', async () => {
    const [config] = (await bed.app.api('/api/v3.1/auth_configs')).body.items;
    const paths = [
      '/console',
      '/console/users?q=acme',
      '/console/users/acme-user-7',
      '/console/accounts',
      '/console/auth-configs',
      '/console/auth-configs/new?toolkit=testoauthcfg',
      `/console/auth-configs/${config.id}`,
      `/console/accounts/${activeId}/delete`,
      '/console/toolkits',
      '/console/toolkits/testoauthcfg',
      '/console/tools/TESTOAUTHCFG_PING',
      '/console/webhooks',
      '/console/log',
      '/console/log?kind=connection',
    ];
    for (const path of paths) {
      const res = await page.goto(`${bed.app.url}${path}`);
      expect(res!.status(), path).toBe(200);
      expect(await seriousA11yViolations(page), path).toEqual([]);
    }
    const signIn = await (await browser.newContext({ bypassCSP: true })).newPage();
    await signIn.goto(`${bed.app.url}/console/login`);
    expect(await seriousA11yViolations(signIn)).toEqual([]);
    await signIn.context().close();
  });

  it('reads a tool execution in the log, with its outcome and never the credential, and the connection events', async () => {
    const run = await bed.app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'other-user', arguments: {} } });
    expect(run.body.successful).toBe(true);
    await page.goto(`${bed.app.url}/console/log`);
    await page.fill('#user_id', 'other-user');
    await submit(() => page.click('form.filters button'));
    const rows = page.locator('tr[data-execution]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('TESTKEY_WHOAMI');
    expect(await rows.first().locator('.status').textContent()).toBe('success');
    expect(await page.content()).not.toContain(VALID_KEY);
    // another user's filter shows none of it
    await page.fill('#user_id', 'acme-user-7');
    await submit(() => page.click('form.filters button'));
    expect(await page.locator('tr[data-execution]').count()).toBe(0);
    // the connection events: each account that became ACTIVE
    await page.selectOption('#kind', 'connection');
    await page.fill('#user_id', '');
    await submit(() => page.click('form.filters button'));
    expect(await page.locator(`tr[data-event]`, { hasText: activeId }).count()).toBeGreaterThan(0);
    // the disable done in the console earlier, recorded as the console's signed-in operator
    await page.selectOption('#kind', 'admin');
    await submit(() => page.click('form.filters button'));
    const disabled = page.locator('tr[data-event]', { hasText: activeId });
    expect(await disabled.count()).toBeGreaterThan(0);
    expect(await disabled.first().textContent()).toContain('console_user');
    // and the reconnect link made there, which sent an account back to INITIATED
    const reconnect = page.locator('tr[data-event]', { hasText: 'connected_account.reconnect_requested' });
    expect(await reconnect.count()).toBe(1);
    expect(await reconnect.textContent()).toContain('console_user');
  });

  it('shows a tool input schema and the overview counts', async () => {
    await page.goto(`${bed.app.url}/console/tools/TESTOAUTHCFG_PING`);
    expect(JSON.parse((await page.textContent('pre'))!)).toMatchObject({ properties: { note: { type: 'string' } } });
    // an abandoned link's account counts as EXPIRED (as the API shows it) and is listed among recent failures
    const late = await bed.app.api('/api/v3.1/connected_accounts/link', {
      body: { auth_config_id: bed.keyConfigId, user_id: 'late-user' },
    });
    bed.app.clock.advance(11 * 60_000);
    await page.goto(`${bed.app.url}/console`);
    const card = (status: string) => page.locator('.card', { has: page.locator(`a[href$="status=${status}"]`) }).locator('strong');
    expect(await card('ACTIVE').textContent()).toBe('2');
    expect(await card('EXPIRED').textContent()).toBe('1');
    expect(await card('INITIATED').textContent()).toBe('0');
    expect(await page.locator(`tr[data-account="${late.body.connected_account_id}"]`).textContent()).toContain('EXPIRED');
  });
});
