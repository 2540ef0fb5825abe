import { Composio, ConnectionRequestTimeoutError, logger } from '@composio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startCompatStack, type CompatStack } from './stack.ts';

/**
 * The published @composio/core (v3.1 API generation), pointed at latchkey with `baseURL`, tracking and
 * the version check off, and otherwise used exactly as its documentation shows. Every row marked
 * supported in docs/compatibility.md is exercised here or in the v3 suite.
 */
let stack: CompatStack;
let composio: Composio;

beforeAll(async () => {
  stack = await startCompatStack();
  composio = new Composio({ apiKey: stack.app.apiKey, baseURL: stack.app.url, allowTracking: false, disableVersionCheck: true });
});
afterAll(() => stack.close());

const connectInBrowser = (url: string) => new FetchBrowser().follow(url);

describe('authConfigs', () => {
  it('create (managed and custom), get, list, update, disable, enable, delete', async () => {
    const managed = await composio.authConfigs.create('testoauth', { type: 'use_composio_managed_auth' });
    expect(managed).toMatchObject({ authScheme: 'OAUTH2', isComposioManaged: true, toolkit: 'testoauth' });
    const custom = await composio.authConfigs.create('testoauth', {
      type: 'use_custom_auth',
      authScheme: 'OAUTH2',
      name: 'Custom app',
      credentials: { client_id: stack.as.clientId, client_secret: stack.as.clientSecret },
    });
    const got = await composio.authConfigs.get(custom.id);
    expect(got).toMatchObject({ id: custom.id, name: 'Custom app', authScheme: 'OAUTH2', isComposioManaged: false, status: 'ENABLED' });
    expect(JSON.stringify(got)).not.toContain(stack.as.clientSecret);
    const list = await composio.authConfigs.list({ toolkit: 'testoauth' });
    expect(list.items.map((i) => i.id)).toEqual(expect.arrayContaining([managed.id, custom.id]));
    await composio.authConfigs.update(custom.id, { type: 'custom', credentials: { scopes: 'api:read' } });
    expect((await composio.authConfigs.get(custom.id)).credentials).toMatchObject({ client_id: stack.as.clientId, scopes: 'api:read' });
    await composio.authConfigs.disable(custom.id);
    expect((await composio.authConfigs.get(custom.id)).status).toBe('DISABLED');
    await composio.authConfigs.enable(custom.id);
    expect((await composio.authConfigs.get(custom.id)).status).toBe('ENABLED');
    await composio.authConfigs.delete(custom.id);
    await expect(composio.authConfigs.get(custom.id)).rejects.toThrow();
  });
});

