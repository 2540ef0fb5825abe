// `npm run bench`: speed and memory figures, each against a baseline measured in the same run, all on
// loopback. Prints a table; README's "Benchmarks" section shows a run. Sizes can be lowered with
// BENCH_QUICK=1 (used by the test that checks this script runs).
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cleanRefreshState, connectedAccountsRepo, type ConnectedAccountRow } from '../storage/repos/connected-accounts.ts';
import { sessionsRepo } from '../storage/repos/sessions.ts';
import { hashSecret, newId, newSecret } from '../src/ids.ts';
import { refreshDue } from '../src/refresh/scheduler.ts';
import { sealCredentials } from '../src/services/account-state.ts';
import { defaultSessionConfig } from '../src/sessions/config.ts';
import { startFakeUpstream } from '../test/helpers/fake-upstream.ts';
import { FetchBrowser } from '../test/helpers/browser-fetch.ts';
import { freePort, startLiveApp } from '../test/helpers/live-app.ts';
import { startAuthServer } from '../test/fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../test/fixtures/toolkits.ts';
import { fmt, latency, ratio, throughput } from './bench/measure.ts';
import { startThinProxy } from './bench/thin-proxy.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const N = QUICK ? 60 : 1000;
const WINDOW_MS = QUICK ? 300 : 3000;
const LOOKUP_LEVELS = QUICK ? [1_000, 10_000] : [10_000, 100_000, 1_000_000];
const lines: string[] = [];
const out = (line: string) => {
  lines.push(line);
  console.log(line);
};

const upstream = await startFakeUpstream();
upstream.on('/item', (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"id":1,"title":"benchmark item","score":42}');
});
const benchToolkit = {
  slug: 'benchapi',
  name: 'Bench API',
  description: 'a local API for benchmarks',
  base_url: upstream.url,
  auth_schemes: [{ mode: 'BEARER_TOKEN', fields: [{ name: 'token', display_name: 'Token', secret: true }], inject: { headers: { Authorization: 'Bearer {{token}}' } } }],
  tools: [{ slug: 'BENCHAPI_GET_ITEM', name: 'get item', description: 'Get the benchmark item from the local API.', tags: ['readOnlyHint'], input_parameters: { type: 'object', properties: {} }, request: { method: 'GET', path: '/item' } }],
};

