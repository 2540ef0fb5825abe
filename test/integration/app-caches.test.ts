import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { refreshAccount } from '../../src/refresh/refresh-account.ts';
import { sealCredentials } from '../../src/services/account-state.ts';
import { getSession } from '../../src/sessions/session.ts';
import { sessionTools } from '../../src/sessions/tool-lists.ts';
import { apiKeysRepo } from '../../storage/repos/api-keys.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import type { TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit } from '../fixtures/toolkits.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { activeOAuth2Account } from '../helpers/seed.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let one: TestApp;
let two: TestApp;

beforeAll(async () => {
  [one, two] = await Promise.all([createTestApp(), createTestApp()]);
});
afterAll(async () => {
  await Promise.all([one.close(), two.close()]);
});

describe('two apps in one process', () => {
  it('keep their own refreshes in flight: single flight within an app, never across apps', async () => {
    // the same account id in both (ids are per database): each app must run its own refresh
    const first = refreshAccount(one.deps, 'ca_same_id_in_both');
    const other = refreshAccount(two.deps, 'ca_same_id_in_both');
    expect(other).not.toBe(first);
    expect(refreshAccount(one.deps, 'ca_same_id_in_both')).toBe(first);
    expect(await Promise.all([first, other])).toEqual(['not_refreshable', 'not_refreshable']);
  });

  it('keep their own parsed session configs and the tool lists derived from them', async () => {
    const created = await one.call('/api/v3.1/tool_router/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'u1', toolkits: ['github'] }),
    });
    const id = ((await created.json()) as { session_id: string }).session_id;
    // the second app reads the same session from the first app's database
    const inOne = await getSession(one.deps, id);
    const inTwo = await getSession({ db: one.deps.db, caches: two.deps.caches }, id);
    expect((await getSession(one.deps, id)).config).toBe(inOne.config);
    expect(inTwo.config).not.toBe(inOne.config);
    expect(inTwo.config).toEqual(inOne.config);
    expect(sessionTools(two.deps, inTwo.config)).not.toBe(sessionTools(one.deps, inOne.config));
  });

  it('on one database, refresh an account once between them: each holds leases under its own name', async () => {
    const provider = await startFakeUpstream();
    provider.on('/token', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'at-2', token_type: 'bearer', expires_in: 3600, refresh_token: 'rt-2' }));
    });
    const dir = makeTempDir();
    mkdirSync(`${dir.path}/toolkits`);
    writeFileSync(
      `${dir.path}/toolkits/testoauth.json`,
      JSON.stringify(oauthToolkit({ issuer: provider.url } as TestAuthServer, provider)),
    );
    const env = {
      LATCHKEY_DATA_DIR: `${dir.path}/data`,
      LATCHKEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LATCHKEY_TOOLKITS_DIR: `${dir.path}/toolkits`,
      LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true',
    };
    const a = await createTestApp({ env });
    const b = await createTestApp({ env });
    try {
      const config = await a.call('/api/v3.1/auth_configs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          toolkit: { slug: 'testoauth' },
          auth_config: { type: 'use_custom_auth', credentials: { client_id: 'cid', client_secret: 'csecret' } },
        }),
      });
      const now = Date.now();
      const id = 'ca_sharedbetweenapps';
      await connectedAccountsRepo(a.deps.db).insert(
        activeOAuth2Account({
          id,
          userId: 'u1',
          toolkitSlug: 'testoauth',
          authConfigId: ((await config.json()) as { auth_config: { id: string } }).auth_config.id,
          credentialsSealed: sealCredentials(a.deps, id, { access_token: 'at-1', refresh_token: 'rt-1', token_type: 'bearer' }),
          // inside the refresh margin: due
          expiresAt: now + 1000,
          now,
        }),
      );
      const outcomes = await Promise.all([refreshAccount(a.deps, id), refreshAccount(b.deps, id)]);
      expect(outcomes.sort()).toEqual(['fresh', 'refreshed']);
      expect(provider.requests.filter((r) => r.url.startsWith('/token'))).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close(), provider.close()]);
      dir.cleanup();
    }
  });

  it('on one database, stop an MCP client at once when the other app revokes its API key or deletes its session', async () => {
    const dir = makeTempDir();
    const env = { LATCHKEY_DATA_DIR: `${dir.path}/data`, LATCHKEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    mkdirSync(env.LATCHKEY_DATA_DIR);
    const a = await createTestApp({ env });
    const b = await createTestApp({ env });
    try {
      const created = await a.call('/api/v3.1/tool_router/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'u1', toolkits: ['github'] }),
      });
      const id = ((await created.json()) as { session_id: string }).session_id;
      const { id: keyId, key } = await createApiKey(a.deps, 'sdk client');
      // the lookups of an MCP call are prepared once per process: each call still reads the rows
      const list = (apiKey: string) =>
        b.app.request(`/tool_router/${id}/mcp`, {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
        });
      for (let i = 0; i < 3; i++) expect((await list(key)).status).toBe(200);
      await apiKeysRepo(a.deps.db).revoke(keyId, Date.now());
      expect((await list(key)).status).toBe(401);
      expect((await list(b.apiKey)).status).toBe(200);
      expect((await a.call(`/api/v3.1/tool_router/session/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
      expect((await list(b.apiKey)).status).toBe(404);
    } finally {
      await Promise.all([a.close(), b.close()]);
      dir.cleanup();
    }
  });
});
