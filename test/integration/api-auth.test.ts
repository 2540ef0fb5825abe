import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeysRepo } from '../../storage/repos/api-keys.ts';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { accessLogsWritten } from '../helpers/logs.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function expectEnvelope(body: any, status: number, slug: string) {
  expect(body.error).toMatchObject({ status, slug });
  expect(typeof body.error.message).toBe('string');
  expect(typeof body.error.code).toBe('number');
  expect(body.error.request_id).toMatch(/\S/);
  expect(body.error).toHaveProperty('suggested_fix');
}

describe('REST authentication and the error envelope', () => {
  it('answers 401 in the envelope without x-api-key, on both API generations', async () => {
    for (const prefix of ['/api/v3', '/api/v3.1']) {
      const res = await t.app.request(`${prefix}/toolkits`);
      expect(res.status).toBe(401);
      expectEnvelope(await res.json(), 401, 'APIKey_Missing');
    }
  });

  it('answers 401 for a wrong key and for a revoked key', async () => {
    const wrong = await t.app.request('/api/v3/toolkits', { headers: { 'x-api-key': 'ak_notarealkey0000000000' } });
    expect(wrong.status).toBe(401);
    expectEnvelope(await wrong.json(), 401, 'APIKey_Invalid');

    const repo = apiKeysRepo(t.deps.db);
    const { id, key } = await createApiKey(t.deps, 'to revoke');
    expect((await t.app.request('/api/v3/nothing-here', { headers: { 'x-api-key': key } })).status).toBe(404);
    await repo.revoke(id, Date.now());
    const revoked = await t.app.request('/api/v3/nothing-here', { headers: { 'x-api-key': key } });
    expect(revoked.status).toBe(401);
    expectEnvelope(await revoked.json(), 401, 'APIKey_Invalid');
  });

  it('lets a valid key through to the route (404 in the envelope for an unknown one)', async () => {
    const res = await t.call('/api/v3.1/no/such/route');
    expect(res.status).toBe(404);
    expectEnvelope(await res.json(), 404, 'HTTP_NotFound');
  });

  it('echoes a request id, or keeps a well-formed one from the client', async () => {
    const res = await t.call('/api/v3/nope', { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(((await res.json()) as any).error.request_id).toBe('trace-123');
    const minted = await t.call('/api/v3/nope', { headers: { 'x-request-id': '<script>' } });
    expect(minted.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('echoes the request id on MCP answers too, which carry nosniff and none of the page headers', async () => {
    const made = await t.call('/api/v3.1/tool_router/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'headers-user' }),
    });
    const { mcp } = (await made.json()) as { mcp: { url: string; headers: Record<string, string> } };
    const res = await t.app.request(new URL(mcp.url).pathname, {
      method: 'POST',
      headers: {
        ...mcp.headers,
        'x-request-id': 'trace-mcp',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).result.tools.length).toBeGreaterThan(0);
    expect(res.headers.get('x-request-id')).toBe('trace-mcp');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBeNull();
    // a page still gets the document headers
    const page = await t.app.request('/console/login');
    expect(page.headers.get('x-frame-options')).not.toBeNull();
    expect(page.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('serves the MCP path alike however it is spelled, and nothing beside it (MCP requests have an app of their own)', async () => {
    const made = await t.call('/api/v3.1/tool_router/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'paths-user' }),
    });
    const { mcp } = (await made.json()) as { mcp: { url: string; headers: Record<string, string> } };
    const path = new URL(mcp.url).pathname;
    const list = (at: string, method = 'POST') =>
      t.app.request(at, {
        method,
        headers: { ...mcp.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: method === 'POST' ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) : undefined,
      });
    // a query string, a percent-encoded id: the same route as before
    for (const at of [`${path}?from=test`, path.replace('trs_', 'trs%5F')]) {
      const res = await list(at);
      expect(res.status, at).toBe(200);
      expect(((await res.json()) as any).result.tools.length, at).toBeGreaterThan(0);
      expect(res.headers.get('x-request-id'), at).toMatch(/^req_/);
    }
    // a GET is the route's own 405, a method it has no handler for and a path one segment longer are 404s
    expect((await list(path, 'GET')).status).toBe(405);
    for (const [at, method] of [
      [path, 'PUT'],
      [`${path}/`, 'POST'],
      [`${path}/extra`, 'POST'],
    ] as const) {
      const res = await list(at, method);
      expect(res.status, `${method} ${at}`).toBe(404);
      expectEnvelope(await res.json(), 404, 'HTTP_NotFound');
    }
  });

  it('refuses an oversized body with 413, before reading it', async () => {
    const big = JSON.stringify({ arguments: { blob: 'x'.repeat(2 * 1024 * 1024) } });
    const res = await t.call('/api/v3/tools/execute/HACKERNEWS_GET_ITEM', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expectEnvelope(await res.json(), 413, 'HTTP_PayloadTooLarge');
  });

  it('serves /health without a key, reporting readiness', async () => {
    const res = await t.app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', checks: { database: 'ok' } });
    t.deps.lifecycle.draining = true;
    const draining = await t.app.request('/health');
    t.deps.lifecycle.draining = false;
    expect(draining.status).toBe(503);
  });

  it('never writes the API key into the logs', async () => {
    await accessLogsWritten();
    expect(t.logs.length).toBeGreaterThan(0);
    expect(t.logs.join('\n')).not.toContain(t.apiKey);
  });
});
