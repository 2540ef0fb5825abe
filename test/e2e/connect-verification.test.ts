import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { apiKeyToolkit, oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { activeOAuth2Account } from '../helpers/seed.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { serveVerifierApp, type VerifierApp } from '../helpers/verifier-app.ts';

/**
 * Callback identity verification end to end on loopback: latchkey with LATCHKEY_USER_VERIFIER_URL
 * pointing at a small app that plays the verifier (test/helpers/verifier-app.ts).
 */

let as: TestAuthServer;
let api: FakeUpstream;
let web: FakeUpstream;
let app: LiveApp;
let browser: Browser;
let oauthConfigId: string;
let keyConfigId: string;
let verifier: VerifierApp;

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set(['key-alpha-123456']));
  web = await startFakeUpstream();
  verifier = serveVerifierApp(web, () => app);
  app = await startLiveApp({
    port,
    toolkits: [oauthToolkit(as, api), apiKeyToolkit(api)],
    // the verifier's own query stays; latchkey adds session_uri only
    env: { LATCHKEY_USER_VERIFIER_URL: `${web.url}/verify?tenant=t1`, LATCHKEY_APP_TITLE: 'Acme' },
  });
  const oauth = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    },
  });
  oauthConfigId = oauth.body.auth_config.id;
  keyConfigId = (await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } })).body.auth_config.id;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app.close();
  await web.close();
  await api.close();
  await as.close();
});

async function link(userId: string, authConfigId: string, callbackUrl: string | null = `${web.url}/done?from=app`) {
  const res = await app.api('/api/v3.1/connected_accounts/link', {
    body: { auth_config_id: authConfigId, user_id: userId, callback_url: callbackUrl ?? undefined },
  });
  expect(res.status).toBe(201);
  return res.body as { redirect_url: string; connected_account_id: string };
}

/** A browser signed in to the app as `user`. */
const signedIn = (user: string) => verifier.signedIn(browser, user);

const account = async (id: string) => (await app.api(`/api/v3.1/connected_accounts/${id}`)).body;
const getMe = (userId: string) => app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { body: { user_id: userId, arguments: {} } });

/** A form link filled in and accepted, stopped at the redirect to the verifier: its session_uri. */
async function pausedFormLink(userId: string): Promise<{ sessionUri: string; accountId: string; location: URL }> {
  const { redirect_url, connected_account_id } = await link(userId, keyConfigId);
  const answer = await new FetchBrowser().submitForm(redirect_url, { region: 'eu', api_key: 'key-alpha-123456' });
  expect(answer.status).toBe(303);
  const location = new URL(answer.headers.get('location')!);
  return { sessionUri: location.searchParams.get('session_uri')!, accountId: connected_account_id, location };
}

const completeAuth = (body: unknown, headers?: Record<string, string>) =>
  app.api('/api/v3.1/connected_accounts/complete_auth', { body, headers });