const port = await freePort();
const as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`], accessTokenTtl: 3600 });
const oauthApi = await startFakeUpstream();
serveTestApis(oauthApi, as, new Set());
const app = await startLiveApp({
  port,
  toolkits: [benchToolkit, oauthToolkit(as, oauthApi)],
  env: { LATCHKEY_LOG_LEVEL: 'silent', LATCHKEY_REFRESH_INTERVAL_MS: '0', LATCHKEY_WEBHOOK_INTERVAL_MS: '0', LATCHKEY_MAX_BODY_BYTES: '1048576' },
});
const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'benchapi' } } });
await app.api('/api/v3.1/connected_accounts', { body: { auth_config: { id: config.body.auth_config.id }, connection: { user_id: 'bench', state: { authScheme: 'BEARER_TOKEN', val: { token: 'bench-token' } } } } });
const session = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'bench', toolkits: ['benchapi'] } });
const mcpUrl: string = session.body.mcp.url;
const mcpHeaders: Record<string, string> = session.body.mcp.headers;
const thin = await startThinProxy(`${upstream.url}/item`);

// the raw client: one JSON-RPC POST per call, so the client's own cost does not hide the server's.
// One retry on a reset: seeding a million rows blocks the loop long enough for keep-alive sockets to lapse.
const withRetry = (fn: () => Promise<void>) => () => fn().catch(() => fn());
const rawCall = (url: string, headers: Record<string, string>, name: string) => withRetry(async () => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }),
  });
  const body = await res.text();
  if (!body.includes('benchmark item')) throw new Error(`unexpected answer: ${body.slice(0, 200)}`);
});
const direct = async () => {
  const res = await fetch(`${upstream.url}/item`, { headers: { authorization: 'Bearer bench-token' } });
  await res.text();
};
const sdkClient = async (url: string, headers: Record<string, string>) => {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
};

out(`# latchkey benchmarks (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${QUICK ? 'quick' : 'full'} run)`);
out('');
out('## Tool call: MCP tools/call through latchkey to a local upstream');
const latchkeyRaw = rawCall(mcpUrl, mcpHeaders, 'BENCHAPI_GET_ITEM');
const thinRaw = rawCall(thin.url, {}, 'FORWARD');
const dLat = await latency(N, direct);
const tLat = await latency(N, thinRaw);
const lLat = await latency(N, latchkeyRaw);
out(`| path | median ms | p99 ms | median vs direct | median vs thin proxy |`);
out(`|---|---|---|---|---|`);
out(`| direct HTTP to the upstream (physical limit) | ${fmt(dLat.median)} | ${fmt(dLat.p99)} | 1.00x | |`);
out(`| thinnest SDK MCP proxy, raw JSON-RPC client | ${fmt(tLat.median)} | ${fmt(tLat.p99)} | ${ratio(tLat.median, dLat.median)} | 1.00x |`);
out(`| latchkey, raw JSON-RPC client | ${fmt(lLat.median)} | ${fmt(lLat.p99)} | ${ratio(lLat.median, dLat.median)} | ${ratio(lLat.median, tLat.median)} |`);
const thinSdk = await sdkClient(thin.url, {});
const lkSdk = await sdkClient(mcpUrl, mcpHeaders);
const tsLat = await latency(N, () => thinSdk.callTool({ name: 'FORWARD', arguments: {} }));
const lsLat = await latency(N, () => lkSdk.callTool({ name: 'BENCHAPI_GET_ITEM', arguments: {} }));
out(`| thinnest SDK MCP proxy, SDK client | ${fmt(tsLat.median)} | ${fmt(tsLat.p99)} | ${ratio(tsLat.median, dLat.median)} | 1.00x |`);
out(`| latchkey, SDK client | ${fmt(lsLat.median)} | ${fmt(lsLat.p99)} | ${ratio(lsLat.median, dLat.median)} | ${ratio(lsLat.median, tsLat.median)} |`);
out('');
out('## Throughput (calls per second, raw client)');
out(`| concurrent clients | direct | thin proxy | latchkey | latchkey / direct | latchkey / thin |`);
out(`|---|---|---|---|---|---|`);
for (const c of [1, 16, 128]) {
  const d = await throughput(c, WINDOW_MS, direct);
  const t = await throughput(c, WINDOW_MS, thinRaw);
  const l = await throughput(c, WINDOW_MS, latchkeyRaw);
  out(`| ${c} | ${fmt(d, 0)} | ${fmt(t, 0)} | ${fmt(l, 0)} | ${fmt((l / d) * 100, 0)}% | ${fmt((l / t) * 100, 0)}% |`);
}
await thinSdk.close();
await lkSdk.close();

out('');
out('## Sessions');
let made = 0;
const createSession = async () => {
  await app.api('/api/v3.1/tool_router/session', { body: { user_id: `bench-${made++}`, toolkits: ['benchapi'] } });
};
const listTools = rawListTools(mcpUrl, mcpHeaders);
out(`| operation | per second (16 concurrent) | median ms |`);
out(`|---|---|---|`);
out(`| create a session (REST) | ${fmt(await throughput(16, WINDOW_MS, createSession), 0)} | ${fmt((await latency(Math.min(N, 300), createSession)).median)} |`);
out(`| MCP tools/list | ${fmt(await throughput(16, WINDOW_MS, listTools), 0)} | ${fmt((await latency(N, listTools)).median)} |`);

out('');
out('## Memory and storage');
const sessionCount = QUICK ? 1_000 : 10_000;
const accountCount = QUICK ? 10_000 : 100_000;
global.gc?.();
const rss0 = process.memoryUsage().rss;
const db0 = dbBytes();
await seedSessions(sessionCount);
const rss1 = process.memoryUsage().rss;
const db1 = dbBytes();
await seedAccounts(accountCount, 0);
const rss2 = process.memoryUsage().rss;
const db2 = dbBytes();
out(`| stored | count | process memory delta | database bytes delta |`);
out(`|---|---|---|---|`);
out(`| sessions | ${sessionCount} | ${mb(rss1 - rss0)} | ${mb(db1 - db0)} |`);
out(`| connected accounts | ${accountCount} | ${mb(rss2 - rss1)} | ${mb(db2 - db1)} |`);
out('Sessions and accounts live in the database, not in memory: the process does not grow with them.');

