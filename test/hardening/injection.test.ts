import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TOOLKITS_DIR } from '../../src/bootstrap.ts';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import { pathParameters } from '../../src/catalogue/lint.ts';
import { fetchExchange } from '../../src/execution/exchange.ts';
import { ADDRESS_REFUSED, guardedLookup, STRICT_POLICY } from '../../src/execution/address-policy.ts';
import { executeTool, ToolInputError } from '../../src/execution/execute.ts';
import { UpstreamFailure } from '../../src/execution/exchange.ts';
import { undiciExchange } from '../../src/execution/undici-exchange.ts';
import { deliverDue } from '../../src/delivery/deliver.ts';
import { outboxRepo, webhookSubscriptionsRepo } from '../../storage/repos/webhooks.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { oauth1Toolkit, startOAuth1Server, type OAuth1Server } from '../fixtures/oauth1-server.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { catalogueConnection } from '../helpers/catalogue-connection.ts';
import { redirectingFetch, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { sampleObject } from '../helpers/sample-arguments.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Injection through the values latchkey puts into upstream requests: tool arguments in path segments,
 * credentials echoed back in another encoding, connection values and subscriber URLs that name
 * private addresses.
 */
const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR]);
const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;
// the stand-in for every provider: it records what reached it
let upstream: FakeUpstream;
beforeAll(async () => void (upstream = await startFakeUpstream()));
afterAll(() => upstream.close());

/** An in-process app with one operator toolkit written to its own folder. */
async function appWithToolkit(
  dir: string,
  toolkit: { slug: string; [key: string]: unknown },
  env: Record<string, string> = {},
): Promise<TestApp> {
  const toolkits = `${dir}/toolkits-${Object.keys(env).join('-')}`;
  mkdirSync(toolkits, { recursive: true });
  writeFileSync(`${toolkits}/${toolkit.slug}.json`, JSON.stringify(toolkit));
  return createTestApp({ env: { LATCHKEY_TOOLKITS_DIR: toolkits, ...env } });
}

const options = () => ({
  exchange: fetchExchange(redirectingFetch(upstream)),
  timeoutMs: 5000,
  maxResponseBytes: 1 << 20,
  allowHttpLoopback: false,
});