describe('an OAuth2 connection still INITIATED', () => {
  it('lists and reads with state.val.redirectUrl, as the SDK schema requires, and the SDK logs no warning', async () => {
    const warnings: string[] = [];
    logger.configure({ sink: { ...console, warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')) } });
    try {
      const config = await composio.authConfigs.create('testoauth', { type: 'use_composio_managed_auth' });
      const request = await composio.connectedAccounts.link('ines', config.id);
      const listed = await composio.connectedAccounts.list({ userIds: ['ines'] });
      expect(listed.items.map((a) => a.id)).toEqual([request.id]);
      expect(listed.items[0]!.state).toMatchObject({
        authScheme: 'OAUTH2',
        val: { status: 'INITIATED', redirectUrl: request.redirectUrl },
      });
      const one = await composio.connectedAccounts.get(request.id);
      expect(one.state).toMatchObject({ val: { status: 'INITIATED', redirectUrl: request.redirectUrl } });
      expect(warnings).toEqual([]);
    } finally {
      logger.configure({ sink: console });
    }
  });
});

describe('toolkits and tools', () => {
  it('toolkits.get (one and a list), tools.get, and tools.execute with the GET /tools/{slug} it sends first', async () => {
    const one = await composio.toolkits.get('testkey');
    expect(one).toMatchObject({ slug: 'testkey', name: 'Test Key' });
    const list = await composio.toolkits.get({});
    expect(list.map((t) => t.slug)).toContain('github');
    const tool = await composio.tools.getRawComposioToolBySlug('TESTKEY_WHOAMI');
    expect(tool).toMatchObject({ slug: 'TESTKEY_WHOAMI', toolkit: { slug: 'testkey' } });

    const config = await composio.authConfigs.create('testkey', { type: 'use_composio_managed_auth' });
    const connection = await composio.connectedAccounts.initiate('tina', config.id, {
      config: { authScheme: 'API_KEY', val: { api_key: 'key-alpha-123456', region: 'eu' } } as never,
    });
    expect(connection.status).toBe('ACTIVE');
    const result = await composio.tools.execute('TESTKEY_WHOAMI', { userId: 'tina', arguments: {}, dangerouslySkipVersionCheck: true });
    expect(result).toMatchObject({ successful: true, data: { account: { region: 'eu' } } });
    const pinned = await composio.tools.execute('TESTKEY_WHOAMI', {
      userId: 'tina',
      connectedAccountId: connection.id,
      arguments: {},
      version: tool.version,
    });
    expect(pinned.successful).toBe(true);
    const proxied = await composio.tools.proxyExecute({
      endpoint: '/whoami',
      method: 'GET',
      connectedAccountId: connection.id,
      parameters: [{ name: 'x-trace', in: 'header', value: '1' }],
    });
    expect(proxied).toMatchObject({ status: 200, data: { account: { region: 'eu' } } });
  });

  it('toolkits.authorize creates the default auth config and starts a connection', async () => {
    const request = await composio.toolkits.authorize('ursula', 'testoauth');
    expect(request.redirectUrl).toMatch(/\/link\/ln_/);
    stack.as.decide.account = 'ursula';
    await connectInBrowser(request.redirectUrl!);
    expect((await request.waitForConnection(10_000)).status).toBe('ACTIVE');
  });
});

describe('connectedAccounts', () => {
  it('link with the allowMultiple preflight, get, list, disable, enable, refresh, revoke, delete', async () => {
    const config = await composio.authConfigs.create('testkey', { type: 'use_composio_managed_auth' });
    const first = await composio.connectedAccounts.initiate('vic', config.id, {
      config: { authScheme: 'API_KEY', val: { api_key: 'key-alpha-123456', region: 'us' } } as never,
    });
    await expect(composio.connectedAccounts.link('vic', config.id)).rejects.toThrow(/allowMultiple/);
    const second = await composio.connectedAccounts.link('vic', config.id, {
      allowMultiple: true,
      callbackUrl: 'https://app.example.com/cb',
    });
    expect(second.redirectUrl).toMatch(/\/link\/ln_/);

    const got = await composio.connectedAccounts.get(first.id);
    expect(got).toMatchObject({ id: first.id, status: 'ACTIVE', toolkit: { slug: 'testkey' } });
    const list = await composio.connectedAccounts.list({ userIds: ['vic'], statuses: ['ACTIVE', 'INITIATED'] });
    expect(list.items.map((i) => i.id).sort()).toEqual([first.id, second.id].sort());

    await composio.connectedAccounts.disable(first.id);
    expect((await composio.connectedAccounts.get(first.id)).isDisabled).toBe(true);
    await composio.connectedAccounts.enable(first.id);
    expect((await composio.connectedAccounts.get(first.id)).status).toBe('ACTIVE');

    const refreshed = await composio.connectedAccounts.refresh(first.id);
    expect(refreshed).toMatchObject({ id: first.id, status: 'INITIATED' });
    const revoked = await composio.connectedAccounts.revoke(second.id).catch((e) => e);
    expect(revoked).toBeInstanceOf(Error);
    await composio.connectedAccounts.delete(second.id);
    await expect(composio.connectedAccounts.get(second.id)).rejects.toThrow();
  });

  it('waitForConnection times out while the user has not connected', async () => {
    const config = await composio.authConfigs.create('testoauth', { type: 'use_composio_managed_auth' });
    const request = await composio.connectedAccounts.link('wes', config.id);
    await expect(request.waitForConnection(1500)).rejects.toBeInstanceOf(ConnectionRequestTimeoutError);
  });

  it("maps latchkey's 4xx answers to the SDK's errors", async () => {
    const missing = await composio.connectedAccounts.get('ca_doesnotexist').catch((e) => e);
    expect(missing).toBeInstanceOf(Error);
    expect(String(missing.message ?? missing)).toMatch(/not found|404/i);
    const bad = await composio.authConfigs.create('nope-toolkit', { type: 'use_composio_managed_auth' }).catch((e) => e);
    expect(bad).toBeInstanceOf(Error);
    const unauthorised = new Composio({
      apiKey: 'ak_wrongwrongwrongwrong',
      baseURL: stack.app.url,
      allowTracking: false,
      disableVersionCheck: true,
    });
    const denied = await unauthorised.authConfigs.list().catch((e) => e);
    expect(denied).toBeInstanceOf(Error);
    expect(String(denied.status ?? denied.cause?.status ?? denied.message)).toMatch(/401|Unauthori|API key/i);
  });
});

describe('sessions', () => {
  it('create with authConfigs, connectedAccounts and manageConnections; mcp; tools; toolkits; authorize; execute', async () => {
    const config = await composio.authConfigs.create('testkey', { type: 'use_composio_managed_auth' });
    const account = await composio.connectedAccounts.initiate('xavi', config.id, {
      config: { authScheme: 'API_KEY', val: { api_key: 'key-bravo-654321', region: 'eu' } } as never,
    });
    const session = await composio.create('xavi', {
      toolkits: ['testkey', 'testoauth'],
      authConfigs: { testkey: config.id },
      connectedAccounts: { testkey: account.id },
      manageConnections: { callbackUrl: 'https://app.example.com/done' },
      preload: { tools: ['TESTKEY_WHOAMI', 'TESTOAUTH_GET_ME'] },
      mcp: true,
    });
    expect(session.mcp.url).toBe(`${stack.app.url}/tool_router/${session.sessionId}/mcp`);
    const names = ((await session.tools()) as Array<{ function: { name: string } }>).map((t) => t.function.name);
    expect(names).toEqual(expect.arrayContaining(['COMPOSIO_SEARCH_TOOLS', 'TESTKEY_WHOAMI', 'TESTOAUTH_GET_ME']));
    const toolkits = await session.toolkits();
    expect(toolkits.items.find((t) => t.slug === 'testkey')?.connection?.isActive).toBe(true);
    expect((await session.execute('TESTKEY_WHOAMI', {})).data).toMatchObject({ account: { region: 'eu' } });
    const proxied = await session.proxyExecute({ toolkit: 'testkey', endpoint: '/whoami', method: 'GET' });
    expect(proxied).toMatchObject({ status: 200, data: { account: { region: 'eu' } } });

    const request = await session.authorize('testoauth');
    const timedOut = await request.waitForConnection(1200).catch((e) => e);
    expect(timedOut).toBeInstanceOf(ConnectionRequestTimeoutError);
    stack.as.decide.account = 'xavi';
    const { leftTo } = await connectInBrowser(request.redirectUrl!);
    expect(leftTo).toMatch(/^https:\/\/app\.example\.com\/done\?status=success&connected_account_id=ca_/);
    expect((await request.waitForConnection(5000)).status).toBe('ACTIVE');
    expect((await session.execute('TESTOAUTH_GET_ME', {})).data).toMatchObject({ login: 'xavi' });
  });
});

describe('triggers.verifyWebhook', () => {
  it("accepts latchkey's signed events and refuses a tampered one", async () => {
    const sub = await stack.app.api('/api/v3.1/webhook_subscriptions', {
      body: { webhook_url: stack.receiver.url, enabled_events: ['composio.connected_account.active'] },
    });
    const config = await composio.authConfigs.create('testkey', { type: 'use_composio_managed_auth' });
    const account = await composio.connectedAccounts.initiate('yara', config.id, {
      config: { authScheme: 'API_KEY', val: { api_key: 'key-alpha-123456', region: 'us' } } as never,
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !stack.receiver.state.received.some((r) => r.accountId === account.id))
      await new Promise((r) => setTimeout(r, 100));
    const hook = stack.receiver.state.received.find((r) => r.accountId === account.id)!;
    const verified = await composio.triggers.verifyWebhook({
      payload: hook.body,
      signature: hook.signature,
      secret: sub.body.secret,
      id: hook.id,
      timestamp: hook.timestamp,
    });
    expect(verified.version).toBe('V3');
    await expect(
      composio.triggers.verifyWebhook({
        payload: hook.body,
        signature: hook.signature,
        secret: 'whsec_wrong',
        id: hook.id,
        timestamp: hook.timestamp,
      }),
    ).rejects.toThrow();
  });
});
