import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealCredentials } from '../../src/services/account-state.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// What a session's calls of one account reuse from call to call (the account as read, its connection,
// the base URL filled from it, the list of values to mask) must follow the account the moment it changes.

let upstream: FakeUpstream;
let t: TestApp;
const dir = makeTempDir();

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // echoes what it was sent: where, and with which credential
  upstream.on('/', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null }));
  });
  const toolkit = {
    slug: 'tenantapi',
    name: 'Tenant API',
    description: 'An API on loopback with one path segment per tenant',
    base_url: `${upstream.url}/{{tenant}}`,
    connection_fields: [{ name: 'tenant', display_name: 'Tenant', description: 'the tenant the account belongs to' }],
    auth_schemes: [
      {
        mode: 'BEARER_TOKEN',
        fields: [{ name: 'token', display_name: 'Token', secret: true }],
        inject: { headers: { Authorization: 'Bearer {{token}}' } },
      },
    ],
    tools: [
      {
        slug: 'TENANTAPI_WHOAMI',
        name: 'who am I',
        description: 'Tells who the credential belongs to, for the connection reuse tests.',
        tags: ['readOnlyHint'],
        input_parameters: { type: 'object', properties: {} },
        request: { method: 'GET', path: '/whoami' },
        source: { docs: 'https://docs.example.com/whoami' },
      },
    ],
  };
  mkdirSync(`${dir.path}/toolkits`);
  writeFileSync(`${dir.path}/toolkits/tenantapi.json`, JSON.stringify(toolkit));
  t = await createTestApp({ env: { LATCHKEY_TOOLKITS_DIR: `${dir.path}/toolkits`, LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' } });
});
afterAll(async () => {
  await t.close();
  await upstream.close();
  dir.cleanup();
});

const post = async (path: string, body: unknown) => {
  const res = await t.call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, path).toBeLessThan(300);
  return (await res.json()) as any;
};

describe("a session's calls of one account", () => {
  it('go where the account says and mask what it holds, from the first call after the account changes, in both eras', async () => {
    const config = await post('/api/v3.1/auth_configs', { toolkit: { slug: 'tenantapi' } });
    const account = await post('/api/v3.1/connected_accounts', {
      auth_config: { id: config.auth_config.id },
      connection: { user_id: 'u1', state: { authScheme: 'BEARER_TOKEN', val: { token: 'token-alpha-1111', tenant: 'alpha' } } },
    });
    const session = await post('/api/v3.1/tool_router/session', { user_id: 'u1', toolkits: ['tenantapi'], preload: { tools: 'all' } });
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const call = async (era: 'legacy' | 'modern') => {
      const modern = era === 'modern';
      const res = await t.app.request(new URL(session.mcp.url).pathname, {
        method: 'POST',
        headers: {
          ...session.mcp.headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(modern ? { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'TENANTAPI_WHOAMI' } : {}),
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'TENANTAPI_WHOAMI', arguments: {}, ...(modern ? { _meta: meta } : {}) },
        }),
      });
      const answer = (await res.json()) as { result: { content: Array<{ text: string }> } };
      return JSON.parse(answer.result.content[0]!.text) as { data: { path: string; authorization: string }; successful: boolean };
    };
    for (const era of ['legacy', 'modern'] as const) {
      for (let i = 0; i < 2; i++) {
        const { data, successful } = await call(era);
        expect(successful).toBe(true);
        expect(data.path).toBe('/alpha/whoami');
        // the upstream echoed the credential: masked on its way back, on every call
        expect(data.authorization).not.toContain('token-alpha-1111');
        expect(data.authorization).toMatch(/^Bearer /);
      }
    }
    // the account is reconnected to another tenant with another token (a write, as a reconnect makes)
    const id: string = account.id;
    const changed = await connectedAccountsRepo(t.deps.db).update(id, {
      credentialsSealed: sealCredentials(t.deps, id, { token: 'token-bravo-2222' }),
      connectionData: { tenant: 'bravo' },
      updatedAt: Date.now(),
    });
    expect(changed).toBe(true);
    for (const era of ['legacy', 'modern'] as const) {
      const { data } = await call(era);
      expect(data.path).toBe('/bravo/whoami');
      expect(data.authorization).not.toContain('token-bravo-2222');
      expect(data.authorization).not.toContain('token-alpha');
      expect(data.authorization).toMatch(/^Bearer /);
    }
  });
});