describe('callback identity verification (LATCHKEY_USER_VERIFIER_URL)', () => {
  it("a victim who completes an attacker's OAuth link at the provider: the account ends FAILED, never ACTIVE, no credentials usable", async () => {
    const attack = await link('attacker', oauthConfigId);
    as.decide.account = 'victim';
    // what the paused flow holds: the victim's tokens from the provider
    let held: Record<string, string> = {};
    verifier.beforeComplete = async () => {
      const row = await app.deps.db
        .selectFrom('verifications')
        .selectAll()
        .where('subject_id', '=', attack.connected_account_id)
        .executeTakeFirstOrThrow();
      held = app.deps.vault.openJson<{ credentials: Record<string, string> }>(
        row.payload_sealed,
        sealedAad(sealed('verifications', 'payload_sealed'), row.id),
      ).credentials;
    };
    const context = await signedIn('victim');
    const page = await context.newPage();
    await page.goto(attack.redirect_url);
    // the page says whose account this becomes before anything happens
    expect(await page.locator('p.who').textContent()).toContain('attacker');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname === '/verify');
    verifier.beforeComplete = null;
    expect(await page.locator('h1').textContent()).toBe('This connection was not started by you');
    await context.close();

    const call = verifier.calls.at(-1)!;
    expect([...call.query.keys()].sort()).toEqual(['session_uri', 'tenant']);
    expect(call.query.get('tenant')).toBe('t1');
    expect(call.user).toBe('victim');
    expect(call.status).toBe(400);
    expect(call.body.error).toMatchObject({ slug: 'ConnectedAccount_UserMismatch', status: 400 });
    const after = await account(attack.connected_account_id);
    expect(after).toMatchObject({ status: 'FAILED', user_id: 'attacker' });
    expect(after.status_reason).toMatch(/Identity check failed/);
    const row = await app.deps.db
      .selectFrom('connected_accounts')
      .select('credentials_sealed')
      .where('id', '=', attack.connected_account_id)
      .executeTakeFirstOrThrow();
    expect(row.credentials_sealed).toBeNull();
    const asAttacker = await getMe('attacker');
    expect(asAttacker.status).toBe(400);
    expect(JSON.stringify(asAttacker.body)).not.toContain('victim');
    // the reference is spent: the attacker cannot redeem it under their own name afterwards
    expect((await completeAuth({ session_uri: call.query.get('session_uri'), user_id: 'attacker' })).status).toBe(404);

    // nothing of the victim's is kept: the row and its sealed payload are gone, and the account holds
    // no credentials. No revocation at the provider: for some (Google's) it would end the victim's
    // whole grant to this client, their own ACTIVE accounts included
    const kept = await app.deps.db
      .selectFrom('verifications')
      .select(['id', 'payload_sealed'])
      .where('subject_id', '=', attack.connected_account_id)
      .execute();
    expect(kept).toEqual([]);
    expect(held.access_token).toBeTruthy();
    expect((await as.introspect(held.access_token!)).active).toBe(true);
  });

  it('the right user completes: paused (not ACTIVE, tool calls get a Connect Link) until complete_auth, then ACTIVE and back to the app', async () => {
    const mine = await link('alice', oauthConfigId);
    as.decide.account = 'alice';
    const seen: Array<{ status: string; toolStatus: number; toolBody: any; sessionTool: any }> = [];
    const session = (await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'alice', toolkits: { enable: ['testoauth'] } } }))
      .body;
    verifier.beforeComplete = async () => {
      const toolRes = await getMe('alice');
      const sessionTool = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/execute`, {
        body: { tool_slug: 'TESTOAUTH_GET_ME', arguments: {} },
      });
      seen.push({
        status: (await account(mine.connected_account_id)).status,
        toolStatus: toolRes.status,
        toolBody: toolRes.body,
        sessionTool: sessionTool.body,
      });
    };
    const context = await signedIn('alice');
    const page = await context.newPage();
    try {
      await page.goto(mine.redirect_url);
      await page.click('button[type=submit]');
      await page.waitForURL((u) => u.pathname === '/done');
      const back = new URL(page.url());
      expect(back.searchParams.get('from')).toBe('app');
      expect(back.searchParams.get('status')).toBe('success');
      expect(back.searchParams.get('connected_account_id')).toBe(mine.connected_account_id);
    } finally {
      verifier.beforeComplete = null;
      await context.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.status).toBe('INITIATED');
    expect(seen[0]!.toolStatus).toBe(400);
    expect(JSON.stringify(seen[0]!.toolBody)).not.toContain('"login"');
    expect(JSON.stringify(seen[0]!.sessionTool)).toMatch(/\/link\/ln_/);
    const call = verifier.calls.at(-1)!;
    expect(call.status).toBe(200);
    expect(call.body).toMatchObject({
      connected_account_id: mine.connected_account_id,
      toolkit_slug: 'testoauth',
      connected_account: { id: mine.connected_account_id, status: 'ACTIVE', user_id: 'alice', toolkit: { slug: 'testoauth' } },
    });
    expect(call.body.callback_url).toBe(`${web.url}/done?from=app&status=success&connected_account_id=${mine.connected_account_id}`);
    expect(await account(mine.connected_account_id)).toMatchObject({ status: 'ACTIVE', identity: 'alice' });
    expect((await getMe('alice')).body).toMatchObject({ successful: true, data: { login: 'alice' } });
  });

  it('pauses a form (API key) link the same way, and answers callback_url null when the link had none', async () => {
    const mine = await link('carol', keyConfigId, null);
    const context = await signedIn('carol');
    const page = await context.newPage();
    await page.goto(mine.redirect_url);
    expect(await page.locator('p.who').textContent()).toContain('carol');
    await page.fill('input[name=region]', 'eu');
    await page.fill('input[name=api_key]', 'key-alpha-123456');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname === '/verify');
    expect(await page.locator('h1').textContent()).toBe('Connected');
    await context.close();
    const call = verifier.calls.at(-1)!;
    expect(call.body).toMatchObject({ connected_account_id: mine.connected_account_id, toolkit_slug: 'testkey', callback_url: null });
    expect(await account(mine.connected_account_id)).toMatchObject({ status: 'ACTIVE', user_id: 'carol' });
    const run = await app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'carol', arguments: {} } });
    expect(run.body).toMatchObject({ successful: true, data: { account: { region: 'eu' } } });
  });

  it('answers every complete_auth error: unknown, expired and used 404, mismatch 400 + FAILED, bad body 400, no key 401', async () => {
    const unknown = await completeAuth({ session_uri: 'lkv_doesnotexist', user_id: 'dan' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ slug: 'ConnectedAccount_SessionUriNotFound', status: 404 });

    const expiring = await pausedFormLink('dan');
    expect(expiring.location.origin + expiring.location.pathname).toBe(`${web.url}/verify`);
    app.clock.advance(10 * 60_000 + 1000);
    try {
      expect((await completeAuth({ session_uri: expiring.sessionUri, user_id: 'dan' })).status).toBe(404);
    } finally {
      app.clock.offset = 0;
    }
    expect((await account(expiring.accountId)).status).not.toBe('ACTIVE');

    const used = await pausedFormLink('erin');
    expect((await completeAuth({ session_uri: used.sessionUri, user_id: 'erin' })).status).toBe(200);
    const again = await completeAuth({ session_uri: used.sessionUri, user_id: 'erin' });
    expect(again.status).toBe(404);

    const crossed = await pausedFormLink('fay');
    const mismatch = await completeAuth({ session_uri: crossed.sessionUri, user_id: 'gus' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toMatchObject({ slug: 'ConnectedAccount_UserMismatch', code: 610 });
    expect(await account(crossed.accountId)).toMatchObject({ status: 'FAILED', user_id: 'fay' });
    expect((await completeAuth({ session_uri: crossed.sessionUri, user_id: 'fay' })).status).toBe(404);

    for (const body of [
      {},
      { session_uri: 'x' },
      { user_id: 'x' },
      { session_uri: '', user_id: 'x' },
      { session_uri: 5, user_id: 'x' },
      [],
    ]) {
      const res = await completeAuth(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.status).toBe(400);
    }
    const noKey = await fetch(`${app.url}/api/v3.1/connected_accounts/complete_auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_uri: 'lkv_x', user_id: 'x' }),
    });
    expect(noKey.status).toBe(401);
    // the /api/v3 generation serves the same route
    const v3 = await app.api('/api/v3/connected_accounts/complete_auth', { body: { session_uri: 'lkv_nope', user_id: 'x' } });
    expect(v3.status).toBe(404);
  });

  it('lets exactly one of two concurrent complete_auth calls with the same reference win', async () => {
    const paused = await pausedFormLink('hal');
    const answers = await Promise.all([1, 2, 3].map(() => completeAuth({ session_uri: paused.sessionUri, user_id: 'hal' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404]);
    expect(await account(paused.accountId)).toMatchObject({ status: 'ACTIVE' });
  });

  it('needs a real user_id for every new connection while verification is on', async () => {
    for (const userId of ['default', ' ']) {
      const res = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: oauthConfigId, user_id: userId } });
      expect(res.status).toBe(400);
      expect(res.body.error.slug).toBe('ConnectedAccount_UserIdRequired');
      expect(res.body.error.message).toContain('LATCHKEY_USER_VERIFIER_URL');
    }
    const initiate = await app.api('/api/v3.1/connected_accounts', {
      body: { auth_config: { id: oauthConfigId }, connection: { user_id: 'default' } },
    });
    expect(initiate.status).toBe(400);
    expect(initiate.body.error.slug).toBe('ConnectedAccount_UserIdRequired');
    const session = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'default', toolkits: { enable: ['testoauth'] } } });
    expect(session.status).toBe(201);
    const sessionLink = await app.api(`/api/v3.1/tool_router/session/${session.body.session_id}/link`, { body: { toolkit: 'testoauth' } });
    expect(sessionLink.status).toBe(400);
    expect(sessionLink.body.error.slug).toBe('ConnectedAccount_UserIdRequired');
    // a tool call that would hand out a Connect Link says why it cannot, never a 500
    const call = await app.api(`/api/v3.1/tool_router/session/${session.body.session_id}/execute`, {
      body: { tool_slug: 'TESTOAUTH_GET_ME', arguments: {} },
    });
    expect(call.status).toBeLessThan(500);
    expect(JSON.stringify(call.body)).toContain('LATCHKEY_USER_VERIFIER_URL');
    const before = (await app.api('/api/v3.1/connected_accounts?user_ids=default')).body.total_items;
    expect(before).toBe(0);
  });

  it('refuses to reconnect an account of the default user (made before the verifier was set) and leaves it ACTIVE', async () => {
    const id = 'ca_defaultowned01';
    const sealedAs = sealed('connected_accounts', 'credentials_sealed');
    await connectedAccountsRepo(app.deps.db).insert(
      activeOAuth2Account({
        id,
        userId: 'default',
        toolkitSlug: 'testoauth',
        authConfigId: oauthConfigId,
        credentialsSealed: app.deps.vault.sealJson({ access_token: 'at-default' }, sealedAad(sealedAs, id)),
        expiresAt: null,
        now: Date.now(),
      }),
    );
    const res = await app.api(`/api/v3/connected_accounts/${id}/refresh`, { body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.slug).toBe('ConnectedAccount_UserIdRequired');
    expect(await account(id)).toMatchObject({ status: 'ACTIVE', user_id: 'default' });
  });
});
