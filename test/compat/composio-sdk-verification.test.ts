import { Composio } from '@composio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startCompatStack, type CompatStack } from './stack.ts';

/**
 * @composio/core 0.21's `connectedAccounts.completeAuth` in an app's verifier route, against latchkey
 * with LATCHKEY_USER_VERIFIER_URL set.
 */

let stack: CompatStack;
let web: FakeUpstream;
let composio: Composio;
let authConfigId: string;
/** who is signed in to the app (its own login session) */
let signedInAs = 'sdk-owner';
const outcomes: Array<{ sessionUri: string; result?: unknown; error?: unknown }> = [];

beforeAll(async () => {
  web = await startFakeUpstream();
  stack = await startCompatStack({ LATCHKEY_USER_VERIFIER_URL: `${web.url}/verify` });
  composio = new Composio({ apiKey: stack.app.apiKey, baseURL: stack.app.url, allowTracking: false, disableVersionCheck: true });
  // @composio/core 0.21 declares @composio/client 2.0.0-rc.8, whose connectedAccounts.completeAuth
  // POSTs its body to /api/v3.1/connected_accounts/complete_auth; the rc.6 installed here predates that
  // method, so the same call is added on the installed client, through the client's own post.
  const client = (composio.connectedAccounts as unknown as { client: any }).client;
  client.connectedAccounts.completeAuth ??= (body: unknown, options?: object) =>
    client.post('/api/v3.1/connected_accounts/complete_auth', { body, ...options });
  // the app's verifier route: read its own login, redeem the session_uri for that user
  web.on('/verify', async (req, res) => {
    const sessionUri = new URL(req.url, web.url).searchParams.get('session_uri')!;
    try {
      const result = await composio.connectedAccounts.completeAuth({ userId: signedInAs, sessionUri });
      outcomes.push({ sessionUri, result });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('connected');
    } catch (error) {
      outcomes.push({ sessionUri, error });
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('not you');
    }
  });
  authConfigId = (await composio.authConfigs.create('testoauth', { type: 'use_composio_managed_auth' })).id;
});
afterAll(async () => {
  await stack.close();
  await web.close();
});

describe("@composio/core's connectedAccounts.completeAuth against latchkey", () => {
  it('activates the connection for its owner, and waitForConnection sees it ACTIVE', async () => {
    signedInAs = 'sdk-owner';
    stack.as.decide.account = 'sdk-owner';
    const request = await composio.connectedAccounts.link('sdk-owner', authConfigId);
    const waiting = request.waitForConnection(20_000);
    const { response } = await new FetchBrowser().follow(request.redirectUrl!);
    expect(await response.text()).toBe('connected');
    expect(outcomes.at(-1)!.result).toEqual({ connectedAccountId: request.id, toolkitSlug: 'testoauth' });
    expect((await waiting).status).toBe('ACTIVE');
    // the session_uri was single-use
    await expect(
      composio.connectedAccounts.completeAuth({ userId: 'sdk-owner', sessionUri: outcomes.at(-1)!.sessionUri }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('throws for another user, and the connection ends FAILED (waitForConnection fails fast)', async () => {
    signedInAs = 'someone-else';
    stack.as.decide.account = 'someone-else';
    const request = await composio.connectedAccounts.link('sdk-target', authConfigId);
    await new FetchBrowser().follow(request.redirectUrl!);
    expect(outcomes.at(-1)!.error).toMatchObject({ status: 400 });
    expect((await composio.connectedAccounts.get(request.id)).status).toBe('FAILED');
    await expect(request.waitForConnection(5_000)).rejects.toThrow();
  });
});
