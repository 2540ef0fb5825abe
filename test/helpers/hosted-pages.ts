import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Page } from 'playwright-core';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { apiKeyToolkit, notesToolkit, oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from './live-app.ts';
import { authorizeUrl, pkce, register } from './mcp-oauth.ts';

/**
 * Every hosted page, each in the state a person meets it: latchkey with the oidc-provider fixture as
 * the provider and local stand-ins for the APIs, toolkits renamed after brands simple-icons has a
 * mark for (Gitea, TickTick, Basecamp) and one it has not (Acme CRM: the initial badge). Used by the
 * accessibility test and by `npm run screenshots`.
 */
export interface HostedPagesStage {
  app: LiveApp;
  as: TestAuthServer;
  api: FakeUpstream;
  /** the app's callback_url on links that have one */
  appCallback: string;
  close(): Promise<void>;
}

export const VALID_KEY = 'key-alpha-123456';

/** A fixture toolkit under another slug and name (its tools' slug prefix follows the slug). */
function renamed<T extends { slug: string; tools: Array<{ slug: string }> }>(toolkit: T, slug: string, name: string): T {
  const prefix = `${toolkit.slug.toUpperCase()}_`;
  return { ...toolkit, slug, name, tools: toolkit.tools.map((t) => ({ ...t, slug: t.slug.replace(prefix, `${slug.toUpperCase()}_`) })) };
}

export async function startHostedPagesStage(): Promise<HostedPagesStage> {
  const port = await freePort();
  const as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  const api = await startFakeUpstream();
  serveTestApis(api, as, new Set([VALID_KEY]));
  api.on('/back-in-the-app', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('back in the app');
  });
  const app = await startLiveApp({
    port,
    toolkits: [
      renamed(oauthToolkit(as, api), 'gitea', 'Gitea'),
      renamed(oauthToolkit(as, api), 'acmecrm', 'Acme CRM'),
      renamed(apiKeyToolkit(api), 'ticktick', 'TickTick'),
      renamed(notesToolkit(api), 'basecamp', 'Basecamp'),
      // a logo of the operator's choosing in the catalogue file (not on the tour: it would not load offline)
      { ...renamed(apiKeyToolkit(api), 'penpot', 'Penpot'), logo: 'https://cdn.example.com/logos/penpot.svg?v=2' },
    ],
    env: {
      LATCHKEY_APP_TITLE: 'Acme Assistant',
      // Acme CRM through the operator's own OAuth app (managed auth): the not-configured page removes it
      LATCHKEY_OAUTH_ACMECRM_CLIENT_ID: as.clientId,
      LATCHKEY_OAUTH_ACMECRM_CLIENT_SECRET: as.clientSecret,
    },
  });
  return {
    app,
    as,
    api,
    appCallback: `${api.url}/back-in-the-app?from=acme`,
    close: async () => {
      await app.close();
      await api.close();
      await as.close();
    },
  };
}

/** An auth config: the app's own OAuth client (`clientSecret` as given), or the toolkit's default (a form, or the operator's app). */
export async function authConfig(stage: HostedPagesStage, slug: string, ownClient?: { clientSecret: string }): Promise<string> {
  const res = await stage.app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug },
      ...(ownClient
        ? { auth_config: { type: 'use_custom_auth', credentials: { client_id: stage.as.clientId, client_secret: ownClient.clientSecret } } }
        : {}),
    },
  });
  if (res.status !== 201) throw new Error(`auth config for ${slug}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.auth_config.id;
}

export async function connectLink(stage: HostedPagesStage, authConfigId: string, userId: string, callbackUrl?: string) {
  const res = await stage.app.api('/api/v3.1/connected_accounts/link', {
    body: { auth_config_id: authConfigId, user_id: userId, callback_url: callbackUrl },
  });
  if (res.status !== 201) throw new Error(`link: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.redirect_url as string;
}

/** An approval link: a session that asks before creating, and a call held for it (its URL from the app's listing). */
async function approvalUrl(stage: HostedPagesStage): Promise<string> {
  const created = await stage.app.api('/api/v3.1/tool_router/session', {
    body: {
      user_id: 'maria@example.com',
      toolkits: { enable: ['basecamp'] },
      preload: { tools: 'all' },
      tags: { require_approval: ['createHint'] },
    },
  });
  const session = created.body as { session_id: string; mcp: { url: string; headers: Record<string, string> } };
  const client = new Client({ name: 'hosted-pages', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(session.mcp.url), { requestInit: { headers: session.mcp.headers } }));
  try {
    await client.callTool({ name: 'BASECAMP_CREATE', arguments: { text: 'Book the team offsite for March' } });
  } finally {
    await client.close();
  }
  const listed = await stage.app.api(`/api/v3.1/tool_router/session/${session.session_id}/approvals`);
  return listed.body.items[0].approval_url;
}

/** The consent page's URL: an MCP client registered by hand asks for a session. */
async function consentUrl(stage: HostedPagesStage): Promise<string> {
  const created = await stage.app.api('/api/v3.1/tool_router/session', { body: { user_id: 'maria@example.com' } });
  const client = await register(stage.app.url, { client_name: 'Claude Desktop' });
  return authorizeUrl(stage.app.url, {
    response_type: 'code',
    client_id: client.body.client_id,
    redirect_uri: client.body.redirect_uris[0],
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    state: 'st',
    resource: created.body.mcp.url,
  });
}

/** A page the tour stops at, with the status its answer had. */
export type Visit = (name: string, page: Page, status: number) => Promise<void>;

