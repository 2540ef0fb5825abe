import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { MAX_UNUSED_CLIENTS } from '../../src/grants/clients.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import {
  answerConsent,
  authorizationParams,
  authorizeCode,
  authorizeUrl,
  consent,
  fullGrant,
  mcpList,
  pkce,
  REDIRECT,
  refresh,
  register,
  revoke,
  tokenRequest,
} from '../helpers/mcp-oauth.ts';

// latchkey as the OAuth 2.1 authorization server of its session MCP endpoints, over raw HTTP:
// discovery, the 401 challenge, registration, the authorization endpoint, the token endpoint
// (codes, PKCE, refresh rotation and reuse), revocation, and what an access token opens.

let app: LiveApp;
beforeAll(async () => {
  app = await startLiveApp({ env: { LATCHKEY_MCP_TOKEN_TTL_MS: '2000' } });
});
afterAll(() => app.close());

async function newSession(userId = 'ada') {
  const res = await app.api('/api/v3.1/tool_router/session', { body: { user_id: userId } });
  expect(res.status).toBe(201);
  return { id: res.body.session_id as string, url: res.body.mcp.url as string, token: res.body.mcp.headers['x-session-token'] as string };
}

const bearer = (token: string) => `Bearer ${token}`;

describe('discovery', () => {
  it('serves RFC 8414 metadata for the issuer and RFC 9728 metadata for a session MCP URL', async () => {
    const as = (await (await fetch(`${app.url}/.well-known/oauth-authorization-server`)).json()) as any;
    expect(as).toMatchObject({
      issuer: app.url,
      authorization_endpoint: `${app.url}/oauth/authorize`,
      token_endpoint: `${app.url}/oauth/token`,
      registration_endpoint: `${app.url}/oauth/register`,
      revocation_endpoint: `${app.url}/oauth/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.token_endpoint_auth_methods_supported).toContain('none');
    const session = await newSession();
    const path = new URL(session.url).pathname;
    const prm = await (await fetch(`${app.url}/.well-known/oauth-protected-resource${path}`)).json();
    expect(prm).toMatchObject({ resource: session.url, authorization_servers: [app.url], bearer_methods_supported: ['header'] });
  });

  it('answers every 401 with resource_metadata, error="invalid_token" when a token was sent, the same for unknown sessions', async () => {
    const session = await newSession();
    const metadata = `${app.url}/.well-known/oauth-protected-resource${new URL(session.url).pathname}`;
    const bare = await fetch(session.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadata}"`);
    const bad = await mcpList(session.url, bearer('lka_notarealtoken'));
    expect(bad.status).toBe(401);
    expect(bad.challenge).toBe(`Bearer error="invalid_token", resource_metadata="${metadata}"`);
    const unknownUrl = `${app.url}/tool_router/trs_doesnotexist00/mcp`;
    const unknown = await mcpList(unknownUrl, bearer('lka_notarealtoken'));
    expect(unknown.status).toBe(401);
    expect(unknown.challenge).toContain(
      `resource_metadata="${app.url}/.well-known/oauth-protected-resource/tool_router/trs_doesnotexist00/mcp"`,
    );
    // the header ways are unchanged
    expect((await mcpList(session.url, bearer(session.token))).status).toBe(200);
  });

  it('challenges a GET without credentials too (mcp-remote probes by GET), and answers 405 only to a caller it knows', async () => {
    const session = await newSession();
    const metadata = `${app.url}/.well-known/oauth-protected-resource${new URL(session.url).pathname}`;
    const accept = { accept: 'text/event-stream' };
    const bare = await fetch(session.url, { headers: accept });
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadata}"`);
    const unknown = await fetch(`${app.url}/tool_router/trs_doesnotexist00/mcp`, { headers: accept });
    expect(unknown.status).toBe(401);
    const bad = await fetch(session.url, { headers: { ...accept, authorization: bearer('lka_notarealtoken') } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const known = await fetch(session.url, { headers: { ...accept, authorization: bearer(session.token) } });
    expect(known.status).toBe(405);
    expect(known.headers.get('allow')).toBe('POST, DELETE');
  });
});

describe('dynamic client registration (RFC 7591)', () => {
  it('registers a public client and a confidential one (secret shown once)', async () => {
    const pub = await register(app.url);
    expect(pub.status).toBe(201);
    expect(pub.body).toMatchObject({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'Test client' });
    expect(pub.body.client_secret).toBeUndefined();
    const conf = await register(app.url, {
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: ['cursor://anysphere.cursor-retrieval/oauth/callback'],
    });
    expect(conf.status).toBe(201);
    expect(conf.body.client_secret).toMatch(/^lkcs_/);
    // native apps' own schemes and loopback listeners stay open (RFC 8252 §7.1, §7.3)
    const apps = await register(app.url, {
      redirect_uris: ['vscode://vscode.github-authentication/did-authenticate', 'http://localhost:33418/'],
    });
    expect(apps.status).toBe(201);
  });

  it.each([
    [{ redirect_uris: ['http://evil.example/cb'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['https://ok.example/cb#frag'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['search-ms:query=invoice&crumb=location:\\\\evil.example\\share'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['ms-msdt:/id PCWDiagnostic'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['MS-Settings:privacy'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['file:///C:/Windows/System32/calc.exe'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['vbscript:msgbox(1)'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['https://user:pw@ok.example/cb'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: [] }, 'invalid_redirect_uri'],
    [{ redirect_uris: 'https://ok.example/cb' }, 'invalid_redirect_uri'],
    [{ grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    [{ response_types: ['token'] }, 'invalid_client_metadata'],
    [{ client_name: 'x'.repeat(5000) }, 'invalid_client_metadata'],
    [{ logo_uri: 'javascript:alert(1)' }, 'invalid_client_metadata'],
    [{ contacts: Array.from({ length: 2000 }, () => 'a@b.c') }, 'invalid_client_metadata'],
  ])('refuses %j with %s', async (metadata, error) => {
    const res = await register(app.url, metadata);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(error);
  });

  it('drops clients nobody authorized within an hour, keeps those someone did', async () => {
    const session = await newSession();
    const unused = (await register(app.url)).body;
    const used = (await fullGrant(app.url, session.url, session.token)).client;
    const known = async (clientId: string) =>
      (await fetch(authorizeUrl(app.url, authorizationParams(clientId, pkce().challenge, session.url)), { redirect: 'manual' })).status ===
      200;
    expect(await known(unused.client_id)).toBe(true);
    app.clock.advance(3_600_001);
    try {
      await register(app.url);
      expect(await known(unused.client_id)).toBe(false);
      expect(await known(used.client_id)).toBe(true);
    } finally {
      app.clock.advance(-3_600_001);
    }
  });

  it('refuses a non-JSON or oversized body with invalid_client_metadata', async () => {
    for (const [type, body] of [
      ['application/json', '{not json'],
      ['text/plain', '{}'],
      ['application/json', JSON.stringify({ redirect_uris: [REDIRECT], software_statement: 'x'.repeat(40_000) })],
      // counted in bytes: under 10,000 characters, most of them three bytes each
      [
        'application/json',
        JSON.stringify({ redirect_uris: Array.from({ length: 5 }, (_, n) => `https://ok.example/${n}${'€'.repeat(1900)}`) }),
      ],
    ]) {
      const res = await fetch(`${app.url}/oauth/register`, { method: 'POST', headers: { 'content-type': type! }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error).toBe('invalid_client_metadata');
    }
  });
});

describe('registration cannot fill the disk', () => {
  it(`keeps at most ${MAX_UNUSED_CLIENTS} clients nobody authorized, evicting the oldest; authorized ones stay`, async () => {
    const own = await startLiveApp();
    try {
      const res = await own.api('/api/v3.1/tool_router/session', { body: { user_id: 'ada' } });
      const session = { url: res.body.mcp.url as string, token: res.body.mcp.headers['x-session-token'] as string };
      const known = async (clientId: string) =>
        (await fetch(authorizeUrl(own.url, authorizationParams(clientId, pkce().challenge, session.url)), { redirect: 'manual' }))
          .status === 200;
      const oldest = (await register(own.url)).body.client_id as string;
      const used = (await fullGrant(own.url, session.url, session.token)).client.client_id as string;
      let newest = '';
      for (let batch = 0; batch < MAX_UNUSED_CLIENTS / 20; batch++) {
        const made = await Promise.all(Array.from({ length: 20 }, () => register(own.url)));
        for (const r of made) expect(r.status).toBe(201);
        newest = made.at(-1)!.body.client_id;
      }
      expect(await known(oldest)).toBe(false);
      expect(await known(used)).toBe(true);
      expect(await known(newest)).toBe(true);
      const { count } = await own.deps.db
        .selectFrom('oauth_clients')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('first_granted_at', 'is', null)
        .executeTakeFirstOrThrow();
      expect(Number(count)).toBeLessThanOrEqual(MAX_UNUSED_CLIENTS);
    } finally {
      await own.close();
    }
  }, 60_000);
  it(`a client in the middle of its consent is not evicted by ${MAX_UNUSED_CLIENTS} registrations after it`, async () => {
    const own = await startLiveApp();
    try {
      const res = await own.api('/api/v3.1/tool_router/session', { body: { user_id: 'ada' } });
      const session = { url: res.body.mcp.url as string, token: res.body.mcp.headers['x-session-token'] as string };
      const honest = (await register(own.url)).body.client_id as string;
      const { verifier, challenge } = pkce();
      // the consent page is open: a pending request names the client
      const browser = new FetchBrowser();
      const page = await browser.request(authorizeUrl(own.url, authorizationParams(honest, challenge, session.url)));
      expect(page.status).toBe(200);
      const text = await page.text();
      for (let batch = 0; batch < MAX_UNUSED_CLIENTS / 20; batch++) {
        const made = await Promise.all(Array.from({ length: 20 }, () => register(own.url)));
        for (const r of made) expect(r.status).toBe(201);
      }
      const answer = await answerConsent(own.url, text, session.token, 'allow', browser);
      expect(answer.status).toBe(303);
      const code = new URL(answer.location!).searchParams.get('code')!;
      expect(code).toMatch(/^lkc_/);
      const tokens = await tokenRequest(own.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        client_id: honest,
        resource: session.url,
      });
      expect(tokens.status).toBe(200);
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe('the authorization endpoint', () => {
  async function setup() {
    const session = await newSession();
    const client = (await register(app.url)).body;
    const { verifier, challenge } = pkce();
    const params: Record<string, string> = authorizationParams(client.client_id, challenge, session.url, { state: 'xyz' });
    return { session, client, verifier, params };
  }

  it('shows errors on its own page, never redirecting, until the redirect URI is the client’s', async () => {
    const { params } = await setup();
    for (const bad of [
      { ...params, redirect_uri: 'https://evil.example/cb' },
      { ...params, client_id: 'mcpc_0000000000000000' },
      { ...params, client_id: '' },
      { ...params, redirect_uri: '' },
    ]) {
      const res = await fetch(authorizeUrl(app.url, bad), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).not.toContain('evil.example');
    }
  });

  it('shows later errors on its own page too, never redirecting before the person answered (RFC 9700 §4.11.2): no PKCE, plain PKCE, wrong or missing resource', async () => {
    const { params, session } = await setup();
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...params, code_challenge: '' }, 'invalid_request'],
      [{ ...params, code_challenge_method: 'plain' }, 'invalid_request'],
      [{ ...params, response_type: 'token' }, 'unsupported_response_type'],
      [{ ...params, resource: '' }, 'invalid_target'],
      [{ ...params, resource: 'https://elsewhere.example/tool_router/trs_x/mcp' }, 'invalid_target'],
      [{ ...params, resource: `${app.url}/tool_router/trs_nosuchsession000/mcp` }, 'invalid_target'],
      [{ ...params, resource: `${session.url}/extra` }, 'invalid_target'],
    ];
    for (const [query, error] of cases) {
      const res = await fetch(authorizeUrl(app.url, query), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain(`(${error})`);
    }
  });

  it('never sends the browser to a redirect URI an attacker registered until the person answers, and shows where it goes', async () => {
    const { params } = await setup();
    const phish = (await register(app.url, { redirect_uris: ['https://evil.example/phish?x=1'] })).body;
    const bad = await fetch(
      authorizeUrl(app.url, { ...params, client_id: phish.client_id, redirect_uri: phish.redirect_uris[0], code_challenge: '' }),
      {
        redirect: 'manual',
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
    const web = await (
      await fetch(authorizeUrl(app.url, { ...params, client_id: phish.client_id, redirect_uri: phish.redirect_uris[0] }))
    ).text();
    expect(web).toContain('https://evil.example/phish');
    expect(web).not.toContain('x=1');
    expect(web).not.toContain('opens an application');

    const appClient = (await register(app.url, { redirect_uris: ['cursor://anysphere.cursor-retrieval/oauth/callback'] })).body;
    const native = await (
      await fetch(authorizeUrl(app.url, { ...params, client_id: appClient.client_id, redirect_uri: appClient.redirect_uris[0] }))
    ).text();
    expect(native).toContain('cursor://anysphere.cursor-retrieval/oauth/callback');
    expect(native).toContain('opens an application on your computer');
  });

  it('takes a loopback redirect URI on another port (RFC 8252 §7.3), not on another path', async () => {
    const { params } = await setup();
    const other = await fetch(authorizeUrl(app.url, { ...params, redirect_uri: 'http://127.0.0.1:5123/callback' }), { redirect: 'manual' });
    expect(other.status).toBe(200);
    const path = await fetch(authorizeUrl(app.url, { ...params, redirect_uri: 'http://127.0.0.1:4999/other' }), { redirect: 'manual' });
    expect(path.status).toBe(400);
  });

  it('shows a consent page that escapes the client name, and needs this session’s token', async () => {
    const { params, session } = await setup();
    const evil = (await register(app.url, { client_name: '<script>alert(1)</script>' })).body;
    const page = await fetch(authorizeUrl(app.url, { ...params, client_id: evil.client_id }));
    const html = await page.text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    const other = await newSession('bob');
    const wrong = await consent(authorizeUrl(app.url, params), other.token);
    expect(wrong.status).toBe(400);
    expect(wrong.location).toBeNull();
    expect(wrong.text).toContain('not the token of this session');

    const denied = await consent(authorizeUrl(app.url, params), session.token, 'deny');
    expect(denied.status).toBe(303);
    expect(Object.fromEntries(new URL(denied.location!).searchParams)).toMatchObject({
      error: 'access_denied',
      state: 'xyz',
      iss: app.url,
    });

    const ok = await consent(authorizeUrl(app.url, params), session.token);
    expect(ok.status).toBe(303);
    const back = new URL(ok.location!);
    expect(back.searchParams.get('code')).toMatch(/^lkc_/);
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('iss')).toBe(app.url);
  });
});

describe('the token endpoint', () => {
  async function codeFor() {
    const session = await newSession();
    const client = (await register(app.url)).body;
    const { code, verifier } = await authorizeCode(app.url, client.client_id, session.url, session.token);
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: client.client_id,
    };
    return { session, client, exchange };
  }

  it('issues opaque, short-lived tokens that open their own session, with no-store', async () => {
    const { session, exchange } = await codeFor();
    const res = await tokenRequest(app.url, { ...exchange, resource: session.url });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 2 });
    expect(res.body.access_token).toMatch(/^lka_/);
    expect(res.body.refresh_token).toMatch(/^lkr_/);
    expect((await mcpList(session.url, bearer(res.body.access_token))).status).toBe(200);
  });

  it('refuses a wrong verifier, redirect URI, client or resource, and a code used twice revokes what it issued', async () => {
    const { session, exchange } = await codeFor();
    expect((await tokenRequest(app.url, { ...exchange, code_verifier: pkce().verifier })).body.error).toBe('invalid_grant');
    expect((await tokenRequest(app.url, { ...exchange, redirect_uri: 'http://127.0.0.1:4999/other' })).body.error).toBe('invalid_grant');
    const stranger = (await register(app.url)).body;
    expect((await tokenRequest(app.url, { ...exchange, client_id: stranger.client_id })).body.error).toBe('invalid_grant');
    expect((await tokenRequest(app.url, { ...exchange, client_id: 'mcpc_0000000000000000' })).status).toBe(401);
    expect((await tokenRequest(app.url, { ...exchange, resource: `${app.url}/tool_router/trs_other0000000000/mcp` })).body.error).toBe(
      'invalid_target',
    );
    const first = await tokenRequest(app.url, exchange);
    expect(first.status).toBe(200);
    expect((await mcpList(session.url, bearer(first.body.access_token))).status).toBe(200);
    const again = await tokenRequest(app.url, exchange);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    // the reuse revoked the grant: the tokens the first exchange issued no longer work
    expect((await mcpList(session.url, bearer(first.body.access_token))).status).toBe(401);
    expect((await refresh(app.url, first.body.refresh_token, exchange.client_id)).body.error).toBe('invalid_grant');
  });

  it('refuses an expired code (60 s)', async () => {
    const { exchange } = await codeFor();
    app.clock.advance(61_000);
    try {
      expect((await tokenRequest(app.url, exchange)).body.error).toBe('invalid_grant');
    } finally {
      app.clock.advance(-61_000);
    }
  });

  it('rotates refresh tokens; presenting a rotated one revokes the whole grant', async () => {
    const { session, exchange } = await codeFor();
    const first = (await tokenRequest(app.url, exchange)).body;
    const rotate = (token: string) => refresh(app.url, token, exchange.client_id);
    const second = await rotate(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await mcpList(session.url, bearer(second.body.access_token))).status).toBe(200);
    const reuse = await rotate(first.refresh_token);
    expect(reuse.body.error).toBe('invalid_grant');
    expect((await mcpList(session.url, bearer(second.body.access_token))).status).toBe(401);
    expect((await rotate(second.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('stops an access token at its expiry', async () => {
    const { session, exchange } = await codeFor();
    const tokens = (await tokenRequest(app.url, exchange)).body;
    app.clock.advance(2500);
    try {
      expect((await mcpList(session.url, bearer(tokens.access_token))).status).toBe(401);
    } finally {
      app.clock.advance(-2500);
    }
  });

  it('clears expired tokens, and grants left with none, when the next authorization is stored', async () => {
    const session = await newSession();
    const old = await fullGrant(app.url, session.url, session.token);
    const grantsOf = async (clientId: string) =>
      (await app.deps.db.selectFrom('oauth_grants').select('id').where('client_id', '=', clientId).execute()).length;
    expect(await grantsOf(old.client.client_id)).toBe(1);
    app.clock.advance(31 * 86_400_000);
    try {
      const fresh = await fullGrant(app.url, session.url, session.token);
      expect(await grantsOf(old.client.client_id)).toBe(0);
      expect(await grantsOf(fresh.client.client_id)).toBe(1);
    } finally {
      app.clock.advance(-31 * 86_400_000);
    }
  });

  it('answers RFC 6749 errors for bad requests', async () => {
    expect((await tokenRequest(app.url, { grant_type: 'password', client_id: 'x' })).status).toBe(401);
    const client = (await register(app.url)).body;
    expect((await tokenRequest(app.url, { grant_type: 'password', client_id: client.client_id })).body.error).toBe(
      'unsupported_grant_type',
    );
    expect((await tokenRequest(app.url, { client_id: client.client_id })).body.error).toBe('invalid_request');
    const json = await fetch(`${app.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).error).toBe('invalid_request');
  });

  it('authenticates confidential clients by secret (post and basic)', async () => {
    const session = await newSession();
    const client = (await register(app.url, { token_endpoint_auth_method: 'client_secret_basic' })).body;
    const { code, verifier } = await authorizeCode(app.url, client.client_id, session.url, session.token);
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    expect((await tokenRequest(app.url, { ...form, client_id: client.client_id })).status).toBe(401);
    expect((await tokenRequest(app.url, { ...form, client_id: client.client_id, client_secret: 'lkcs_wrong' })).status).toBe(401);
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
    const ok = await tokenRequest(app.url, form, { authorization: `Basic ${basic}` });
    expect(ok.status).toBe(200);
  });
});

describe('what an access token opens', () => {
  it('its own session only: on another session’s URL it is invalid_token with that URL’s metadata', async () => {
    const a = await newSession('ada');
    const b = await newSession('bob');
    const { tokens } = await fullGrant(app.url, a.url, a.token);
    const res = await mcpList(b.url, bearer(tokens.access_token));
    expect(res.status).toBe(401);
    expect(res.challenge).toContain('error="invalid_token"');
    expect(res.challenge).toContain(new URL(b.url).pathname);
  });

  it('revocation of the access or the refresh token ends the grant; unknown tokens get 200', async () => {
    const session = await newSession();
    for (const which of ['access_token', 'refresh_token'] as const) {
      const { client, tokens } = await fullGrant(app.url, session.url, session.token);
      const res = await revoke(app.url, { token: tokens[which], client_id: client.client_id });
      expect(res.status).toBe(200);
      expect((await mcpList(session.url, bearer(tokens.access_token))).status).toBe(401);
      const refreshed = await refresh(app.url, tokens.refresh_token, client.client_id);
      expect(refreshed.body.error).toBe('invalid_grant');
    }
    const client = (await register(app.url)).body;
    expect((await revoke(app.url, { token: 'lka_whatever', client_id: client.client_id })).status).toBe(200);
  });

  it('another client cannot revoke a grant it does not hold', async () => {
    const session = await newSession();
    const { tokens } = await fullGrant(app.url, session.url, session.token);
    const stranger = (await register(app.url)).body;
    expect((await revoke(app.url, { token: tokens.access_token, client_id: stranger.client_id })).status).toBe(200);
    expect((await mcpList(session.url, bearer(tokens.access_token))).status).toBe(200);
  });

  it('deleting the session cuts it off at once', async () => {
    const session = await newSession();
    const { client, tokens } = await fullGrant(app.url, session.url, session.token);
    expect((await mcpList(session.url, bearer(tokens.access_token))).status).toBe(200);
    expect((await app.api(`/api/v3.1/tool_router/session/${session.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    expect((await mcpList(session.url, bearer(tokens.access_token))).status).toBe(401);
    const refreshed = await refresh(app.url, tokens.refresh_token, client.client_id);
    expect(refreshed.body.error).toBe('invalid_grant');
  });
});

describe('Client ID Metadata Documents', () => {
  let docs: FakeUpstream;
  beforeAll(async () => {
    docs = await startFakeUpstream();
    const serve = (path: string, body: (url: string) => unknown, status = 200, headers: Record<string, string> = {}) =>
      docs.on(path, (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body(`${docs.url}${path}`)));
      });
    const doc = (url: string) => ({ client_id: url, client_name: 'Doc client', redirect_uris: [REDIRECT] });
    serve('/good.json', doc);
    serve('/wrong-id.json', () => doc('https://someone-else.example/client.json'));
    serve('/secret.json', (url) => ({ ...doc(url), client_secret: 'shh' }));
    serve('/basic.json', (url) => ({ ...doc(url), token_endpoint_auth_method: 'client_secret_basic' }));
    serve('/bad-redirect.json', (url) => ({ ...doc(url), redirect_uris: ['http://evil.example/cb'] }));
    serve('/moved.json', doc, 302, { location: `${docs.url}/good.json` });
    serve('/huge.json', (url) => ({ ...doc(url), padding: 'x'.repeat(64 * 1024) }));
    serve('/gone.json', doc, 404);
  });
  afterAll(() => docs.close());

  const start = async (clientId: string, resource: string) => {
    const { verifier, challenge } = pkce();
    return { url: authorizeUrl(app.url, authorizationParams(clientId, challenge, resource)), verifier };
  };

  it('authorizes a client whose client_id is the URL of its document, and exchanges its code', async () => {
    const session = await newSession();
    const clientId = `${docs.url}/good.json`;
    const { url, verifier } = await start(clientId, session.url);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Doc client');
    const answer = await consent(url, session.token);
    const code = new URL(answer.location!).searchParams.get('code')!;
    const tokens = await tokenRequest(app.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(tokens.status).toBe(200);
    expect((await mcpList(session.url, bearer(tokens.body.access_token))).status).toBe(200);
  });

  it.each(['/wrong-id.json', '/secret.json', '/basic.json', '/bad-redirect.json', '/moved.json', '/huge.json', '/missing.json'])(
    'refuses the document at %s on a page, never redirecting',
    async (path) => {
      const session = await newSession();
      const { url } = await start(`${docs.url}${path}`, session.url);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    },
  );

  it('answers every failed fetch alike (no status, no reachability, no setting named): a port scan learns nothing', async () => {
    const session = await newSession();
    const closed = await freePort();
    const pages: string[] = [];
    for (const clientId of [
      `${docs.url}/gone.json`,
      `${docs.url}/huge.json`,
      `${docs.url}/moved.json`,
      `http://127.0.0.1:${closed}/client.json`,
      'https://10.0.0.1/client.json',
    ]) {
      const res = await fetch((await start(clientId, session.url)).url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      pages.push((await res.text()).replaceAll(clientId, ''));
    }
    expect(new Set(pages)).toEqual(new Set([pages[0]]));
    expect(pages[0]).toContain('could not be fetched');
    expect(pages[0]).not.toMatch(/LATCHKEY_|404|302|ECONNREFUSED|private/);
  });

  it('fetches documents from public addresses only, even when the operator allows private ones for tool calls', async () => {
    // a listener on this machine counts connections: the probe must never reach it
    let connections = 0;
    const listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as AddressInfo).port;
    const open = await startLiveApp({ env: { LATCHKEY_ALLOW_PRIVATE_NETWORK: 'true', LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'false' } });
    try {
      const res = await open.api('/api/v3.1/tool_router/session', { body: { user_id: 'ada' } });
      const resource = res.body.mcp.url as string;
      for (const clientId of [
        `https://127.0.0.1:${port}/client.json`,
        `https://localhost:${port}/client.json`,
        'https://10.0.0.1/client.json',
      ]) {
        const page = await fetch(authorizeUrl(open.url, authorizationParams(clientId, pkce().challenge, resource)), { redirect: 'manual' });
        expect(page.status, clientId).toBe(400);
        const text = await page.text();
        expect(text).toContain('could not be fetched');
        expect(text).not.toContain('LATCHKEY_');
      }
      expect(connections).toBe(0);
    } finally {
      await open.close();
      listener.close();
    }
  });
});
