import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../storage/db.ts';
import { migrationProvider } from '../../storage/migrations/index.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { outboxRepo } from '../../storage/repos/webhooks.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { parseConfig } from '../../src/config.ts';
import { Vault } from '../../src/vault/vault.ts';
import { activeOAuth2Account } from '../helpers/seed.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort } from '../helpers/live-app.ts';
import { startCluster, type Cluster } from '../helpers/postgres.ts';
import { callServer, serverEnv, spawnServer, type SpawnedServer } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createTestDatabase } from '../helpers/test-database.ts';
import { until } from '../helpers/wait.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';

/**
 * Several real latchkey processes (src/main.ts, spawned) on one PostgreSQL database, with oidc-provider
 * as the OAuth server: the multi-machine guarantees of the README's "Running on PostgreSQL". Always on
 * PostgreSQL, whatever LATCHKEY_TEST_BACKEND says.
 */

const ACCOUNTS = 200;
const STARTING = { startMs: 90_000 };
const dir = makeTempDir();
const apiKey = `ak_${randomBytes(16).toString('hex')}`;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let storage: Storage;
let as: TestAuthServer;
let api: FakeUpstream;
let env: Record<string, string>;
const servers: SpawnedServer[] = [];
/** every delivery the receiver got: the event's id (webhook-id) and its account, in arrival order */
const deliveries: Array<{ eventId: string; accountId: string }> = [];

const call = (server: SpawnedServer, path: string, body?: unknown) => callServer(server, apiKey, path, body);
const anyServer = () => servers[Math.floor(Math.random() * servers.length)]!;

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const CREDENTIALS = sealed('connected_accounts', 'credentials_sealed');

/** A grant and a refresh token at the provider, as its code flow would issue them (scopes of the toolkit). */
async function mintRefreshToken(accountId: string): Promise<string> {
  const { provider } = as;
  const client = await provider.Client.find(as.clientId);
  const grant = new provider.Grant({ accountId, clientId: as.clientId });
  grant.addOIDCScope('offline_access api:read');
  const grantId = await grant.save();
  const token = new provider.RefreshToken({
    accountId,
    client: client!,
    grantId,
    scope: 'offline_access api:read',
    gty: 'authorization_code',
    authTime: Math.floor(Date.now() / 1000),
    expiresWithSession: false,
  } as never);
  return token.save();
}

beforeAll(async () => {
  database = await createTestDatabase();
  storage = openStorage({ dialect: 'postgres', url: database.url });
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  api = await startFakeUpstream();
  serveTestApis(api, as, new Set());
  api.on('/hooks', (req, res) => {
    const body = JSON.parse(req.body) as { data: { id: string } };
    deliveries.push({ eventId: String(req.headers['webhook-id']), accountId: body.data.id });
    res.writeHead(200);
    res.end();
  });
  mkdirSync(`${dir.path}/toolkits`);
  writeFileSync(`${dir.path}/toolkits/testoauth.json`, JSON.stringify(oauthToolkit(as, api)));
  // one key ring and one public URL for every process; the callback lands on the first, links come from any
  env = serverEnv(dir.path, port, apiKey, {
    LATCHKEY_DATABASE_URL: database.url,
    LATCHKEY_REFRESH_INTERVAL_MS: '100',
    LATCHKEY_WEBHOOK_INTERVAL_MS: '50',
  });
  // four processes starting at once on an empty database
  // (on a busy 2-core machine four cold starts at once take a while)
  servers.push(...(await Promise.all([port, 0, 0, 0].map((p) => spawnServer(dir.path, { ...env, PORT: String(p) }, undefined, STARTING)))));
}, 120_000);

afterAll(async () => {
  for (const s of servers) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  await storage?.close();
  await database?.drop();
  await api?.close();
  await as?.close();
  dir.cleanup();
});

