import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { apiKeyToolkit } from '../fixtures/toolkits.ts';

/**
 * Every REST endpoint and MCP tool fed malformed, oversized, wrong-typed and hostile input. The
 * contract: a clear 4xx in the error envelope (or a normal answer), never a 500, never a crash.
 * Deterministic: a seeded generator, a bounded number of cases.
 */
let app: LiveApp;
let api: FakeUpstream;
let ids: { mcpServer: string; authConfig: string; account: string; session: string; token: string };

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}
const random = rng(42);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
/** lone surrogates cannot be URI-encoded: send their replacement instead */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.toWellFormed());
  }
};

const HOSTILE_STRINGS = [
  "' OR 1=1; DROP TABLE connected_accounts; --",
  '"; DELETE FROM api_keys; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '%00%0d%0aSet-Cookie: x=1',
  '\u0000\u0001\u0002',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 🔑 ‮RTL',
  '\ud800',
  'a'.repeat(100_000),
  '{{access_token}}',
  '${process.env}',
  '__proto__',
  'constructor',
  '   ',
  '',
  // dot segments, raw and encoded: a path parameter must keep them inside their segment (or refuse them)
  '..',
  '.',
  '%2e%2e',
  '%2E.',
  // private, loopback and link-local destinations for URL fields (webhooks, connection fields, callbacks)
  'http://169.254.169.254/latest/meta-data/',
  'http://127.0.0.1:22/',
  'http://[::1]/',
  'http://10.0.0.1/',
  'javascript:alert(1)',
];

function hostileValue(depth = 0): unknown {
  switch (Math.floor(random() * 12)) {
    case 0:
      return pick(HOSTILE_STRINGS);
    case 1:
      return Math.floor(random() * 2 ** 53) * (random() > 0.5 ? -1 : 1);
    case 2:
      return random() > 0.5 ? 1e308 * 10 : -0;
    case 3:
      return null;
    case 4:
      return random() > 0.5;
    case 5:
      // a huge array of small values, or a small array of hostile ones (never huge and deep)
      return random() > 0.8
        ? Array.from({ length: 20_000 }, (_, i) => i)
        : Array.from({ length: 3 }, () => (depth < 2 ? hostileValue(depth + 1) : 'x'));
    case 6:
      return depth < 3 ? { [pick(HOSTILE_STRINGS).slice(0, 50) || 'k']: hostileValue(depth + 1), __proto__: { polluted: true } } : {};
    case 7:
      return JSON.parse('{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}');
    case 8: {
      // nesting past the bound on argument depth (64); test/hardening/injection.test.ts sends 100,000 levels as raw JSON
      let nested: unknown = 'deep';
      const levels = random() > 0.5 ? 200 : 1_000;
      for (let i = 0; i < levels; i++) nested = random() > 0.5 ? { n: nested } : [nested];
      return nested;
    }
    default:
      return pick(HOSTILE_STRINGS);
  }
}

function hostileBody(): string {
  const kind = Math.floor(random() * 8);
  if (kind === 0) return '{"unterminated": ';
  if (kind === 1) return '\u0000\u0000';
  if (kind === 2) return JSON.stringify(hostileValue());
  if (kind === 3) return '[' + '1,'.repeat(50_000) + '1]';
  const fields = [
    'user_id',
    'auth_config_id',
    'toolkit',
    'auth_config',
    'connection',
    'arguments',
    'tool_slug',
    'slug',
    'queries',
    'toolkits',
    'connected_accounts',
    'callback_url',
    'webhook_url',
    'enabled_events',
    'enabled',
    'credentials',
    'endpoint',
    'method',
    'session_uri',
    'name',
    'allowed_tools',
    'auth_config_ids',
    'no_auth_apps',
    'managed_auth_via_composio',
    'mcp_server_id',
    'user_ids',
  ];
  const body: Record<string, unknown> = {};
  for (let i = 0; i < 4; i++) body[pick(fields)] = hostileValue();
  return JSON.stringify(body);
}

