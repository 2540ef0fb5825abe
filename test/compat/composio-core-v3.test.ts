// @ts-nocheck -- the older SDK is installed under an alias; its types are not needed to drive it
import { Composio } from 'composio-core-v08';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startCompatStack, type CompatStack } from './stack.ts';

/**
 * The older API generation: @composio/core 0.8.1 speaks /api/v3 (it runs meta tools through `execute`;
 * `execute_meta`, which older 0.x releases send, is covered by the REST session tests).
 */
let stack: CompatStack;
let composio: Composio;

beforeAll(async () => {
  stack = await startCompatStack();
  composio = new Composio({ apiKey: stack.app.apiKey, baseURL: stack.app.url, allowTracking: false, disableVersionCheck: true });
});
afterAll(() => stack.close());

describe('@composio/core 0.8 (API v3) against latchkey', () => {
  it('auth configs, connected accounts, tool execution, sessions with meta tools, and Connect Links', async () => {
    const config = await composio.authConfigs.create('testkey', { type: 'use_composio_managed_auth' });
    expect(config.id).toMatch(/^ac_/);
    expect((await composio.authConfigs.get(config.id)).authScheme).toBe('API_KEY');
    const account = await composio.connectedAccounts.initiate('ola', config.id, {
      config: { authScheme: 'API_KEY', val: { api_key: 'key-alpha-123456', region: 'us' } },
    });
    expect(account.status).toBe('ACTIVE');
    expect((await composio.connectedAccounts.list({ userIds: ['ola'] })).items.map((i) => i.id)).toEqual([account.id]);
    const executed = await composio.tools.execute('TESTKEY_WHOAMI', { userId: 'ola', arguments: {}, dangerouslySkipVersionCheck: true });
    expect(executed).toMatchObject({ successful: true, data: { account: { region: 'us' } } });

    const session = await composio.create('ola', {
      toolkits: ['testkey', 'testoauth'],
      connectedAccounts: { testkey: account.id },
      preload: { tools: ['TESTKEY_WHOAMI'] },
    });
    expect(session.sessionId).toMatch(/^trs_/);
    const names = (await session.tools()).map((t) => t.function?.name ?? t.name);
    expect(names).toEqual(expect.arrayContaining(['COMPOSIO_SEARCH_TOOLS', 'TESTKEY_WHOAMI']));
    const run = await session.execute('TESTKEY_WHOAMI', {});
    expect(run.data).toMatchObject({ account: { region: 'us' } });
    const meta = await session.execute('COMPOSIO_SEARCH_TOOLS', { queries: [{ use_case: 'who owns this api key' }] });
    expect(meta.data.results[0].primary_tool_slugs).toContain('TESTKEY_WHOAMI');

    const request = await session.authorize('testoauth');
    stack.as.decide.account = 'ola';
    await new FetchBrowser().follow(request.redirectUrl);
    expect((await request.waitForConnection(10_000)).status).toBe('ACTIVE');
    expect((await session.execute('TESTOAUTH_GET_ME', {})).data).toMatchObject({ login: 'ola' });

    // it really spoke the older generation: latchkey's access log saw /api/v3 paths only
    const paths = stack.app.logs
      .map((l) => JSON.parse(l))
      .filter((e) => e.msg === 'request' && e.path.startsWith('/api/'))
      .map((e) => e.path as string);
    expect(paths.filter((p) => p.startsWith('/api/v3/')).length).toBeGreaterThan(5);
    expect(paths.filter((p) => p.startsWith('/api/v3.1/'))).toEqual([]);
    expect(paths).toContain(`/api/v3/tool_router/session/${session.sessionId}/execute`);
  });
});
