import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startKeyedSessions, TEST_API_KEY as KEY, type KeyedSessions } from '../helpers/keyed-sessions.ts';
import type { LiveApp } from '../helpers/live-app.ts';
import { answerConsent, authorizationParams, authorizeUrl, consent, pkce, REDIRECT, register, tokenRequest } from '../helpers/mcp-oauth.ts';
import { authorizeInBrowser } from '../helpers/oauth-browser.ts';
import { MemoryOAuthProvider } from '../helpers/oauth-client-provider.ts';
import { serveVerifierApp, type VerifierApp } from '../helpers/verifier-app.ts';

// An MCP client's authorization with LATCHKEY_USER_VERIFIER_URL set: the consent page asks for no
// session token; Continue sends the browser to the app's verifier, which names its signed-in user in
// complete_auth. The session's own user gets the code, through latchkey's return route (complete_auth's
// callback_url), and only in the browser that pressed Continue; anyone else ends the request, and the
// client gets nothing.

let keyed: KeyedSessions;
let app: LiveApp;
let web: FakeUpstream;
let verifier: VerifierApp;
let browser: Browser;
let keyConfig: string;

beforeAll(async () => {
  web = await startFakeUpstream();
  verifier = serveVerifierApp(web, () => app);
  keyed = await startKeyedSessions({ LATCHKEY_USER_VERIFIER_URL: `${web.url}/verify`, LATCHKEY_APP_TITLE: 'Acme' });
  app = keyed.app;
  keyConfig = keyed.authConfigId;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await keyed?.close();
  await web?.close();
});

