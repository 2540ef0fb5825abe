import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedAad, sealed } from '../../storage/schema.ts';
import { flushExecutionLog } from '../../src/services/execution-log.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { databaseContents } from '../helpers/database-contents.ts';
import { accessLogsWritten } from '../helpers/logs.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { authorizationParams, authorizeUrl, consent, fullGrant, mcpList, pkce, register, tokenRequest } from '../helpers/mcp-oauth.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { apiKeyToolkit, oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { webhookReceiver } from '../fixtures/webhook-receiver.ts';

/**
 * After a full run of the product (OAuth and API-key connections, refreshes, sessions, MCP calls,
 * webhooks, failures), no token, key or client secret appears in plain text in the database, its WAL,
 * the logs, or any API answer (beyond the values an endpoint exists to hand out once).
 */
let as: TestAuthServer;
let api: FakeUpstream;
let app: LiveApp;
const responses: string[] = [];
const API_KEY_CREDENTIAL = 'key-alpha-123456';

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`], accessTokenTtl: 2 });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set([API_KEY_CREDENTIAL]));
  app = await startLiveApp({
    port,
    toolkits: [oauthToolkit(as, api), apiKeyToolkit(api)],
    env: {
      LATCHKEY_REFRESH_MARGIN_MS: '800',
      LATCHKEY_REFRESH_INTERVAL_MS: '200',
      LATCHKEY_WEBHOOK_INTERVAL_MS: '100',
      LATCHKEY_LOG_LEVEL: 'debug',
      // the execution log keeps arguments and results: masked and sealed, never in clear
      LATCHKEY_LOG_PAYLOADS: 'all',
    },
  });
});
afterAll(async () => {
  await app.close();
  await api.close();
  await as.close();
});

async function call(path: string, body?: unknown, method?: string) {
  const res = await app.api(path, { body, method });
  responses.push(JSON.stringify(res.body));
  return res;
}

describe('secrets after a full run', () => {
  it('never appear in plain text in the database, the WAL, the logs or API answers', async () => {
    const receiver = webhookReceiver(api);
    const sub = await call('/api/v3.1/webhook_subscriptions', {
      webhook_url: receiver.url,
      enabled_events: ['composio.connected_account.active', 'composio.connected_account.expired'],
    });
    const webhookSecret = sub.body.secret as string;
    const oauthConfig = await call('/api/v3.1/auth_configs', {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    });
    const keyConfig = await call('/api/v3.1/auth_configs', { toolkit: { slug: 'testkey' } });
    const keyAccount = await call('/api/v3.1/connected_accounts', {
      auth_config: { id: keyConfig.body.auth_config.id },
      connection: { user_id: 'sam', state: { authScheme: 'API_KEY', val: { api_key: API_KEY_CREDENTIAL, region: 'eu' } } },
    });
    as.decide.account = 'sam';
    const link = await call('/api/v3.1/connected_accounts/link', { auth_config_id: oauthConfig.body.auth_config.id, user_id: 'sam' });
    await new FetchBrowser().follow(link.body.redirect_url);
    // tools preloaded, so the MCP calls run (and the execution log keeps their payloads)
    const session = await call('/api/v3.1/tool_router/session', {
      user_id: 'sam',
      toolkits: ['testoauth', 'testkey'],
      preload: { tools: 'all' },
    });
    const sessionToken = session.body.mcp.headers['x-session-token'] as string;
    const client = new Client({ name: 'scan', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(session.body.mcp.url), { requestInit: { headers: session.body.mcp.headers } }),
    );
    // calls across several token expiries, through REST and MCP
    const seenAccessTokens = new Set<string>();
    const seenRefreshTokens = new Set<string>();
    const accountId = link.body.connected_account_id as string;
    for (let i = 0; i < 10; i++) {
      responses.push(JSON.stringify(await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} })));
      responses.push(JSON.stringify(await client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} })));
      await call('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { user_id: 'sam', arguments: {} });
      const row = await app.deps.db.selectFrom('connected_accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
      const creds = app.deps.vault.openJson<Record<string, string>>(
        row.credentials_sealed!,
        sealedAad(sealed('connected_accounts', 'credentials_sealed'), accountId),
      );
      seenAccessTokens.add(creds.access_token!);
      seenRefreshTokens.add(creds.refresh_token!);
      await new Promise((r) => setTimeout(r, 400));
    }
    await client.close();
    expect(seenRefreshTokens.size).toBeGreaterThan(1);
    // an MCP client by OAuth (latchkey as authorization server): a confidential client, its code, tokens, a rotation
    const grant = await fullGrant(app.url, session.body.mcp.url, sessionToken, { token_endpoint_auth_method: 'client_secret_post' });
    expect((await mcpList(session.body.mcp.url, `Bearer ${grant.tokens.access_token}`)).status).toBe(200);
    const rotated = await tokenRequest(app.url, {
      grant_type: 'refresh_token',
      refresh_token: grant.tokens.refresh_token,
      client_id: grant.client.client_id,
      client_secret: grant.client.client_secret,
    });
    expect(rotated.status).toBe(200);
    const mcpOAuthSecrets = [
      grant.client.client_secret,
      grant.code,
      grant.tokens.access_token,
      grant.tokens.refresh_token,
      rotated.body.access_token,
      rotated.body.refresh_token,
    ] as string[];
    await call(`/api/v3.1/connected_accounts/${accountId}`);
    await call('/api/v3.1/connected_accounts?user_ids=sam');
    await call(`/api/v3.1/auth_configs/${oauthConfig.body.auth_config.id}`);
    await call(`/api/v3.1/webhook_subscriptions/${sub.body.id}`);
    await call('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { user_id: 'nobody', arguments: {} });
    // a call whose own arguments carry the account's credential: the log keeps it masked, and sealed
    const proxy = await call('/api/v3.1/tools/execute/proxy', {
      endpoint: '/whoami',
      method: 'GET',
      connected_account_id: keyAccount.body.id,
      parameters: [{ name: 'x-note', type: 'header', value: API_KEY_CREDENTIAL }],
    });
    expect(proxy.status, JSON.stringify(proxy.body)).toBe(200);
    await flushExecutionLog(app.deps);
    const logged = await app.deps.db.selectFrom('tool_executions').selectAll().where('payload_sealed', 'is not', null).execute();
    expect(logged.length).toBeGreaterThan(20);
    const proxied = logged.find((row) => row.tool_slug === 'COMPOSIO_PROXY_EXECUTE')!;
    const payload = app.deps.vault.open(proxied.payload_sealed!, sealedAad(sealed('tool_executions', 'payload_sealed'), proxied.id));
    expect(payload).toContain('••••3456');
    expect(payload).not.toContain(API_KEY_CREDENTIAL);
    expect(await app.deps.db.selectFrom('audit_events').select('id').execute()).not.toHaveLength(0);

    await accessLogsWritten();
    const stored = [
      ...seenAccessTokens,
      ...seenRefreshTokens,
      as.clientSecret,
      API_KEY_CREDENTIAL,
      app.apiKey,
      webhookSecret,
      sessionToken,
      link.body.link_token,
      ...mcpOAuthSecrets,
    ];
    const files = databaseContents(app.deps.config);
    for (const secret of stored) {
      for (const file of files) expect(file.includes(Buffer.from(secret)), `${secret.slice(0, 6)}… in the database files`).toBe(false);
      expect(app.logs.join('\n').includes(secret), `${secret.slice(0, 6)}… in the logs`).toBe(false);
    }
    // handed out once by design: the webhook secret (on create), the session token (session answers), the link token (link answers)
    const neverInAnswers = [...seenAccessTokens, ...seenRefreshTokens, as.clientSecret, API_KEY_CREDENTIAL, app.apiKey];
    const answers = responses.join('\n');
    for (const secret of neverInAnswers) expect(answers.includes(secret), `${secret.slice(0, 6)}… in an API answer`).toBe(false);
    // and the scan is a real scan: non-secret values are there to find
    expect(files.some((f) => f.includes(Buffer.from(as.clientId)))).toBe(true);
    expect(answers).toContain('"login":"sam"');
  }, 60_000);
});

describe('secrets of a connection waiting for the verifier', () => {
  it('the session_uri, the held credentials and a held MCP request id never appear in plain text in the database, the WAL or the logs', async () => {
    const port = await freePort();
    const verifyingAs = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
    const upstream = await startFakeUpstream();
    const heldKey = 'key-bravo-654321';
    serveTestApis(upstream, verifyingAs, new Set([heldKey]));
    const verifier = await startFakeUpstream();
    const verifying = await startLiveApp({
      port,
      toolkits: [oauthToolkit(verifyingAs, upstream), apiKeyToolkit(upstream)],
      env: { LATCHKEY_USER_VERIFIER_URL: `${verifier.url}/verify`, LATCHKEY_LOG_LEVEL: 'debug' },
    });
    try {
      const oauthConfig = await verifying.api('/api/v3.1/auth_configs', {
        body: {
          toolkit: { slug: 'testoauth' },
          auth_config: {
            type: 'use_custom_auth',
            credentials: { client_id: verifyingAs.clientId, client_secret: verifyingAs.clientSecret },
          },
        },
      });
      const keyConfig = await verifying.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
      verifyingAs.decide.account = 'vera';
      const oauthLink = await verifying.api('/api/v3.1/connected_accounts/link', {
        body: { auth_config_id: oauthConfig.body.auth_config.id, user_id: 'vera' },
      });
      const { visited } = await new FetchBrowser().follow(oauthLink.body.redirect_url);
      const oauthRef = new URL(visited.at(-1)!).searchParams.get('session_uri')!;
      expect(oauthRef).toBeTruthy();

      const keyLink = await verifying.api('/api/v3.1/connected_accounts/link', {
        body: { auth_config_id: keyConfig.body.auth_config.id, user_id: 'vera' },
      });
      const posted = await new FetchBrowser().submitForm(keyLink.body.redirect_url, { region: 'eu', api_key: heldKey });
      const keyRef = new URL(posted.headers.get('location')!).searchParams.get('session_uri')!;
      expect(keyRef).toBeTruthy();

      // an MCP client's authorization waiting for the verifier too: its reference and its request id
      const session = (await verifying.api('/api/v3.1/tool_router/session', { body: { user_id: 'vera' } })).body;
      const mcpClient = (await register(verifying.url)).body;
      const paused = await consent(
        authorizeUrl(verifying.url, authorizationParams(mcpClient.client_id, pkce().challenge, session.mcp.url)),
        '',
      );
      const mcpRef = new URL(paused.location!).searchParams.get('session_uri')!;
      const mcpRow = await verifying.deps.db
        .selectFrom('verifications')
        .selectAll()
        .where('kind', '=', 'mcp_authorization')
        .executeTakeFirstOrThrow();
      const { requestId } = verifying.deps.vault.openJson<{ requestId: string }>(
        mcpRow.payload_sealed,
        sealedAad(sealed('verifications', 'payload_sealed'), mcpRow.id),
      );
      expect(requestId).toMatch(/^lkq_/);

      // what the OAuth flow holds: the tokens the provider issued, sealed in the verification row
      const rows = await verifying.deps.db.selectFrom('verifications').selectAll().where('kind', '=', 'connection').execute();
      expect(rows).toHaveLength(2);
      const held = rows.map((row) =>
        verifying.deps.vault.openJson<{ credentials: Record<string, string> }>(
          row.payload_sealed,
          sealedAad(sealed('verifications', 'payload_sealed'), row.id),
        ),
      );
      const tokens = held.flatMap((h) => [h.credentials.access_token, h.credentials.refresh_token]).filter((t): t is string => !!t);
      expect(tokens.length).toBe(2);
      expect(held.some((h) => h.credentials.api_key === heldKey)).toBe(true);

      // one is completed, one is left waiting: neither reference nor any held secret is readable anywhere
      expect(
        (await verifying.api('/api/v3.1/connected_accounts/complete_auth', { body: { session_uri: keyRef, user_id: 'vera' } })).status,
      ).toBe(200);
      await accessLogsWritten();
      const files = databaseContents(verifying.deps.config);
      for (const secret of [oauthRef, keyRef, mcpRef, requestId, heldKey, ...tokens]) {
        for (const file of files) expect(file.includes(Buffer.from(secret)), `${secret.slice(0, 6)}… in the database files`).toBe(false);
        expect(verifying.logs.join('\n').includes(secret), `${secret.slice(0, 6)}… in the logs`).toBe(false);
      }
      // the scan is a real scan: the references' hashes and the non-secret user id are there
      expect(files.some((f) => f.includes(Buffer.from('vera')))).toBe(true);
    } finally {
      await verifying.close();
      await verifier.close();
      await upstream.close();
      await verifyingAs.close();
    }
  }, 60_000);
});
