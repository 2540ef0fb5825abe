import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { poolOf } from '../../storage/postgres.ts';
import { sqliteOf } from '../../storage/sqlite.ts';
import { flushExecutionLog } from '../../src/services/execution-log.ts';
import { sessionByToken } from '../../src/sessions/session.ts';
import { bearerToolkit } from '../helpers/bearer-toolkit.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// What a session's tool call reads from the database: every authorization fact in as few statements as
// that takes, read again after anything at all was written (on SQLite, the same read between two writes
// is answered from memory once the call has checked that nothing was written: storage/prepared.ts).

function tokenToolkit(baseUrl: string) {
  return bearerToolkit('itemapi', baseUrl, [
    {
      slug: 'ITEMAPI_GET_ITEM',
      name: 'get item',
      description: 'Get the item from the local API, for the statement count tests.',
      tags: ['readOnlyHint'],
      input_parameters: { type: 'object', properties: {} },
      request: { method: 'GET', path: '/item' },
      source: { docs: 'https://docs.example.com/api' },
    },
  ]);
}

let upstream: FakeUpstream;
let t: TestApp;
const dir = makeTempDir();
let authConfigId: string;
let mcp: { url: string; headers: Record<string, string> };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  upstream.on('/item', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ title: 'the item' }));
  });
  mkdirSync(`${dir.path}/toolkits`);
  writeFileSync(`${dir.path}/toolkits/itemapi.json`, JSON.stringify(tokenToolkit(upstream.url)));
  t = await createTestApp({ env: { LATCHKEY_TOOLKITS_DIR: `${dir.path}/toolkits`, LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' } });
  const post = async (path: string, body: unknown) => {
    const res = await t.call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as any;
  };
  authConfigId = (await post('/api/v3.1/auth_configs', { toolkit: { slug: 'itemapi' } })).auth_config.id;
  await post('/api/v3.1/connected_accounts', {
    auth_config: { id: authConfigId },
    connection: { user_id: 'u1', state: { authScheme: 'BEARER_TOKEN', val: { token: 'item-token' } } },
  });
  mcp = (await post('/api/v3.1/tool_router/session', { user_id: 'u1', toolkits: ['itemapi'], preload: { tools: 'all' } })).mcp;
});
afterAll(async () => {
  await t.close();
  await upstream.close();
  dir.cleanup();
});

async function callTool(): Promise<{ isError?: boolean; content: Array<{ text: string }> }> {
  const res = await t.app.request(new URL(mcp.url).pathname, {
    method: 'POST',
    headers: { ...mcp.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ITEMAPI_GET_ITEM', arguments: {} } }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as any).result;
}

describe("a session's tool call", () => {
  it('reads the session, then the account together with its auth config: two statements', async () => {
    await callTool();
    // the last call's log row is written now: a write, after which nothing read before is trusted
    await flushExecutionLog(t.deps);
    // every statement goes through Kysely's executeQuery, except the hot path's prepared ones
    // (storage/prepared.ts): on PostgreSQL named statements sent to the pool, on SQLite cached
    // statements run on the handle. All are counted.
    const statements = vi.spyOn(t.deps.db, 'executeQuery');
    const pool = poolOf(t.deps.db);
    const named = pool ? vi.spyOn(pool, 'query') : undefined;
    const handle = sqliteOf(t.deps.db);
    const cached = handle ? vi.spyOn(handle, 'prepare') : undefined;
    try {
      const result = await callTool();
      expect(result.isError).toBe(false);
      expect(JSON.parse(result.content[0]!.text).data).toEqual({ title: 'the item' });
      expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer item-token');
      const prepared = named?.mock.calls.length ?? cached?.mock.calls.length ?? 0;
      expect(statements.mock.calls.length + prepared).toBe(2);
      expect(prepared).toBe(2);
    } finally {
      statements.mockRestore();
      named?.mockRestore();
      cached?.mockRestore();
    }
  });

  it('between two writes, reads the same session again from memory on SQLite, after checking that nothing was written', async () => {
    await flushExecutionLog(t.deps);
    const token = mcp.headers['x-session-token']!;
    const pool = poolOf(t.deps.db);
    const named = pool ? vi.spyOn(pool, 'query') : undefined;
    const handle = sqliteOf(t.deps.db);
    const cached = handle ? vi.spyOn(handle, 'prepare') : undefined;
    const checked = handle ? vi.spyOn(handle, 'generation') : undefined;
    try {
      const first = await sessionByToken(t.deps, token);
      const again = await sessionByToken(t.deps, token);
      expect(again).toEqual(first);
      if (named) {
        // PostgreSQL: other processes write too, and nothing tells this one: every read is a statement
        expect(named).toHaveBeenCalledTimes(2);
      } else {
        expect(cached).toHaveBeenCalledTimes(1);
        expect(checked).toHaveBeenCalledTimes(2);
      }
      // any write, here a session of another user, and the same read is a statement again
      const res = await t.call('/api/v3.1/tool_router/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'u2', toolkits: ['itemapi'] }),
      });
      expect(res.status).toBe(201);
      const reads = (named ?? cached)!.mock.calls.length;
      expect(await sessionByToken(t.deps, token)).toEqual(first);
      expect((named ?? cached)!.mock.calls.length).toBe(reads + 1);
    } finally {
      named?.mockRestore();
      cached?.mockRestore();
      checked?.mockRestore();
    }
  });

  it('checks its arguments against the tool schema once', async () => {
    const entry = t.deps.catalogue.tool('ITEMAPI_GET_ITEM')!;
    const checks = vi.spyOn(entry, 'validate');
    try {
      expect((await callTool()).isError).toBe(false);
      expect(checks).toHaveBeenCalledTimes(1);
    } finally {
      checks.mockRestore();
    }
  });

  it('stops at once when the auth config is disabled, and runs again once it is enabled', async () => {
    const patch = (status: string) => t.call(`/api/v3.1/auth_configs/${authConfigId}/${status}`, { method: 'PATCH' });
    expect((await patch('DISABLED')).status).toBeLessThan(300);
    const refused = await callTool();
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toContain('disabled');
    expect((await patch('ENABLED')).status).toBeLessThan(300);
    expect((await callTool()).isError).toBe(false);
  });
});