out('');
out('## Lookup growth: tool call latency as connected accounts grow');
out(`| connected accounts in the database | latchkey median ms | p99 ms | vs the smallest |`);
out(`|---|---|---|---|`);
let seeded = accountCount;
let first = 0;
for (const level of LOOKUP_LEVELS) {
  if (level > seeded) {
    await seedAccounts(level - seeded, seeded);
    seeded = level;
  }
  const l = await latency(N, latchkeyRaw);
  first ||= l.median;
  out(`| ${level.toLocaleString('en-US')} | ${fmt(l.median)} | ${fmt(l.p99)} | ${ratio(l.median, first)} |`);
}

out('');
out('## Refresh throughput against the local OAuth server');
const refreshCount = QUICK ? 20 : 200;
const refreshConfig = await app.api('/api/v3.1/auth_configs', {
  body: { toolkit: { slug: 'testoauth' }, auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } } },
});
const refreshIds: string[] = [];
for (let i = 0; i < refreshCount; i++) {
  as.decide.account = `r-${i}`;
  const link = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: refreshConfig.body.auth_config.id, user_id: `r-${i}` } });
  await new FetchBrowser().follow(link.body.redirect_url);
  refreshIds.push(link.body.connected_account_id);
}
// every token due now, expiring in 60 s: how fast does one process refresh them, and does any lapse?
const dueAt = Date.now() + 60_000;
for (const id of refreshIds) await app.deps.db.updateTable('connected_accounts').set({ expires_at: dueAt }).where('id', '=', id).execute();
const t0 = performance.now();
await refreshDue(app.deps);
const seconds = (performance.now() - t0) / 1000;
const rows = await app.deps.db.selectFrom('connected_accounts').select(['id', 'last_refreshed_at', 'expires_at']).where('id', 'in', refreshIds).execute();
const refreshed = rows.filter((r) => (r.expires_at ?? 0) > dueAt).length;
const lapsed = rows.filter((r) => (r.last_refreshed_at ?? 0) > dueAt).length;
out(`| accounts due | refreshed | seconds | accounts per second | expired before refresh |`);
out(`|---|---|---|---|---|`);
out(`| ${refreshCount} | ${refreshed} | ${fmt(seconds)} | ${fmt(refreshed / seconds, 0)} | ${lapsed} |`);

await app.close();
await upstream.close();
await oauthApi.close();
await as.close();
thin.close();
process.exit(0);

function rawListTools(url: string, headers: Record<string, string>) {
  return async () => {
    const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    await res.text();
  };
}
function dbBytes(): number {
  const path = app.deps.config.databasePath;
  return [path, `${path}-wal`].reduce((n, f) => n + (statSafe(f) ?? 0), 0);
}
function statSafe(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
async function seedSessions(count: number) {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => {
    const id = newId('trs');
    const token = newSecret('lks');
    return { id, user_id: `seed-${i}`, config: JSON.stringify(defaultSessionConfig(`seed-${i}`)), config_version: 1, mcp_token_hash: hashSecret(token), mcp_token_sealed: app.deps.vault.seal(token, `sessions.mcp_token_sealed:${id}`), created_at: now, updated_at: now };
  });
  await sessionsRepo(app.deps.db).insertMany(rows);
}
async function seedAccounts(count: number, offset: number) {
  const repo = connectedAccountsRepo(app.deps.db);
  const chunk = 50_000;
  for (let start = 0; start < count; start += chunk) {
    const now = Date.now();
    const rows: ConnectedAccountRow[] = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => {
      const id = newId('ca');
      return {
        id,
        user_id: `seed-user-${offset + start + i}`,
        toolkit_slug: 'benchapi',
        auth_config_id: config.body.auth_config.id,
        auth_scheme: 'BEARER_TOKEN',
        status: 'ACTIVE',
        status_reason: null,
        alias: null,
        is_disabled: 0,
        connection_data: '{}',
        credentials_sealed: sealCredentials(app.deps, id, { token: randomBytes(12).toString('hex') }),
        expires_at: null,
        created_at: now,
        updated_at: now,
        ...cleanRefreshState(null),
      };
    });
    await repo.insertMany(rows);
  }
}
