import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort } from '../helpers/live-app.ts';
import { callServer, serverEnv, spawnServer, type SpawnedServer } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';

const ACCOUNTS = 12;
const dir = makeTempDir();
let as: TestAuthServer;
let api: FakeUpstream;
const servers: SpawnedServer[] = [];
const apiKey = `ak_${randomBytes(16).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`], accessTokenTtl: 3 });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set());
  mkdirSync(`${dir.path}/toolkits`);
  writeFileSync(`${dir.path}/toolkits/testoauth.json`, JSON.stringify(oauthToolkit(as, api)));
  const env = serverEnv(dir.path, port, apiKey, {
    LATCHKEY_REFRESH_MARGIN_MS: '1500',
    LATCHKEY_REFRESH_INTERVAL_MS: '100',
    LATCHKEY_LOG_LEVEL: 'info',
  });
  servers.push(await spawnServer(dir.path, { ...env, PORT: String(port) }));
  servers.push(await spawnServer(dir.path, { ...env, PORT: '0' }));
}, 60_000);
afterAll(async () => {
  for (const s of servers) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  await api.close();
  await as.close();
  dir.cleanup();
});

const call = (server: SpawnedServer, path: string, body?: unknown) => callServer(server, apiKey, path, body);

describe('two latchkey processes on one database', () => {
  it('refresh each account exactly once per expiry: no refresh token is ever presented twice', async () => {
    const [a, b] = servers as [SpawnedServer, SpawnedServer];
    const config = await call(a, '/api/v3.1/auth_configs', {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    });
    const users = Array.from({ length: ACCOUNTS }, (_, i) => `user-${i}`);
    for (const user of users) {
      as.decide.account = user;
      const link = await call(a, '/api/v3.1/connected_accounts/link', { auth_config_id: config.auth_config.id, user_id: user });
      await new FetchBrowser().follow(link.redirect_url);
    }
    // both processes refresh in the background, and tool calls through both refresh on use
    const end = Date.now() + 9_000;
    const failures: string[] = [];
    let calls = 0;
    await Promise.all(
      [a, b, a, b].map(async (server) => {
        while (Date.now() < end) {
          const user = users[Math.floor(Math.random() * users.length)]!;
          const result = await call(server, '/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { user_id: user, arguments: {} });
          calls += 1;
          if (!result.successful || result.data?.login !== user) failures.push(`${user}: ${JSON.stringify(result).slice(0, 200)}`);
          await sleep(20);
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(50);
    const refreshes = as.tokenCalls.filter((c) => c.grant_type === 'refresh_token');
    const errors = as.tokenCalls.filter((c) => c.grant_type.endsWith(':error'));
    expect(errors).toEqual([]);
    const presented = refreshes.map((c) => c.refresh_token);
    expect(new Set(presented).size).toBe(presented.length);
    // 9 s of 3 s tokens refreshed 1.5 s early: about 6 per account; a double refresh would show as more
    expect(refreshes.length).toBeGreaterThanOrEqual(ACCOUNTS * 3);
    expect(refreshes.length).toBeLessThanOrEqual(ACCOUNTS * 8);
    const list = await call(b, `/api/v3.1/connected_accounts?statuses=ACTIVE&limit=100`);
    expect(list.total_items).toBe(ACCOUNTS);
  }, 60_000);
});