const sessionOf = (userId: string) => keyed.sessionWithAccount(userId);
const text = (result: any) => JSON.parse(result.content[0].text);
const newClient = () => new Client({ name: 'oauth-verifier', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
const completeAuth = (body: unknown) => app.api('/api/v3.1/connected_accounts/complete_auth', { body });
const grantsOf = async (sessionId: string) =>
  (await app.deps.db.selectFrom('oauth_grants').select('id').where('session_id', '=', sessionId).execute()).length;
const pendingOf = async (sessionId: string) =>
  (await app.deps.db.selectFrom('oauth_requests').select('id_hash').where('session_id', '=', sessionId).execute()).length;

/** The SDK client's first attempt: 401, discovery, dynamic registration; it stops at the authorization URL. */
async function clientAsks(sessionUrl: string) {
  const provider = new MemoryOAuthProvider(REDIRECT);
  const transport = new StreamableHTTPClientTransport(new URL(sessionUrl), { authProvider: provider as never });
  const probe = newClient();
  await expect(probe.connect(transport).then(() => probe.listTools())).rejects.toThrow(/unauthorized/i);
  expect(provider.clientInformation().client_id).toMatch(/^mcpc_/);
  expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(sessionUrl);
  return { provider, transport };
}

/**
 * The person's part in Chromium, signed in to the app as `appUser`: latchkey's consent page (no
 * token field), Continue, the verifier. The client's redirect is caught; the URL it got, if any.
 */
async function continueInBrowser(authorizationUrl: URL, appUser: string): Promise<{ callback: URL | undefined; landed: URL; h1: string }> {
  const context = await verifier.signedIn(browser, appUser);
  try {
    const { callback, page } = await authorizeInBrowser(context, authorizationUrl, REDIRECT, async (page) => {
      expect(await page.textContent('h1')).toContain('SDK test client');
      expect(await page.textContent('main')).toContain('Acme');
      expect(await page.locator('#session_token').count()).toBe(0);
      await page.click('button[value=allow]');
      await page.waitForURL((url) => url.href.startsWith(REDIRECT) || url.pathname === '/verify');
      await page.waitForLoadState();
    });
    return { callback, landed: new URL(page.url()), h1: (await page.textContent('h1')) ?? '' };
  } finally {
    await context.close();
  }
}

describe('MCP authorization through the app verifier (SDK v2 client, Chromium)', () => {
  it("the session's user: consent page → verifier → complete_auth → code back to the client → tools as that user", async () => {
    const session = await sessionOf('ada');
    const { provider, transport } = await clientAsks(session.url);
    const { callback } = await continueInBrowser(provider.authorizationUrl!, 'ada');

    const call = verifier.calls.at(-1)!;
    expect([...call.query.keys()]).toEqual(['session_uri']);
    expect(call).toMatchObject({ user: 'ada', status: 200 });
    expect(Object.keys(call.body).sort()).toEqual(['callback_url', 'client_id', 'session_id']);
    expect(call.body).toMatchObject({ session_id: session.id, client_id: provider.clientInformation().client_id });
    // the app is handed latchkey's return route, never the code
    const back = new URL(call.body.callback_url);
    expect(back.origin + back.pathname).toBe(`${app.url}/oauth/authorize/return`);
    expect(back.searchParams.get('ref')).toMatch(/^lkr_/);
    expect(JSON.stringify(call.body)).not.toMatch(/lkc_/);
    // spent: the return reference does not work twice
    expect((await fetch(back)).status).toBe(400);
    expect(callback!.searchParams.get('code')).toMatch(/^lkc_/);
    expect(callback!.searchParams.get('iss')).toBe(app.url);
    expect(callback!.searchParams.get('state')).toBe(provider.authorizationUrl!.searchParams.get('state'));

    await transport.finishAuth(callback!.searchParams);
    expect(provider.tokens().access_token).toMatch(/^lka_/);
    const client = newClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(session.url), { authProvider: provider as never }));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('TESTKEY_WHOAMI');
    const who = text(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(who.data ?? who).toMatchObject({ account: { region: 'ada-region' } });
    await client.close();
  });

  it('another user signed in to the app: complete_auth 400, the client gets no code, no token is issued, the request is dead', async () => {
    const session = await sessionOf('bo');
    const { provider } = await clientAsks(session.url);
    const { callback, landed, h1 } = await continueInBrowser(provider.authorizationUrl!, 'mallory');

    expect(callback).toBeUndefined();
    expect(landed.origin + landed.pathname).toBe(`${web.url}/verify`);
    expect(h1).toBe('This connection was not started by you');
    const call = verifier.calls.at(-1)!;
    expect(call).toMatchObject({ user: 'mallory', status: 400 });
    expect(call.body.error).toMatchObject({ slug: 'ConnectedAccount_UserMismatch', code: 610, status: 400 });
    expect(call.body.error.message).toMatch(/MCP client/);
    expect(JSON.stringify(call.body)).not.toMatch(/lkc_|callback_url/);
    expect(await grantsOf(session.id)).toBe(0);
    expect(await pendingOf(session.id)).toBe(0);
    // the spent reference cannot be redeemed by the right user afterwards
    expect((await completeAuth({ session_uri: call.query.get('session_uri'), user_id: 'bo' })).status).toBe(404);
    expect(await grantsOf(session.id)).toBe(0);
  });
});

describe('MCP authorization through the app verifier: the consent page and the verifier in different browsers', () => {
  it("an attacker's Continue, sent on to the signed-in victim: complete_auth matches, but no code, no grant, no token", async () => {
    const session = await sessionOf('vic');
    const { provider } = await clientAsks(session.url);

    // the attacker (a script: its own cookie jar) opens the request for the victim's public MCP URL and
    // presses Continue, keeping the verifier link instead of following it
    const attacker = new FetchBrowser();
    const continued = await consent(provider.authorizationUrl!.href, '', 'allow', attacker);
    expect(continued.status).toBe(303);
    const verifierLink = continued.location!;
    expect(new URL(verifierLink).searchParams.get('session_uri')).toMatch(/^lkv_/);
    expect(attacker.cookiesFor(new URL(app.url).host).size).toBeGreaterThan(0);

    // the victim, signed in to the app as the session's user, follows it in their own browser
    const victim = await verifier.signedIn(browser, 'vic');
    try {
      const { callback, page } = await authorizeInBrowser(victim, new URL(verifierLink), REDIRECT, async (page) => {
        await page.waitForLoadState();
      });
      expect(callback).toBeUndefined();
      expect(new URL(page.url()).pathname).toBe('/oauth/authorize/return');
      expect(await page.textContent('h1')).toBe('Started in another browser');
      const call = verifier.calls.at(-1)!;
      expect(call).toMatchObject({ user: 'vic', status: 200 });
      expect(JSON.stringify(call.body)).not.toMatch(/lkc_/);
      expect(await grantsOf(session.id)).toBe(0);
      expect(await pendingOf(session.id)).toBe(0);

      // the request is dead: even the attacker's browser, which holds the cookie, gets nothing with the ref
      const late = await attacker.request(call.body.callback_url);
      expect(late.status).toBe(400);
      expect(late.headers.get('location')).toBeNull();
      expect(await grantsOf(session.id)).toBe(0);
      expect(provider.tokens()).toBeUndefined();
    } finally {
      await victim.close();
    }
  });
});

describe('MCP authorization through the app verifier (SDK v1 client, 2025-11-25, Chromium)', () => {
  it("the v1 client's OAuthClientProvider goes the same way: verifier, complete_auth, code, tools as the session's user", async () => {
    const session = await sessionOf('vi');
    const provider = new MemoryOAuthProvider(REDIRECT);
    const first = new TransportV1(new URL(session.url), { authProvider: provider as never });
    await expect(new ClientV1({ name: 'oauth-v1', version: '1.0.0' }).connect(first)).rejects.toThrow(/unauthorized/i);
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(session.url);

    const { callback } = await continueInBrowser(provider.authorizationUrl!, 'vi');
    expect(verifier.calls.at(-1)).toMatchObject({ user: 'vi', status: 200 });
    expect(callback!.searchParams.get('code')).toMatch(/^lkc_/);
    await first.finishAuth(callback!.searchParams.get('code')!);

    const client = new ClientV1({ name: 'oauth-v1', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(session.url), { authProvider: provider as never }));
    const who = text(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(who.data ?? who).toMatchObject({ account: { region: 'vi-region' } });
    await client.close();
  });
});

/**
 * A registered client's authorization request answered by Allow, by raw HTTP: where the browser was
 * sent, and `back`, the browser's return through complete_auth's callback_url (with its cookie).
 */
async function pausedAuthorization(sessionUrl: string, typedToken = '') {
  const client = (await register(app.url)).body;
  const { verifier: codeVerifier, challenge } = pkce();
  const browser = new FetchBrowser();
  const answer = await consent(
    authorizeUrl(app.url, authorizationParams(client.client_id, challenge, sessionUrl, { state: 's1' })),
    typedToken,
    'allow',
    browser,
  );
  expect(answer.status).toBe(303);
  const location = new URL(answer.location!);
  const back = async (callbackUrl: string) => {
    const res = await browser.request(callbackUrl);
    return { status: res.status, location: res.headers.get('location') };
  };
  return { clientId: client.client_id as string, codeVerifier, location, sessionUri: location.searchParams.get('session_uri')!, back };
}

describe('complete_auth for an MCP authorization (raw HTTP)', () => {
  it('the session token is not a way round the verifier: Allow with it still goes to the verifier, and no code is issued', async () => {
    const session = await sessionOf('cy');
    const paused = await pausedAuthorization(session.url, session.token);
    expect(paused.location.origin + paused.location.pathname).toBe(`${web.url}/verify`);
    expect(paused.location.searchParams.get('code')).toBeNull();
    expect(await grantsOf(session.id)).toBe(0);
  });

  it('answers 200 with a code the client redeems, then 404 for the used reference', async () => {
    const session = await sessionOf('dee');
    const paused = await pausedAuthorization(session.url);
    const done = await completeAuth({ session_uri: paused.sessionUri, user_id: 'dee' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ session_id: session.id, client_id: paused.clientId });
    expect(new URL(done.body.callback_url).pathname).toBe('/oauth/authorize/return');
    const returned = await paused.back(done.body.callback_url);
    expect(returned.status).toBe(302);
    const back = new URL(returned.location!);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('s1');
    const again = await completeAuth({ session_uri: paused.sessionUri, user_id: 'dee' });
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ slug: 'ConnectedAccount_SessionUriNotFound', status: 404 });
    const tokens = await tokenRequest(app.url, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: paused.codeVerifier,
      client_id: paused.clientId,
      resource: session.url,
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.access_token).toMatch(/^lka_/);
  });

  it('Continue pressed again on one request keeps one verification: the newest reference, the earlier one 404', async () => {
    const session = await sessionOf('gus');
    const client = (await register(app.url)).body;
    const browser = new FetchBrowser();
    const url = authorizeUrl(app.url, authorizationParams(client.client_id, pkce().challenge, session.url));
    const page = await (await browser.request(url)).text();
    const refs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await answerConsent(app.url, page, '', 'allow', browser);
      expect(answer.status).toBe(303);
      refs.push(new URL(answer.location!).searchParams.get('session_uri')!);
    }
    const rows = await app.deps.db.selectFrom('verifications').select('id').where('user_id', '=', 'gus').execute();
    expect(rows).toHaveLength(1);
    expect((await completeAuth({ session_uri: refs[0], user_id: 'gus' })).status).toBe(404);
    expect((await completeAuth({ session_uri: refs[2], user_id: 'gus' })).status).toBe(200);
  });

  it('answers 404 for an expired reference, and issues nothing', async () => {
    const session = await sessionOf('eve');
    const paused = await pausedAuthorization(session.url);
    app.clock.advance(10 * 60_000 + 1000);
    try {
      const late = await completeAuth({ session_uri: paused.sessionUri, user_id: 'eve' });
      expect(late.status).toBe(404);
      expect(late.body.error.slug).toBe('ConnectedAccount_SessionUriNotFound');
    } finally {
      app.clock.offset = 0;
    }
    expect(await grantsOf(session.id)).toBe(0);
  });

  it('kinds do not cross: an MCP reference finishes no connection, a connection reference approves no MCP client', async () => {
    const session = await sessionOf('fay');
    const link = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: keyConfig, user_id: 'fay' } });
    const form = await new FetchBrowser().submitForm(link.body.redirect_url, { region: 'eu', api_key: KEY });
    expect(form.status).toBe(303);
    const connectionRef = new URL(form.headers.get('location')!).searchParams.get('session_uri')!;
    const accountId = link.body.connected_account_id as string;
    const paused = await pausedAuthorization(session.url);

    const mcp = await completeAuth({ session_uri: paused.sessionUri, user_id: 'fay' });
    expect(mcp.status).toBe(200);
    expect(mcp.body.connected_account).toBeUndefined();
    expect((await app.api(`/api/v3.1/connected_accounts/${accountId}`)).body.status).toBe('INITIATED');

    const grantsBefore = await grantsOf(session.id);
    const second = await pausedAuthorization(session.url);
    const connection = await completeAuth({ session_uri: connectionRef, user_id: 'fay' });
    expect(connection.status).toBe(200);
    expect(connection.body).toMatchObject({ connected_account_id: accountId, connected_account: { status: 'ACTIVE' } });
    expect(connection.body.session_id).toBeUndefined();
    expect(connection.body.callback_url ?? '').not.toContain('code=');
    expect(await grantsOf(session.id)).toBe(grantsBefore);
    // the first MCP authorization waits for its browser's return, the second for its own reference
    expect(await pendingOf(session.id)).toBe(2);
    expect((await paused.back(mcp.body.callback_url)).status).toBe(302);
    expect(await grantsOf(session.id)).toBe(grantsBefore + 1);
    const secondDone = await completeAuth({ session_uri: second.sessionUri, user_id: 'fay' });
    expect(secondDone.status).toBe(200);
    // a return reference is redeemed only by the browser, never through complete_auth
    expect(
      (await completeAuth({ session_uri: new URL(secondDone.body.callback_url).searchParams.get('ref'), user_id: 'fay' })).status,
    ).toBe(404);
    expect((await second.back(secondDone.body.callback_url)).status).toBe(302);
    expect(await grantsOf(session.id)).toBe(grantsBefore + 2);
  });
});
