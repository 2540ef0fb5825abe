import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushExecutionLog, logExecution, recordEndedCalls } from '../../src/services/execution-log.ts';
import { queryLog } from '../../src/services/log-query.ts';
import { purgeExpiredLog } from '../../src/services/log-retention.ts';
import type { AuditEvent, ToolExecution } from '../../storage/domain.ts';
import { startKeyedSessions, TEST_API_KEY, type KeyedSessions } from '../helpers/keyed-sessions.ts';
import { createTestApp } from '../helpers/test-app.ts';
import { parseConfig } from '../../src/config.ts';
import { createApp } from '../../src/app.ts';

/**
 * The execution and audit log on a real server: every way a tool runs leaves one row, connection
 * and administrative changes leave events with who made them, old rows are purged, and /metrics
 * counts the same traffic.
 */
const METRICS_TOKEN = 'metrics-token-0123456789';
let s: KeyedSessions;

beforeAll(async () => {
  s = await startKeyedSessions({ LATCHKEY_METRICS_TOKEN: METRICS_TOKEN, LATCHKEY_LOG_RETENTION_DAYS: '7' });
});
afterAll(() => s.close());

const executions = async (filter: Parameters<typeof queryLog>[2]) =>
  (await queryLog(s.app.deps, 'tool_execution', filter, { limit: 100 })).items as ToolExecution[];
const events = async (kind: 'connection' | 'admin', filter: Parameters<typeof queryLog>[2] = {}) =>
  (await queryLog(s.app.deps, kind, filter, { limit: 100 })).items as AuditEvent[];