describe('dot segments in path parameters', () => {
  const values = ['.', '..', '%2e%2e', '%2E.', '.%2e', ''];

  it('every path parameter of the built-in catalogue keeps its value inside its own segment, or the call is refused with nothing sent', async () => {
    let checked = 0;
    for (const toolkit of catalogue.toolkits) {
      const scheme = toolkit.auth_schemes[0]!;
      const connection = catalogueConnection(toolkit, scheme);
      const filled = { ...connection.connectionData, ...connection.credentials };
      for (const tool of toolkit.tools) {
        const entry = catalogue.tool(tool.slug)!;
        for (const param of pathParameters(tool.request.path)) {
          const args = sampleObject(tool.input_parameters);
          // the path the tool must reach (under its own base URL where it names one), with this parameter's segment marked
          const marked = `${new URL((tool.request.base_url ?? toolkit.base_url).replace(TEMPLATE, (_, n: string) => filled[n]!)).pathname.replace(/\/$/, '')}${tool.request.path
            .replace(TEMPLATE, (_, n: string) => filled[n]!)
            .replace(/\{(\+?)(\w+)\}/g, (_, _plus: string, n: string) =>
              n === param ? '\u0000' : String(args[n]).split('/').map(encodeURIComponent).join('/'),
            )}`;
          for (const value of values) {
            const before = upstream.requests.length;
            let refused = false;
            try {
              const result = await executeTool(entry, { ...args, [param]: value }, connection, options());
              expect(result.successful, `${tool.slug} ${param}=${JSON.stringify(value)}: ${result.error}`).toBe(true);
            } catch (error) {
              expect(error, `${tool.slug} ${param}=${JSON.stringify(value)}`).toBeInstanceOf(ToolInputError);
              refused = true;
            }
            if (refused) {
              expect(upstream.requests.length, `${tool.slug} ${param}=${JSON.stringify(value)} sent nothing`).toBe(before);
              continue;
            }
            expect(value === '.' || value === '..' || value === '', `${tool.slug} ${param}=${JSON.stringify(value)} must be refused`).toBe(
              false,
            );
            const received = new URL(upstream.requests.at(-1)!.url, 'http://x').pathname;
            expect(received, `${tool.slug} ${param}=${JSON.stringify(value)}`).toBe(marked.replace('\u0000', encodeURIComponent(value)));
            checked += 1;
          }
        }
      }
    }
    // the encoded dots of a string parameter arrive as literal text inside their segment
    expect(checked).toBeGreaterThan(20);
  });

  describe('over REST', () => {
    const dir = makeTempDir();
    let t: TestApp;
    beforeAll(async () => {
      t = await appWithToolkit(
        dir.path,
        {
          slug: 'items',
          name: 'Items',
          description: 'An API on loopback',
          base_url: `${upstream.url}/v1`,
          auth_schemes: [{ mode: 'NO_AUTH' }],
          tools: [
            {
              slug: 'ITEMS_DELETE_DETAIL',
              name: 'delete detail',
              description: 'Deletes the detail of one item, for the dot-segment tests.',
              tags: ['destructiveHint'],
              input_parameters: { type: 'object', properties: { id: { type: 'string', description: 'id' } }, required: ['id'] },
              request: { method: 'DELETE', path: '/items/{id}/detail' },
              source: { docs: 'https://docs.example.com/api' },
            },
          ],
        },
        { LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' },
      );
    });
    afterAll(async () => {
      await t.close();
      dir.cleanup();
    });

    it('answers 400 naming the argument for . and .., and sends nothing', async () => {
      for (const id of ['..', '.', '']) {
        const before = upstream.requests.length;
        const res = await t.call('/api/v3.1/tools/execute/ITEMS_DELETE_DETAIL', {
          method: 'POST',
          body: JSON.stringify({ arguments: { id } }),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status, id).toBe(400);
        const body = (await res.json()) as any;
        expect(body.error.slug).toBe('Tool_InvalidArguments');
        expect(body.error.errors).toEqual([expect.objectContaining({ field: 'arguments.id' })]);
        expect(upstream.requests.length).toBe(before);
      }
      const ok = await t.call('/api/v3.1/tools/execute/ITEMS_DELETE_DETAIL', {
        method: 'POST',
        body: JSON.stringify({ arguments: { id: '%2e%2e' } }),
        headers: { 'content-type': 'application/json' },
      });
      expect(ok.status).toBe(200);
      expect(upstream.requests.at(-1)!.url).toBe('/v1/items/%252e%252e/detail');
    });
  });
});

describe('credentials echoed back by the upstream', () => {
  let echo: FakeUpstream;
  beforeAll(async () => {
    echo = await startFakeUpstream();
    // an upstream that quotes the request back in the forms real APIs do: JSON, raw URL, ASCII-escaped JSON, decoded query
    echo.on('/', (req, res) => {
      const url = new URL(req.url, 'http://x');
      const quoted = { headers: req.headers, url: req.url, query: Object.fromEntries(url.searchParams), body: req.body };
      const ascii = JSON.stringify(quoted).replaceAll('/', '\\/');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        `{"echo":${JSON.stringify(quoted)},"php":${ascii},"raw_url":${JSON.stringify(req.url)},"raw_body":${JSON.stringify(req.body)}}`,
      );
    });
  });
  afterAll(() => echo.close());

  const leaves = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(leaves) : [];
  const forms = (v: string) => [v, encodeURIComponent(v), new URLSearchParams({ v }).toString().slice(2), JSON.stringify(v).slice(1, -1)];

  it('no injected value reaches the caller in any encoding, under every auth scheme of the catalogue', async () => {
    let schemes = 0;
    for (const toolkit of catalogue.toolkits) {
      const tool = toolkit.tools.find((t) => t.request.method === 'GET') ?? toolkit.tools[0]!;
      const entry = { ...catalogue.tool(tool.slug)!, toolkit: { ...toolkit, response: undefined } };
      for (const scheme of toolkit.auth_schemes) {
        if (scheme.mode === 'NO_AUTH') continue;
        const connection = catalogueConnection(toolkit, scheme, '-s3/cr+t "x&y=z%');
        const before = echo.requests.length;
        const result = await executeTool(entry, sampleObject(tool.input_parameters), connection, {
          ...options(),
          exchange: fetchExchange(redirectingFetch(echo)),
        });
        expect(result.successful, `${tool.slug} ${scheme.mode}: ${result.error}`).toBe(true);
        const sent = echo.requests[before]!;
        // what was on the wire: the credentials, the Basic user-pass and its base64, the OAuth1 signature and token
        const secrets = [...Object.values(connection.credentials), ...(connection.consumer ? [connection.consumer.secret] : [])];
        const authorization = String(sent.headers.authorization ?? '');
        if (authorization.startsWith('Basic '))
          secrets.push(authorization.slice(6), Buffer.from(authorization.slice(6), 'base64').toString('utf8'));
        for (const m of authorization.matchAll(/oauth_(?:signature|token)="([^"]+)"/g)) secrets.push(decodeURIComponent(m[1]!));
        expect(
          JSON.stringify(sent).includes(encodeURIComponent('s3/cr+t')) ||
            JSON.stringify(sent).includes('s3/cr+t') ||
            authorization.startsWith('Basic ') ||
            authorization.startsWith('OAuth '),
          `${tool.slug} ${scheme.mode} sent its credential`,
        ).toBe(true);
        const seen = [...leaves(result.data), result.error ?? ''];
        for (const secret of secrets) {
          for (const form of forms(secret)) {
            const leak = seen.find((text) => text.includes(form));
            expect(leak, `${tool.slug} ${scheme.mode}: ${form} echoed`).toBeUndefined();
          }
        }
        schemes += 1;
      }
    }
    expect(schemes).toBeGreaterThanOrEqual(15);
  });
});

describe('deeply nested tool arguments', () => {
  let t: TestApp;
  let session: { session_id: string; mcp: { url: string; headers: Record<string, string> } };
  beforeAll(async () => {
    t = await createTestApp({ fetch: redirectingFetch(upstream) });
    const res = await t.call('/api/v3.1/tool_router/session', {
      method: 'POST',
      body: JSON.stringify({ user_id: 'deep', toolkits: ['hackernews'], preload: { tools: ['HACKERNEWS_GET_USER'] } }),
      headers: { 'content-type': 'application/json' },
    });
    session = (await res.json()) as typeof session;
  });
  afterAll(() => t.close());

  // built as text: the test's own JSON.stringify would overflow on it
  const nested = (depth: number) => `{"username":${'['.repeat(depth)}${']'.repeat(depth)}}`;

  // past 64 levels the arguments are refused; past 128 the whole REST body is, before anything walks it
  for (const depth of [100, 10_000, 100_000]) {
    const restSlug = depth < 128 ? 'Tool_InvalidArguments' : 'HTTP_ValidationFailed';
    it(`answers 400 (and a tool error over MCP) at depth ${depth}, over REST, session execute and MCP tools/call`, async () => {
      const before = upstream.requests.length;
      const rest = await t.call('/api/v3.1/tools/execute/HACKERNEWS_GET_USER', {
        method: 'POST',
        body: `{"arguments":${nested(depth)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(rest.status).toBe(400);
      expect(((await rest.json()) as any).error.slug).toBe(restSlug);
      const viaSession = await t.call(`/api/v3.1/tool_router/session/${session.session_id}/execute`, {
        method: 'POST',
        body: `{"tool_slug":"HACKERNEWS_GET_USER","arguments":${nested(depth)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(viaSession.status).toBe(400);
      expect(((await viaSession.json()) as any).error.slug).toBe(restSlug);
      const mcp = await t.app.request(new URL(session.mcp.url).pathname, {
        method: 'POST',
        body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"HACKERNEWS_GET_USER","arguments":${nested(depth)}}}`,
        headers: { ...session.mcp.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      expect(mcp.status).toBe(200);
      const answer = (await mcp.json()) as any;
      expect(answer.result?.isError ?? answer.error !== undefined, JSON.stringify(answer).slice(0, 300)).toBe(true);
      expect(JSON.stringify(answer)).toMatch(/nest/);
      expect(upstream.requests.length).toBe(before);
    });
  }

  it('answers 400, not 500, for any deep REST body: a custom tool schema echoed in the create answer, connection data', async () => {
    const schema = `${'{"a":'.repeat(10_000)}{}${'}'.repeat(10_000)}`;
    const created = await t.call('/api/v3.1/tool_router/session', {
      method: 'POST',
      body: `{"user_id":"deep","experimental":{"custom_tools":[{"slug":"DEEP","name":"deep","description":"d","input_schema":${schema}}]}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(400);
    expect(((await created.json()) as any).error.slug).toBe('HTTP_ValidationFailed');
    const connected = await t.call('/api/v3.1/connected_accounts', {
      method: 'POST',
      body: `{"auth_config":{"id":"ac_x"},"connection":{"user_id":"deep","data":{"region":${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(connected.status).toBe(400);
  });
});

describe('an OAuth 1.0a token response', () => {
  let provider: OAuth1Server;
  let app: LiveApp;
  beforeAll(async () => {
    provider = await startOAuth1Server({
      accessTokenExtra: `member_id=m-1&long_id=${'x'.repeat(600)}&note=a%0Ab&team=evil&instance_url=https%3A%2F%2Fevil.example&status=REVOKED`,
    });
    const kit = oauth1Toolkit(provider);
    app = await startLiveApp({
      toolkits: [
        {
          ...kit,
          connection_fields: [{ name: 'team', display_name: 'Team', required: false }],
          auth_schemes: [{ ...kit.auth_schemes[0], token_response_fields: ['member_id', 'long_id', 'note'] }],
        },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  it('sets only the declared fields, as short single-line strings, and never a connection field', async () => {
    const config = await app.api('/api/v3.1/auth_configs', {
      body: {
        toolkit: { slug: 'testoauthone' },
        auth_config: {
          type: 'use_custom_auth',
          credentials: { client_id: provider.consumer.key, client_secret: provider.consumer.secret },
        },
      },
    });
    const link = await app.api('/api/v3.1/connected_accounts/link', {
      body: {
        auth_config_id: config.body.auth_config.id,
        user_id: 'tess',
        callback_url: 'https://app.example.com/cb',
        connection_data: { team: 'acme' },
      },
    });
    const { leftTo } = await new FetchBrowser().follow(link.body.redirect_url);
    expect(new URL(leftTo!).searchParams.get('status')).toBe('success');
    const account = await app.api(`/api/v3.1/connected_accounts/${link.body.connected_account_id}`);
    expect(account.body.status).toBe('ACTIVE');
    expect(account.body.state.val).toMatchObject({ team: 'acme', member_id: 'm-1', status: 'ACTIVE' });
    for (const name of ['long_id', 'note', 'instance_url', 'username']) expect(account.body.state.val, name).not.toHaveProperty(name);
  });
});

describe('private, loopback and link-local addresses', () => {
  const inward = [
    'http://127.0.0.1:9/h',
    'http://127.1.2.3/h',
    'http://localhost:9/h',
    'http://hooks.localhost/h',
    'http://[::1]/h',
    'http://[::ffff:127.0.0.1]/h',
    'http://2130706433/h',
    'http://0.0.0.0/h',
    'http://10.1.2.3/h',
    'http://172.16.0.1/h',
    'http://192.168.1.1/h',
    'http://100.64.0.1/h',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/h',
    'http://[fd00::1]/h',
  ];
  const dir = makeTempDir();
  let strict: TestApp;
  let open: TestApp;
  const json = (app: TestApp, path: string, body: unknown, method = 'POST') =>
    app.call(path, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    const urlkit = {
      slug: 'urlkit',
      name: 'URL kit',
      description: 'A toolkit with a URL-type connection field',
      base_url: 'https://api.example.com',
      connection_fields: [{ name: 'callback', display_name: 'Callback URL', type: 'url', required: false }],
      auth_schemes: [
        {
          mode: 'API_KEY',
          fields: [{ name: 'api_key', display_name: 'Key', secret: true }],
          inject: { headers: { 'X-Key': '{{api_key}}', 'X-Callback': '{{callback}}' } },
        },
      ],
      tools: [
        {
          slug: 'URLKIT_X',
          name: 'x',
          description: 'A tool of the URL-field tests, long enough.',
          tags: ['readOnlyHint'],
          input_parameters: { type: 'object', properties: {} },
          request: { method: 'GET', path: '/x' },
          source: { docs: 'https://docs.example.com/api' },
        },
      ],
    };
    strict = await appWithToolkit(dir.path, urlkit);
    open = await appWithToolkit(dir.path, urlkit, { LATCHKEY_ALLOW_PRIVATE_NETWORK: 'true' });
  });
  afterAll(async () => {
    await strict.close();
    await open.close();
    dir.cleanup();
  });

  it('refuses them as webhook URLs (create and update), naming the setting that allows them', async () => {
    const created = await json(strict, '/api/v3.1/webhook_subscriptions', {
      webhook_url: 'https://hooks.example.com/in',
      enabled_events: ['composio.connected_account.active'],
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as any).id;
    for (const url of inward) {
      const res = await json(strict, '/api/v3.1/webhook_subscriptions', {
        webhook_url: url,
        enabled_events: ['composio.connected_account.active'],
      });
      expect(res.status, url).toBe(400);
      const body = (await res.json()) as any;
      expect(body.error.message).toContain('LATCHKEY_ALLOW_PRIVATE_NETWORK');
      expect(body.error.errors[0].field).toBe('webhook_url');
      expect((await json(strict, `/api/v3.1/webhook_subscriptions/${id}`, { webhook_url: url }, 'PATCH')).status, url).toBe(400);
    }
    expect(
      (
        await json(open, '/api/v3.1/webhook_subscriptions', {
          webhook_url: 'http://10.1.2.3/h',
          enabled_events: ['composio.connected_account.active'],
        })
      ).status,
    ).toBe(201);
  });

  it('refuses them in URL-type connection fields', async () => {
    const config = ((await (await json(strict, '/api/v3.1/auth_configs', { toolkit: { slug: 'urlkit' } })).json()) as any).auth_config.id;
    for (const url of inward.map((u) => `https://${new URL(u).host}/`)) {
      const res = await json(strict, '/api/v3.1/connected_accounts/link', {
        auth_config_id: config,
        user_id: 'u',
        connection_data: { callback: url },
      });
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as any).error.errors[0].field).toBe('connection_data.callback');
    }
    const fine = await json(strict, '/api/v3.1/connected_accounts/link', {
      auth_config_id: config,
      user_id: 'u',
      connection_data: { callback: 'https://hooks.example.com/' },
    });
    expect(fine.status).toBe(201);
  });
});

describe('names that resolve to a private address, at connect time', () => {
  let receiver: FakeUpstream;
  let port: string;
  beforeAll(async () => {
    receiver = await startFakeUpstream();
    port = new URL(receiver.url).port;
  });
  afterAll(() => receiver.close());
  const limits = () => ({ deadline: Date.now() + 2000, timeoutMs: 2000, maxResponseBytes: 4096 });

  it('the lookup hook refuses a name that resolves to 127.0.0.1', async () => {
    const answer = await new Promise<{ code?: string }>((resolve) =>
      guardedLookup(STRICT_POLICY)('localhost', {}, (error) => resolve({ code: (error as NodeJS.ErrnoException | null)?.code })),
    );
    expect(answer.code).toBe(ADDRESS_REFUSED);
    const allowed = await new Promise<string>((resolve) =>
      guardedLookup({ allowPrivate: false, allowLoopback: true })('localhost', {}, (_e, address) => resolve(String(address))),
    );
    expect(allowed).toBe('127.0.0.1');
  });

  it('tool calls: refused as a closed port is, with nothing sent', async () => {
    const exchange = undiciExchange(STRICT_POLICY);
    const request = (host: string) => ({ method: 'GET', url: new URL(`http://${host}/x`), headers: {} });
    const before = receiver.requests.length;
    const viaName = await exchange(request(`localhost:${port}`), limits()).then(
      () => null,
      (e: UpstreamFailure) => e,
    );
    const viaLiteral = await exchange(request(`127.0.0.1:${port}`), limits()).then(
      () => null,
      (e: UpstreamFailure) => e,
    );
    const closed = await undiciExchange({ allowPrivate: false, allowLoopback: true })(request('127.0.0.1:9'), limits()).then(
      () => null,
      (e: UpstreamFailure) => e,
    );
    expect(receiver.requests.length).toBe(before);
    for (const failure of [viaName, viaLiteral, closed]) expect(failure).toBeInstanceOf(UpstreamFailure);
    // the message a caller sees does not tell a refused address or an open port from a closed one
    expect(viaName!.message.replace(`localhost:${port}`, 'H')).toBe(closed!.message.replace('127.0.0.1:9', 'H'));
    expect(viaLiteral!.message.replace(`127.0.0.1:${port}`, 'H')).toBe(closed!.message.replace('127.0.0.1:9', 'H'));
    // allowed, the same name resolves and connects as usual
    const allowed = await undiciExchange({ allowPrivate: false, allowLoopback: true })(request(`localhost:${port}`), limits());
    expect(allowed.status).toBe(200);
    expect(receiver.requests.length).toBe(before + 1);
  });

  it('webhook deliveries: a stored URL whose name now resolves to loopback is not delivered to', async () => {
    const t = await createTestApp();
    try {
      const now = Date.now();
      await webhookSubscriptionsRepo(t.deps.db).insert({
        id: 'ws_dns',
        webhookUrl: `http://localhost:${port}/hook`,
        secretSealed: t.deps.vault.seal('whsec_x', sealedAad(sealed('webhook_subscriptions', 'secret_sealed'), 'ws_dns')),
        enabledEvents: ['composio.connected_account.active'],
        version: 'V3',
        createdAt: now,
        updatedAt: now,
      });
      await outboxRepo(t.deps.db).insert([
        {
          subscriptionId: 'ws_dns',
          eventId: 'evt_dns',
          accountId: 'ca_x',
          eventType: 'composio.connected_account.active',
          payload: '{}',
          attempts: 0,
          nextAttemptAt: 0,
          claimedUntil: null,
          deliveredAt: null,
          lastStatus: null,
          createdAt: now,
        },
      ]);
      const before = receiver.requests.length;
      expect(await deliverDue(t.deps)).toBe(1);
      expect(receiver.requests.length).toBe(before);
      const row = await t.deps.db.selectFrom('webhook_outbox').selectAll().where('event_id', '=', 'evt_dns').executeTakeFirstOrThrow();
      expect(row.delivered_at).toBeNull();
      expect(row.attempts).toBe(1);
    } finally {
      await t.close();
    }
  });
});
