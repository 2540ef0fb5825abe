import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { startLiveApp, type LiveApp } from './live-app.ts';
import { apiKeyToolkit } from '../fixtures/toolkits.ts';

export const VALID_KEY = 'key-console-0123456789';

/** An OAuth toolkit for auth configs with a client secret (no flow runs through it, so no provider is needed). */
const oauthConfigToolkit = (api: FakeUpstream) => ({
  slug: 'testoauthcfg',
  name: 'Test OAuth Config',
  description: 'An OAuth toolkit whose auth configs the console edits',
  base_url: api.url,
  auth_schemes: [
    {
      mode: 'OAUTH2',
      authorization_url: `${api.url}/authorize`,
      token_url: `${api.url}/token`,
      default_scopes: ['read'],
      inject: { headers: { Authorization: 'Bearer {{access_token}}' } },
    },
  ],
  tools: [
    {
      slug: 'TESTOAUTHCFG_PING',
      name: 'ping',
      description: 'Answers pong from the test API, to check the token.',
      tags: ['readOnlyHint'],
      input_parameters: { type: 'object', properties: { note: { type: 'string', description: 'echoed' } }, additionalProperties: false },
      request: { method: 'GET', path: '/ping' },
      source: { docs: 'https://docs.example.com/api' },
    },
  ],
});

export interface ConsoleBed {
  app: LiveApp;
  api: FakeUpstream;
  keyConfigId: string;
  close(): Promise<void>;
}

/** A live app with an API-key toolkit (and its auth config) and an OAuth toolkit, on a local stand-in API. */
export async function startConsoleBed(env: Record<string, string> = {}): Promise<ConsoleBed> {
  const api = await startFakeUpstream();
  api.on('/whoami', (req, res) => {
    res.writeHead(req.headers['x-api-key'] === VALID_KEY ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ account: { email: 'ada@example.com' } }));
  });
  const app = await startLiveApp({ toolkits: [apiKeyToolkit(api), oauthConfigToolkit(api)], env });
  const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
  expect(config.status).toBe(201);
  return {
    app,
    api,
    keyConfigId: config.body.auth_config.id,
    close: async () => {
      await app.close();
      await api.close();
    },
  };
}

/** An ACTIVE account for a user, made through the REST API. */
export async function activeAccount(bed: ConsoleBed, userId: string): Promise<string> {
  const res = await bed.app.api('/api/v3.1/connected_accounts', {
    body: {
      auth_config: { id: bed.keyConfigId },
      connection: { user_id: userId, state: { authScheme: 'API_KEY', val: { api_key: VALID_KEY, region: 'eu' } } },
    },
  });
  expect(res.body.status).toBe('ACTIVE');
  return res.body.id;
}

/** Signs in on the console's form in a fresh browser context; the page is left where sign-in sent it. */
export async function signedInPage(
  browser: Browser,
  app: LiveApp,
  path = '/console',
  options: { bypassCSP?: boolean } = {},
): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await page.goto(`${app.url}${path}`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('#api_key', app.apiKey);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return page;
}

/** Serious and critical axe-core findings on the page as it stands (its context must bypass the CSP, which allows no script). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as any).axe.run();
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.html).slice(0, 3) }));
  });
  return violations
    .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: any) => `${v.id}: ${v.nodes.join(' | ')}`);
}