beforeAll(async () => {
  api = await startFakeUpstream();
  app = await startLiveApp({ toolkits: [apiKeyToolkit(api)], env: { LATCHKEY_LOG_LEVEL: 'warn' } });
  const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
  const account = await app.api('/api/v3.1/connected_accounts', {
    body: {
      auth_config: { id: config.body.auth_config.id },
      connection: { user_id: 'fuzz', state: { authScheme: 'API_KEY', val: { api_key: 'k-123456', region: 'eu' } } },
    },
  });
  const session = await app.api('/api/v3.1/tool_router/session', {
    body: { user_id: 'fuzz', toolkits: ['testkey', 'hackernews', 'github'] },
  });
  const mcpServer = await app.api('/api/v3.1/mcp/servers/custom', { body: { name: 'fuzz', toolkits: ['testkey', 'hackernews'] } });
  ids = {
    mcpServer: mcpServer.body.id,
    authConfig: config.body.auth_config.id,
    account: account.body.id,
    session: session.body.session_id,
    token: session.body.mcp.headers['x-session-token'],
  };
});
afterAll(async () => {
  await app.close();
  await api.close();
});

const ENDPOINTS: Array<[string, string]> = [
  ['POST', '/tools/execute/HACKERNEWS_GET_ITEM'],
  ['POST', '/tools/execute/TESTKEY_WHOAMI'],
  ['POST', '/tools/execute/proxy'],
  ['GET', '/tools'],
  ['GET', '/tools/GITHUB_CREATE_AN_ISSUE'],
  ['GET', '/toolkits'],
  ['GET', '/toolkits/github'],
  ['POST', '/auth_configs'],
  ['GET', '/auth_configs'],
  ['GET', '/auth_configs/{ac}'],
  ['PATCH', '/auth_configs/{ac}'],
  ['POST', '/connected_accounts/link'],
  ['POST', '/connected_accounts'],
  ['GET', '/connected_accounts'],
  ['GET', '/connected_accounts/{ca}'],
  ['PATCH', '/connected_accounts/{ca}/status'],
  ['POST', '/connected_accounts/complete_auth'],
  ['POST', '/connected_accounts/{ca}/refresh'],
  ['POST', '/tool_router/session'],
  ['GET', '/tool_router/session/{trs}'],
  ['PATCH', '/tool_router/session/{trs}'],
  ['GET', '/tool_router/session/{trs}/tools'],
  ['GET', '/tool_router/session/{trs}/toolkits'],
  ['POST', '/tool_router/session/{trs}/link'],
  ['POST', '/tool_router/session/{trs}/execute'],
  ['POST', '/tool_router/session/{trs}/execute_meta'],
  ['POST', '/tool_router/session/{trs}/search'],
  ['POST', '/tool_router/session/{trs}/proxy_execute'],
  ['POST', '/webhook_subscriptions'],
  ['GET', '/webhook_subscriptions'],
  ['POST', '/mcp/servers/custom'],
  ['POST', '/mcp/servers'],
  ['GET', '/mcp/servers'],
  ['GET', '/mcp/app/{ac}'],
  ['GET', '/mcp/{mcp}'],
  ['PATCH', '/mcp/{mcp}'],
  ['POST', '/mcp/servers/generate'],
  ['GET', '/mcp/servers/{mcp}/instances'],
  ['POST', '/mcp/servers/{mcp}/instances'],
];

const QUERY_KEYS = [
  'limit',
  'cursor',
  'user_ids',
  'statuses',
  'toolkit_slug',
  'search',
  'tags',
  'toolkits',
  'is_connected',
  'order_by',
  'show_disabled',
  'page_no',
  'name',
  'auth_config_ids',
  'order_direction',
];