async function scrape(token = METRICS_TOKEN): Promise<{ status: number; text: string }> {
  const res = await fetch(`${s.app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

/** A sample's value in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('the execution log', () => {
  it('records one row per call from REST execute, proxy, a session execute, an MCP call and each call of a multi-execute', async () => {
    const session = await s.sessionWithAccount('ana');
    const rest = await s.app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'ana', arguments: {} } });
    expect(rest.body.successful).toBe(true);
    const [account] = (await s.app.api('/api/v3.1/connected_accounts?user_ids=ana')).body.items;
    const proxy = await s.app.api('/api/v3.1/tools/execute/proxy', {
      body: { endpoint: '/whoami', method: 'GET', connected_account_id: account.id },
    });
    expect(proxy.status).toBe(200);
    const viaSession = await s.app.api(`/api/v3.1/tool_router/session/${session.id}/execute`, {
      body: { tool_slug: 'TESTKEY_WHOAMI', arguments: {} },
    });
    expect(viaSession.body.error).toBeNull();
    const mcp = new Client({ name: 'log-test', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(session.url), { requestInit: { headers: { 'x-session-token': session.token } } }),
    );
    await mcp.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} });
    await mcp.callTool({
      name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
      arguments: {
        tools: [
          { tool_slug: 'TESTKEY_WHOAMI', arguments: {} },
          { tool_slug: 'TESTKEY_WHOAMI', arguments: {} },
        ],
      },
    });
    await mcp.close();
    // an unconnected user: a call that did not run is logged with why
    await s.app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'nobody', arguments: {} } });

    const rows = await executions({ userId: 'ana' });
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => r.sessionId === session.id)).toHaveLength(4);
    expect(rows.map((r) => r.toolSlug).sort()).toEqual([...Array(5).fill('TESTKEY_WHOAMI'), 'COMPOSIO_PROXY_EXECUTE'].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ outcome: 'success', upstreamStatus: 200, connectedAccountId: account.id, toolkitSlug: 'testkey' });
      expect(row.durationMs).toBeGreaterThanOrEqual(0);
      // payloads are kept only when the operator says so
      expect(row.payloadSealed).toBeNull();
    }
    const [failed] = await executions({ userId: 'nobody' });
    expect(failed).toMatchObject({ outcome: 'error', connectedAccountId: null });
    expect(failed!.errorMessage).toMatch(/no active/i);
    expect(JSON.stringify(await executions({}))).not.toContain(TEST_API_KEY);
  });

  it('keeps rows written in one flush window: a burst lands in one multi-row insert, read back whole', async () => {
    const before = (await executions({ userId: 'burst' })).length;
    await Promise.all(
      Array.from({ length: 30 }, () => s.app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'burst', arguments: {} } })),
    );
    await flushExecutionLog(s.app.deps);
    expect((await executions({ userId: 'burst' })).length).toBe(before + 30);
  });
});

describe('a call that has just answered', () => {
  it('is counted and logged for a reader in the same turn of the event loop: a scrape and a flush record what has ended first', async () => {
    await s.sessionWithAccount('dee');
    // in-process, so no turn of the event loop passes between a call's answer and the next request
    const app = createApp(s.app.deps);
    const execute = () =>
      app.request('/api/v3.1/tools/execute/TESTKEY_WHOAMI', {
        method: 'POST',
        headers: { 'x-api-key': s.app.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'dee', arguments: {} }),
      });
    const counted = async () => {
      const res = await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      return sample(await res.text(), 'latchkey_tool_calls_total', { toolkit: 'testkey', outcome: 'success' });
    };
    const before = await counted();
    expect((await execute()).status).toBe(200);
    expect(await counted()).toBe(before + 1);
    expect((await execute()).status).toBe(200);
    const rows = await executions({ userId: 'dee' });
    expect(rows.map((row) => row.outcome)).toEqual(['success', 'success']);
  });
});

describe('recording ended calls', () => {
  it('loses only the row whose recording throws, counted as dropped, and records the others', async () => {
    const dropped = async () => Number((await scrape()).text.match(/^latchkey_log_rows_dropped_total (\d+)$/m)?.[1] ?? 'NaN');
    const before = await dropped();
    const call = (userId: string) => ({ userId, toolkitSlug: 'testkey', toolSlug: 'TESTKEY_WHOAMI', arguments: {} });
    await logExecution(
      s.app.deps,
      call('eve'),
      async () => 'ran',
      () => {
        throw new Error('a broken outcome reader');
      },
    );
    await logExecution(
      s.app.deps,
      call('eve'),
      async () => 'ran',
      () => ({ outcome: 'success' }),
    );
    // recorded here, outside any request: a throw must not escape
    expect(() => recordEndedCalls(s.app.deps)).not.toThrow();
    expect((await executions({ userId: 'eve' })).map((row) => row.outcome)).toEqual(['success']);
    expect(await dropped()).toBe(before + 1);
  });
});

describe('the audit log', () => {
  it('records connection events and administrative changes with the API key that made them', async () => {
    const session = await s.sessionWithAccount('ben');
    const [account] = (await s.app.api('/api/v3.1/connected_accounts?user_ids=ben')).body.items;
    await s.app.api(`/api/v3.1/connected_accounts/${account.id}/status`, { method: 'PATCH', body: { enabled: false } });
    await s.app.api(`/api/v3.1/connected_accounts/${account.id}`, { method: 'DELETE' });
    const hook = await s.app.api('/api/v3.1/webhook_subscriptions', {
      body: { webhook_url: 'https://hooks.example.com/in', enabled_events: ['composio.connected_account.active'] },
    });
    expect(hook.status).toBe(201);
    expect(session.id).toMatch(/^trs_/);

    const keyId = (await s.app.deps.db.selectFrom('api_keys').select('id').where('name', '=', 'LATCHKEY_API_KEY').executeTakeFirstOrThrow())
      .id;
    const connection = await events('connection', { userId: 'ben' });
    expect(connection.map((e) => e.action).sort()).toEqual(
      ['connected_account.active', 'connected_account.created', 'connected_account.deleted'].sort(),
    );
    expect(connection.every((e) => e.subjectId === account.id)).toBe(true);
    // what the key asked for carries the key; the activation that followed is latchkey's own doing
    const actors = Object.fromEntries(connection.map((e) => [e.action, `${e.actorType}:${e.actorId}`]));
    expect(actors).toEqual({
      'connected_account.created': `api_key:${keyId}`,
      'connected_account.active': 'system:null',
      'connected_account.deleted': `api_key:${keyId}`,
    });

    const admin = await events('admin');
    const disabled = admin.find((e) => e.action === 'connected_account.disabled');
    expect(disabled).toMatchObject({ subjectId: account.id, userId: 'ben', actorType: 'api_key', actorId: keyId });
    expect(admin.find((e) => e.action === 'webhook_subscription.created')).toMatchObject({
      subjectId: hook.body.id,
      actorType: 'api_key',
      actorId: keyId,
    });
    expect(admin.find((e) => e.action === 'auth_config.created')).toMatchObject({
      subjectId: s.authConfigId,
      actorType: 'api_key',
      actorId: keyId,
    });
    // the key registered at start-up: latchkey's own doing
    expect(admin.find((e) => e.action === 'api_key.created')).toMatchObject({ subjectId: keyId, actorType: 'system', actorId: null });
  });
});

describe('retention', () => {
  it('purges execution and audit rows older than LATCHKEY_LOG_RETENTION_DAYS and keeps newer ones', async () => {
    await s.app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'nobody', arguments: {} } });
    await flushExecutionLog(s.app.deps);
    const all = async () => (await executions({})).length + (await events('connection')).length + (await events('admin')).length;
    expect(await all()).toBeGreaterThan(0);
    s.app.clock.advance(6 * 86_400_000);
    expect(await purgeExpiredLog(s.app.deps)).toBe(0);
    s.app.clock.advance(2 * 86_400_000);
    const recent = s.app.clock.now();
    await s.app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'later', arguments: {} } });
    expect(await purgeExpiredLog(s.app.deps)).toBeGreaterThan(0);
    const left = await executions({});
    expect(left.map((r) => r.userId)).toEqual(['later']);
    expect(left[0]!.createdAt).toBeGreaterThanOrEqual(recent);
    expect(await events('connection')).toEqual([]);
  });
});

describe('/metrics', () => {
  it('counts requests by route pattern, tool calls by toolkit and outcome, and reads the outbox on scrape', async () => {
    const before = (await scrape()).text;
    const calls = () => sample(before, 'latchkey_tool_calls_total', { toolkit: 'testkey', outcome: 'success' });
    await s.sessionWithAccount('cy');
    for (let i = 0; i < 3; i++) await s.app.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: 'cy', arguments: {} } });
    const [account] = (await s.app.api('/api/v3.1/connected_accounts?user_ids=cy')).body.items;
    await s.app.api(`/api/v3.1/connected_accounts/${account.id}`);
    const after = await scrape();
    expect(after.status).toBe(200);
    const { text } = after;
    expect(sample(text, 'latchkey_tool_calls_total', { toolkit: 'testkey', outcome: 'success' })).toBe(calls() + 3);
    expect(sample(text, 'latchkey_tool_call_duration_seconds_count', { toolkit: 'testkey', outcome: 'success' })).toBeGreaterThanOrEqual(3);
    const route = { method: 'POST', route: '/api/v3.1/tools/execute/:slug', status: '200' };
    expect(sample(text, 'latchkey_http_requests_total', route)).toBe(sample(before, 'latchkey_http_requests_total', route) + 3);
    expect(text).toContain('route="/api/v3.1/connected_accounts/:id"');
    // labels carry patterns, never ids
    expect(text).not.toContain(account.id);
    expect(sample(text, 'latchkey_connection_events_total', { event: 'active' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^latchkey_webhook_outbox_depth \d+$/m);
    expect(text).toMatch(/^latchkey_webhook_outbox_oldest_age_seconds [\d.e+-]+$/m);
  });

  it('needs its bearer token', async () => {
    expect((await scrape('wrong-token-wrong-token')).status).toBe(401);
    expect((await fetch(`${s.app.url}/metrics`)).status).toBe(401);
  });
});

describe('/metrics without LATCHKEY_METRICS_TOKEN', () => {
  it('answers 404 as an unknown path does; a token shorter than 16 characters stops start-up with one line', async () => {
    const t = await createTestApp();
    try {
      const res = await t.app.request('/metrics');
      expect(res.status).toBe(404);
    } finally {
      await t.close();
    }
    expect(() => parseConfig({ LATCHKEY_METRICS_TOKEN: 'short' })).toThrow(/^invalid configuration: LATCHKEY_METRICS_TOKEN: /);
    expect(() => parseConfig({ LATCHKEY_LOG_PAYLOADS: 'everything' })).toThrow(/LATCHKEY_LOG_PAYLOADS/);
  });
});