/**
 * Opens each hosted page in a fresh browser page (`Accept-Language` as given) and hands it to `visit`.
 * Each stop sets up its own state through the API, the provider fixture or the browser, as a person
 * would reach it. The names are stable: screenshot files and test expectations use them.
 */
export async function tourHostedPages(
  stage: HostedPagesStage,
  browser: Browser,
  visit: Visit,
  options: { acceptLanguage?: string; width?: number; bypassCSP?: boolean } = {},
) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    // only to inject axe-core: the pages allow no script of their own
    bypassCSP: options.bypassCSP ?? false,
    extraHTTPHeaders: options.acceptLanguage ? { 'accept-language': options.acceptLanguage } : {},
  });
  const stop = async (name: string, reach: (page: Page) => Promise<number>) => {
    const page = await context.newPage();
    try {
      const status = await reach(page);
      await visit(name, page, status);
    } finally {
      await page.close();
    }
  };
  const goto = async (page: Page, url: string) => (await page.goto(url))!.status();

  const gitea = await authConfig(stage, 'gitea', { clientSecret: stage.as.clientSecret });
  const ticktick = await authConfig(stage, 'ticktick');

  await stop('link-form', async (page) => goto(page, await connectLink(stage, ticktick, 'maria@example.com', stage.appCallback)));
  await stop('link-form-error', async (page) => {
    await goto(page, await connectLink(stage, ticktick, 'maria@example.com'));
    // a field left empty past the browser's own check (as an old browser would send it): the server's message shows
    await page.locator('input[name=region]').evaluate((input) => input.removeAttribute('required'));
    await page.fill('input[name=api_key]', VALID_KEY);
    const [answer] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return answer!.status();
  });
  await stop('link-oauth', async (page) => goto(page, await connectLink(stage, gitea, 'maria@example.com')));

  let usedLink = '';
  await stop('connected', async (page) => {
    usedLink = await connectLink(stage, gitea, 'maria@example.com');
    stage.as.decide.next = 'approve';
    await goto(page, usedLink);
    const [answer] = await Promise.all([
      page.waitForNavigation({ url: (u) => u.pathname === '/api/v3/toolkits/auth/callback' }),
      page.click('button[type=submit]'),
    ]);
    return answer!.status();
  });
  await stop('denied', async (page) => {
    await goto(page, await connectLink(stage, gitea, 'maria@example.com'));
    stage.as.decide.next = 'deny';
    try {
      const [answer] = await Promise.all([
        page.waitForNavigation({ url: (u) => u.pathname === '/api/v3/toolkits/auth/callback' }),
        page.click('button[type=submit]'),
      ]);
      return answer!.status();
    } finally {
      stage.as.decide.next = 'approve';
    }
  });
  await stop('provider-error', async (page) => {
    // the provider refuses the code exchange (the app's client secret is wrong): an error after the person said yes
    await goto(page, await connectLink(stage, await authConfig(stage, 'gitea', { clientSecret: 'not-the-secret' }), 'maria@example.com'));
    const [answer] = await Promise.all([
      page.waitForNavigation({ url: (u) => u.pathname === '/api/v3/toolkits/auth/callback' }),
      page.click('button[type=submit]'),
    ]);
    return answer!.status();
  });
  await stop('not-configured', async (page) => {
    const link = await connectLink(stage, await authConfig(stage, 'acmecrm'), 'maria@example.com', stage.appCallback);
    // as if the operator removed LATCHKEY_OAUTH_ACMECRM_* and restarted: the managed config is left without an app
    const apps = stage.app.deps.config.oauthApps;
    const saved = apps.acmecrm;
    delete apps.acmecrm;
    try {
      await goto(page, link);
      const [answer] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      return answer!.status();
    } finally {
      apps.acmecrm = saved!;
    }
  });
  await stop('link-expired', async (page) => {
    const link = await connectLink(stage, gitea, 'maria@example.com', stage.appCallback);
    stage.app.clock.advance(11 * 60_000);
    return goto(page, link);
  });
  await stop('link-used', (page) => goto(page, usedLink));
  await stop('link-unknown', (page) => goto(page, `${stage.app.url}/link/ln_${'x'.repeat(32)}`));
  await stop('sign-in-unknown', (page) => goto(page, `${stage.app.url}/api/v3/toolkits/auth/callback?state=nothing-pending&code=x`));
  await stop('consent', async (page) => goto(page, await consentUrl(stage)));
  await stop('consent-problem', (page) => goto(page, authorizeUrl(stage.app.url, { response_type: 'code', client_id: 'nobody' })));
  await stop('approval', async (page) => goto(page, await approvalUrl(stage)));
  await stop('approved', async (page) => {
    await goto(page, await approvalUrl(stage));
    const [answer] = await Promise.all([page.waitForNavigation(), page.click('button[value=approve]')]);
    return answer!.status();
  });
  await stop('approval-unknown', (page) => goto(page, `${stage.app.url}/approve/apv_${'x'.repeat(32)}`));
  await context.close();
}

/** The names of the tour's stops, in order. */
export const HOSTED_PAGES = [
  'link-form',
  'link-form-error',
  'link-oauth',
  'connected',
  'denied',
  'provider-error',
  'not-configured',
  'link-expired',
  'link-used',
  'link-unknown',
  'sign-in-unknown',
  'consent',
  'consent-problem',
  'approval',
  'approved',
  'approval-unknown',
] as const;