describe('fuzzing the REST API', () => {
  it('answers every malformed, hostile or huge request with a 4xx envelope or a normal answer, never a 500', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const [method, template] of ENDPOINTS) {
      for (let i = 0; i < 12; i++) {
        const path = template
          .replace('{ac}', random() > 0.3 ? ids.authConfig : encode(pick(HOSTILE_STRINGS).slice(0, 300) || 'x'))
          .replace('{ca}', random() > 0.3 ? ids.account : "ca_' OR '1'='1")
          .replace('{trs}', ids.session)
          .replace('{mcp}', random() > 0.3 ? ids.mcpServer : encode(pick(HOSTILE_STRINGS).slice(0, 300) || 'x'));
        const query = new URLSearchParams();
        for (let q = 0; q < 3; q++) query.set(pick(QUERY_KEYS), String(pick(HOSTILE_STRINGS)).slice(0, 5000).toWellFormed());
        const url = `${app.url}/api/v3.1${path}${method === 'GET' ? `?${query}` : ''}`;
        const body = method === 'GET' ? undefined : hostileBody();
        const type = random() > 0.9 ? 'text/plain' : 'application/json';
        const res = await fetch(url, { method, headers: { 'x-api-key': app.apiKey, 'content-type': type }, body });
        const text = await res.text();
        cases += 1;
        if (res.status >= 500) failures.push(`${method} ${template} → ${res.status} ${text.slice(0, 200)}`);
        else if (res.status >= 400) {
          const envelope = JSON.parse(text) as { error?: { status?: number; message?: string } };
          if (envelope.error?.status !== res.status || !envelope.error.message)
            failures.push(`${method} ${template} → ${res.status} without the envelope`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(ENDPOINTS.length * 12);
    // still healthy, and the data is intact
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect((await app.api(`/api/v3.1/connected_accounts/${ids.account}`)).body.status).toMatch(/ACTIVE|INITIATED/);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('isAdmin');
  }, 120_000);

  it('answers any cursor with a page or 400 HTTP_InvalidCursor, on every paged list', async () => {
    const encodeJson = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const cursors = [
      ...[1e300, 2 ** 53, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, -1, 1.5, '1', null, [], {}, true].map((o) => encodeJson({ o })),
      encodeJson(null),
      encodeJson(7),
      encodeJson('x'),
      Buffer.from('{"o":1e999}').toString('base64url'),
      Buffer.from('{"o":99999999999999999999999}').toString('base64url'),
      '!!!',
      '%',
    ];
    for (let i = 0; i < 40; i++)
      cursors.push(
        Buffer.from(Array.from({ length: 1 + Math.floor(random() * 60) }, () => Math.floor(random() * 256))).toString('base64url'),
      );
    const failures: string[] = [];
    for (const path of ['/connected_accounts', '/auth_configs', '/toolkits', '/tools', '/webhook_subscriptions']) {
      for (const cursor of cursors) {
        const res = await app.api(`/api/v3.1${path}?cursor=${encodeURIComponent(cursor)}`);
        if (res.status === 200) continue;
        if (res.status !== 400 || res.body.error?.slug !== 'HTTP_InvalidCursor')
          failures.push(`${path} ${cursor} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('escapes hostile strings on the hosted pages', async () => {
    const link = await app.api('/api/v3.1/connected_accounts/link', {
      body: {
        auth_config_id: ids.authConfig,
        user_id: '<script>alert(1)</script>',
        connection_data: { region: '<img src=x onerror=alert(1)>' },
      },
    });
    // a hostile region is refused before it can be stored
    expect(link.status).toBe(400);
    const ok = await app.api('/api/v3.1/connected_accounts/link', {
      body: { auth_config_id: ids.authConfig, user_id: '<script>alert(1)</script>' },
    });
    const page = await (await fetch(ok.body.redirect_url)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    const missing = await fetch(`${app.url}/link/${encodeURIComponent('<script>x</script>')}`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<script>x');
  });

  it('answers a multipart body that does not match its boundary with a 400 page on every hosted form, never a 500', async () => {
    const link = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: ids.authConfig, user_id: 'fuzz' } });
    expect(link.status).toBe(201);
    // the approval page's form is covered in test/e2e/session-approvals.test.ts (it needs a held call)
    for (const url of [link.body.redirect_url as string, `${app.url}/oauth/authorize`]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { origin: app.url, 'content-type': 'multipart/form-data; boundary=x' },
        body: 'garbage',
      });
      expect(res.status, url).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('Form could not be read');
    }
    expect(app.logs.join('\n')).not.toContain('TypeError');
  });
});

describe('fuzzing the MCP endpoint', () => {
  it('answers hostile tool calls with tool results or JSON-RPC errors, never a 500, and malformed JSON-RPC with 4xx', async () => {
    const client = new Client({ name: 'fuzz', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${app.url}/tool_router/${ids.session}/mcp`), {
        requestInit: { headers: { 'x-session-token': ids.token } },
      }),
    );
    const { tools } = await client.listTools();
    for (const tool of tools) {
      for (let i = 0; i < 4; i++) {
        let args = (
          random() > 0.2
            ? {
                ...(hostileValue() as object),
                queries: hostileValue(),
                toolkits: hostileValue(),
                tools: hostileValue(),
                tool_slugs: hostileValue(),
              }
            : {}
        ) as Record<string, unknown>;
        // bodies over the limit are covered below with a raw request (the client sees the 413 only if it stops sending)
        if (JSON.stringify(args).length > 900_000) args = { big: 'x'.repeat(1000) };
        const result = await client
          .callTool({ name: tool.name, arguments: args })
          .catch((e: { code?: number; message?: string }) => ({ rpcError: e.code ?? e.message }));
        // a JSON-RPC error the client can act on, or an HTTP 4xx (413 for a body over the limit)
        if ('rpcError' in result) expect([-32602, -32042, -32600, 413], `${tool.name}: ${result.rpcError}`).toContain(result.rpcError);
        else expect(Array.isArray(result.content), tool.name).toBe(true);
      }
    }
    await client.close();
    for (const body of [
      '{',
      '[]',
      '{"jsonrpc":"2.0","method":"tools/call","params":"x","id":1}',
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x'.repeat(10_000), arguments: hostileValue() } }),
    ]) {
      const res = await fetch(`${app.url}/tool_router/${ids.session}/mcp`, {
        method: 'POST',
        headers: { 'x-session-token': ids.token, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
      expect(res.status, body.slice(0, 40)).toBeLessThan(500);
    }
    const huge = await fetch(`${app.url}/tool_router/${ids.session}/mcp`, {
      method: 'POST',
      headers: { 'x-session-token': ids.token, 'content-type': 'application/json' },
      body: 'x'.repeat(3 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  }, 120_000);
});

describe('fuzzing the OAuth endpoints (latchkey as authorization server of the MCP endpoint)', () => {
  const REDIRECT = 'http://127.0.0.1:4999/callback';
  const OAUTH_FIELDS = [
    'grant_type',
    'code',
    'redirect_uri',
    'code_verifier',
    'client_id',
    'client_secret',
    'refresh_token',
    'resource',
    'token',
    'token_type_hint',
    'scope',
    'state',
    'response_type',
    'code_challenge',
    'code_challenge_method',
    'request_id',
    'csrf_token',
    'session_token',
    'decision',
  ];
  const hostileString = () => String(pick(HOSTILE_STRINGS)).slice(0, 3000).toWellFormed();
  const hostileForm = (clientId: string) => {
    const form = new URLSearchParams();
    if (random() > 0.3) form.append('client_id', random() > 0.5 ? clientId : hostileString());
    for (let i = 0; i < 5; i++)
      form.append(pick(OAUTH_FIELDS), random() > 0.2 ? hostileString() : pick(['authorization_code', 'refresh_token', 'S256']));
    return form.toString();
  };

  it('answers hostile registration, token, revocation and authorization requests with 4xx (OAuth shapes) or a normal answer, never a 500 or a foreign redirect', async () => {
    const registered = await fetch(`${app.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    const ownClient = ((await registered.json()) as { client_id: string }).client_id;
    // registration is open: an attacker registers the URI they want the browser sent to
    const MALICIOUS = ['https://evil.example/phish', 'cursor://evil.example/cb'];
    const attackerClient = (
      (await (
        await fetch(`${app.url}/oauth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: MALICIOUS, token_endpoint_auth_method: 'none' }),
        })
      ).json()) as { client_id: string }
    ).client_id;
    const failures: string[] = [];
    for (const uri of ['search-ms:query=x&crumb=location:\\\\evil.example\\s', 'ms-msdt:/id PCWDiagnostic', 'file:///etc/passwd']) {
      const refused = await fetch(`${app.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [uri] }),
      });
      if (refused.status !== 400) failures.push(`registering ${uri} → ${refused.status}`);
    }
    const check = async (what: string, res: Response, json: boolean) => {
      const text = await res.text();
      if (res.status >= 500) failures.push(`${what} → ${res.status} ${text.slice(0, 200)}`);
      else if (json && res.status >= 400 && typeof (JSON.parse(text) as { error?: unknown }).error !== 'string')
        failures.push(`${what} → ${res.status} without an OAuth error`);
      const location = res.headers.get('location');
      // nothing redirects before a person answered the consent page, not even to a registered URI (RFC 9700 §4.11.2)
      if (location) failures.push(`${what} → redirected to ${location.slice(0, 100)}`);
    };
    for (let i = 0; i < 40; i++) {
      const attacker = random() > 0.5;
      const clientId = attacker ? attackerClient : ownClient;
      const metadata: Record<string, unknown> = { redirect_uris: random() > 0.5 ? [hostileValue()] : hostileValue() };
      for (let f = 0; f < 3; f++)
        metadata[pick(['client_name', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'logo_uri', 'scope', 'contacts'])] =
          hostileValue();
      const body = random() > 0.2 ? JSON.stringify(metadata) : hostileBody();
      await check(
        'POST /oauth/register',
        await fetch(`${app.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
        true,
      );
      for (const path of ['/oauth/token', '/oauth/revoke']) {
        const type = random() > 0.9 ? 'application/json' : 'application/x-www-form-urlencoded';
        const headers: Record<string, string> = { 'content-type': type };
        if (random() > 0.8)
          headers.authorization = `Basic ${Buffer.from(`${hostileString().slice(0, 200)}:${hostileString().slice(0, 200)}`).toString('base64')}`;
        await check(`POST ${path}`, await fetch(`${app.url}${path}`, { method: 'POST', headers, body: hostileForm(clientId) }), true);
      }
      const query = new URLSearchParams(hostileForm(clientId));
      if (random() > 0.5) query.set('redirect_uri', random() > 0.5 ? (attacker ? pick(MALICIOUS) : REDIRECT) : hostileString());
      await check('GET /oauth/authorize', await fetch(`${app.url}/oauth/authorize?${query}`, { redirect: 'manual' }), false);
      await check(
        'POST /oauth/authorize',
        await fetch(`${app.url}/oauth/authorize`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.url },
          body: hostileForm(clientId),
        }),
        false,
      );
      const id = encode(hostileString().slice(0, 200) || 'x');
      await check(
        'GET protected resource metadata',
        await fetch(`${app.url}/.well-known/oauth-protected-resource/tool_router/${id}/mcp`),
        false,
      );
      const mcp = await fetch(`${app.url}/tool_router/${ids.session}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${
            hostileString()
              .replace(/[^\x21-\x7e]/g, 'x')
              .slice(0, 500) || 'x'
          }`,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      if (mcp.status !== 401) failures.push(`MCP with a hostile bearer → ${mcp.status}`);
      await mcp.body?.cancel();
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  }, 120_000);
});