describe('four latchkey processes on one PostgreSQL database', () => {
  it('migrate an empty database once when they start at once, and all come up healthy', async () => {
    for (const server of servers) expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const applied = await sql<{ name: string; n: number }>`select name, count(*) as n from kysely_migration group by name`.execute(
      storage.db,
    );
    const expected = Object.keys(await migrationProvider.getMigrations()).sort();
    expect(applied.rows.map((r) => r.name).sort()).toEqual(expected);
    for (const row of applied.rows) expect(Number(row.n), row.name).toBe(1);
  });

  it('race over 200 due accounts: exactly one refresh each, no rotated refresh token presented again', async () => {
    const config = await call(servers[0]!, '/api/v3.1/auth_configs', {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    });
    // 200 connected accounts as the Connect flow leaves them (a real grant and refresh token each at the
    // provider), written at once with their access tokens already expired: four background refreshers,
    // and tool calls through all four processes, race for them
    const vault = new Vault(parseConfig(env).encryptionKeys!);
    const now = Date.now();
    const accounts = await Promise.all(
      Array.from({ length: ACCOUNTS }, async (_, i) => {
        const id = `ca_race${String(i).padStart(4, '0')}`;
        const credentials = { access_token: 'expired', token_type: 'Bearer', refresh_token: await mintRefreshToken(`racer-${i}`) };
        return activeOAuth2Account({
          id,
          userId: `racer-${i}`,
          toolkitSlug: 'testoauth',
          authConfigId: config.auth_config.id,
          credentialsSealed: vault.sealJson(credentials, sealedAad(CREDENTIALS, id)),
          expiresAt: now - 1000,
          now,
        });
      }),
    );
    await connectedAccountsRepo(storage.db).insertMany(accounts);
    let calling = true;
    const calls = inParallel([0, 1, 2, 3, 4, 5], 6, async () => {
      while (calling) {
        const i = Math.floor(Math.random() * ACCOUNTS);
        const result = await call(anyServer(), '/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { user_id: `racer-${i}`, arguments: {} });
        expect(result, `racer-${i}`).toMatchObject({ successful: true, data: { login: `racer-${i}` } });
      }
    });
    try {
      await until(
        'every account refreshed',
        async () => (await storage.db.selectFrom('connected_accounts').select('id').where('expires_at', '<=', now).execute()).length === 0,
        60_000,
      );
    } finally {
      calling = false;
      await calls;
    }
    const refreshes = as.tokenCalls.filter((c) => c.grant_type === 'refresh_token');
    // a reused refresh token would show here (oidc-provider refuses it and revokes the grant)
    expect(as.tokenCalls.filter((c) => c.grant_type.endsWith(':error'))).toEqual([]);
    expect(refreshes).toHaveLength(ACCOUNTS);
    expect(new Set(refreshes.map((c) => c.account)).size).toBe(ACCOUNTS);
    const statuses = await storage.db.selectFrom('connected_accounts').select('status').distinct().execute();
    expect(statuses).toEqual([{ status: 'ACTIVE' }]);
  }, 90_000);

  it('deliver each webhook event once across the processes, and each account’s events in order', async () => {
    await call(servers[0]!, '/api/v3.1/webhook_subscriptions', {
      webhook_url: `${api.url}/hooks`,
      enabled_events: ['composio.connected_account.active'],
    });
    const subscription = await storage.db.selectFrom('webhook_subscriptions').select('id').executeTakeFirstOrThrow();
    // three events for each of the 200 accounts, interleaved, all due at once (as the outbox holds
    // them: the body as it is sent, src/delivery/deliver.ts)
    const now = Date.now();
    const rows = [0, 1, 2].flatMap((round) =>
      Array.from({ length: ACCOUNTS }, (_, a) => {
        const eventId = `msg_${a}_${round}`;
        const payload = JSON.stringify({
          id: eventId,
          timestamp: new Date(now).toISOString(),
          type: 'composio.connected_account.active',
          data: { id: `ca_race${a}` },
          metadata: {},
        });
        return {
          event_id: eventId,
          subscription_id: subscription.id,
          event_type: 'composio.connected_account.active',
          account_id: `ca_race${a}`,
          payload,
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
        };
      }),
    );
    await storage.db.insertInto('webhook_outbox').values(rows).execute();
    const outbox = outboxRepo(storage.db);
    await until('the outbox drained', async () => (await outbox.pendingCount()) === 0, 60_000);
    // once each
    expect(deliveries.map((d) => d.eventId).sort()).toEqual(rows.map((r) => r.event_id).sort());
    // in order per account
    for (let a = 0; a < ACCOUNTS; a++) {
      expect(
        deliveries.filter((d) => d.accountId === `ca_race${a}`).map((d) => d.eventId),
        `ca_race${a}`,
      ).toEqual([0, 1, 2].map((round) => `msg_${a}_${round}`));
    }
    // each at its first attempt: no delivery was sent twice and none failed
    const attempts = await storage.db.selectFrom('webhook_outbox').select('attempts').distinct().execute();
    expect(attempts).toEqual([{ attempts: 1 }]);
  }, 90_000);

  it('refuse on every process at the next request what one process revoked: a deleted session, a disabled account', async () => {
    const [a, b] = servers as [SpawnedServer, SpawnedServer];
    const session = await call(a, '/api/v3.1/tool_router/session', { user_id: 'racer-7' });
    expect((await fetch(`${b.url}/api/v3.1/tool_router/session/${session.session_id}`, { headers: { 'x-api-key': apiKey } })).status).toBe(
      200,
    );
    const deleted = await fetch(`${a.url}/api/v3.1/tool_router/session/${session.session_id}`, {
      method: 'DELETE',
      headers: { 'x-api-key': apiKey },
    });
    expect(deleted.status).toBe(200);
    expect((await fetch(`${b.url}/api/v3.1/tool_router/session/${session.session_id}`, { headers: { 'x-api-key': apiKey } })).status).toBe(
      404,
    );

    const execute = (server: SpawnedServer) =>
      call(server, '/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { user_id: 'racer-8', arguments: {} });
    expect(await execute(b)).toMatchObject({ successful: true });
    const id = (await storage.db.selectFrom('connected_accounts').select('id').where('user_id', '=', 'racer-8').executeTakeFirstOrThrow())
      .id;
    const disabled = await fetch(`${a.url}/api/v3.1/connected_accounts/${id}/status`, {
      method: 'PATCH',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(disabled.status).toBe(200);
    const refused = await execute(b);
    expect(refused.successful).not.toBe(true);
    expect(refused.error).toBeTruthy();
  });

  it('lose no acknowledged write when a process is killed (SIGKILL) under write load', async () => {
    const victim = servers.pop()!;
    const acknowledged: string[] = [];
    const killAt = Date.now() + 3000;
    const writers = inParallel(
      Array.from({ length: 6 }, (_, i) => i),
      6,
      async (i) => {
        for (let n = 0; ; n++) {
          try {
            const res = await fetch(`${victim.url}/api/v3.1/tool_router/session`, {
              method: 'POST',
              headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
              body: JSON.stringify({ user_id: `writer-${i}-${n}` }),
            });
            if (res.ok) acknowledged.push(((await res.json()) as { session_id: string }).session_id);
          } catch {
            return; // the process is gone
          }
        }
      },
    );
    await new Promise((r) => setTimeout(r, killAt - Date.now()));
    victim.child.kill('SIGKILL');
    await victim.exited;
    await writers;
    expect(acknowledged.length).toBeGreaterThan(0);
    const stored = new Set(
      (await storage.db.selectFrom('sessions').select('id').where('id', 'in', acknowledged).execute()).map((r) => r.id),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });
});

describe('a latchkey process whose PostgreSQL server restarts under load', () => {
  let cluster: Cluster;
  let server: SpawnedServer;
  const own = makeTempDir();

  beforeAll(async () => {
    // a cluster of this test's own, so restarting it disturbs no other test file
    cluster = await startCluster();
    const url = new URL(cluster.adminUrl);
    mkdirSync(`${own.path}/toolkits`);
    server = await spawnServer(
      own.path,
      { ...serverEnv(own.path, 0, apiKey, { LATCHKEY_DATABASE_URL: url.href }), PORT: '0' },
      undefined,
      STARTING,
    );
  }, 120_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await cluster?.stop();
    own.cleanup();
  });

  it('serves again once the server is back, without a restart of its own', async () => {
    // a status, or 0 when no answer came (the process would be gone)
    const create = async (user: string) => {
      try {
        const res = await fetch(`${server.url}/api/v3.1/tool_router/session`, {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: user }),
        });
        return res.status;
      } catch {
        return 0;
      }
    };
    const statuses: number[] = [];
    let stop = false;
    const load = inParallel([0, 1, 2, 3], 4, async (i) => {
      for (let n = 0; !stop; n++) {
        statuses.push(await create(`load-${i}-${n}`));
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    await cluster.restart();
    // after the restart the pool's dropped connections are replaced: writes succeed again
    await until('a write after the restart', async () => (await create('after-restart')) === 201, 15_000);
    stop = true;
    await load;
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    // what failed while the server was down failed as a 5xx answer, not a dead process
    expect(statuses.filter((s) => s !== 201 && s < 500)).toEqual([]);
    expect(server.child.exitCode, server.stderr.join('')).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 60_000);
});
